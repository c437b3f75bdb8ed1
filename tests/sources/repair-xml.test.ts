import { describe, expect, it } from 'vitest';
import { repairXml } from '../../src/sources/repair-xml.js';

describe('repairXml', () => {
  it('escapes bare ampersands, in text and attributes', () => {
    expect(repairXml('<a href="?a=1&b=2">AT&T & Co</a>').text).toBe('<a href="?a=1&amp;b=2">AT&amp;T &amp; Co</a>');
  });

  it('turns HTML entities XML lacks into numeric references and keeps the XML ones', () => {
    expect(repairXml('<t>&nbsp;&mdash;&ldquo;x&rdquo;&amp;&lt;&#12288;&#x3000;</t>').text).toBe(
      '<t>&#160;&#8212;&#8220;x&#8221;&amp;&lt;&#12288;&#x3000;</t>',
    );
  });

  it('reads unknown names as text, and does not read &notit; as &not + "it;"', () => {
    expect(repairXml('<t>&foo; &notit; &notin;</t>').text).toBe('<t>&amp;foo; &amp;notit; &#8713;</t>');
  });

  it('removes control characters and references to them, and the BOM', () => {
    const { text, fixes } = repairXml('\uFEFF<t>a\u0001b\u000Bc\td&#1;e&#x0;</t>');
    expect(text).toBe('<t>abc\tde</t>');
    expect(fixes).toHaveLength(2);
  });

  it('leaves CDATA, comments and processing instructions alone', () => {
    const xml = '<?xml-stylesheet href="a?x=1&y=2"?><!-- a & b --><t><![CDATA[AT&T&nbsp;]]>&nbsp;</t>';
    expect(repairXml(xml).text).toBe('<?xml-stylesheet href="a?x=1&y=2"?><!-- a & b --><t><![CDATA[AT&T&nbsp;]]>&#160;</t>');
  });

  it('reports nothing for a clean document', () => {
    const xml = '<rss version="2.0"><channel><title>财经 &amp; 产业</title></channel></rss>';
    expect(repairXml(xml)).toEqual({ text: xml, fixes: [] });
  });
});

import type sanitizeHtml from 'sanitize-html';

/**
 * What sanitize-html keeps of a body's blocks (see sanitize.ts): the allowlisted tags and
 * attributes, http(s)/mailto links and http(s) images, no classes, no text of code or chrome.
 * In a module of its own so that a benchmark can give sanitize-html alone the same options.
 */
export const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'a', 'img', 'strong', 'b', 'em', 'i', 'u', 'blockquote', 'ul', 'ol', 'li',
    'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tr', 'td', 'th', 'figure',
    'figcaption', 'span',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'width', 'height'],
    // Without spans tables fall apart.
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
  },
  // No classes at all: the one class of finews content, em_media, is written by renderBody
  // for the attribution it recognises by its text, so a stray one cannot fake an attribution.
  allowedClasses: {},
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // Their text is code or chrome, never article text.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'svg', 'math', 'template', 'title', 'select', 'button'],
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};

/**
 * What each compression level costs the publisher on one large feed document: the RSS,
 * Atom and JSON Feed of a 500-item category, compressed with gzip 6/9 and brotli
 * 4/5/6/9/11 (text mode, size hint), printing output size and time per document.
 *
 *   npx tsx bench/publish-compress.ts [--rounds=N]
 *
 * Never part of the test pass/fail; it touches no network.
 */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip, type BrotliOptions, type ZlibOptions } from 'node:zlib';
import { buildCategoryTitles } from '../src/publish/context.js';
import { OUTPUT_FORMATS } from '../src/publish/formats.js';
import { benchConfig, generateItems } from './lib/items.js';

const gzipAsync = promisify<Buffer, ZlibOptions, Buffer>(gzip);
const brotliAsync = promisify<Buffer, BrotliOptions, Buffer>(brotliCompress);

const ITEMS = 500;
const rounds = Number(/^--rounds=(\d+)$/.exec(process.argv[2] ?? '')?.[1] ?? 5);

interface Level {
  name: string;
  run(body: Buffer): Promise<Buffer>;
}

const levels: Level[] = [
  ...[6, 9].map((level) => ({ name: `gzip ${level}`, run: (body: Buffer) => gzipAsync(body, { level }) })),
  ...[4, 5, 6, 9, 11].map((quality) => ({
    name: `brotli ${quality}`,
    run: (body: Buffer) =>
      brotliAsync(body, {
        params: {
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_QUALITY]: quality,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      }),
  })),
];

async function main(): Promise<void> {
  const config = benchConfig();
  config.site.itemsPerFeed = ITEMS;
  const items = generateItems(ITEMS);
  const titles = buildCategoryTitles(config, items);
  const ctx = { site: config.site, generatedAt: new Date('2022-03-30T10:00:00Z'), categoryTitles: titles };
  const cat = { slug: 'all', title: titles('all') };
  console.log(`publish-compress — ${ITEMS}-item feed documents, median of ${rounds} rounds · node ${process.version}`);
  console.log(`${'format'.padEnd(6)} ${'level'.padEnd(10)} ${'bytes'.padStart(10)} ${'ratio'.padStart(7)} ${'ms'.padStart(8)}`);
  for (const format of OUTPUT_FORMATS) {
    const body = Buffer.from(format.render(ctx, cat, items), 'utf8');
    console.log(`${format.id.padEnd(6)} ${'identity'.padEnd(10)} ${String(body.length).padStart(10)}`);
    for (const level of levels) {
      await level.run(body); // warm-up
      const times: number[] = [];
      let out: Buffer = Buffer.alloc(0);
      for (let r = 0; r < rounds; r++) {
        const t0 = performance.now();
        out = await level.run(body);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)] ?? 0;
      const ratio = ((out.length / body.length) * 100).toFixed(1);
      console.log(`${format.id.padEnd(6)} ${level.name.padEnd(10)} ${String(out.length).padStart(10)} ${`${ratio}%`.padStart(7)} ${median.toFixed(1).padStart(8)}`);
    }
  }
}

await main();

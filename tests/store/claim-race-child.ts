/**
 * Child process of the cross-process claim race (tests/store/sqlite.test.ts):
 * opens the store file, says "ready", waits for the go file, claims keys
 * newsKey(0..count-1) in an order of its own (so the racers collide all along
 * the way) and prints the keys it won as one JSON line.
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { newsKey } from './items.js';

const [file, goFile, sourceId, countText] = process.argv.slice(2);
if (!file || !goFile || !sourceId || !countText) throw new Error('usage: claim-race-child FILE GOFILE SOURCE COUNT');

const store = openSqliteStore(file);
process.stdout.write('ready\n');
while (!existsSync(goFile)) await sleep(2);
// A per-racer permutation: stride through the keys from a racer-specific offset.
const count = Number(countText);
const offset = [...sourceId].reduce((sum, ch) => sum + ch.charCodeAt(0), 0) % count;
const won: string[] = [];
for (let i = 0; i < count; i++) {
  const key = newsKey((offset + i * 7) % count);
  if ((await store.claim(key, sourceId, [])).isNew) won.push(key);
}
await store.close();
process.stdout.write(`${JSON.stringify(won)}\n`);

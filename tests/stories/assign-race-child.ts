/**
 * Child process of the cross-process story race (tests/stories/sqlite-stories.test.ts):
 * opens the store file, says "ready", waits for the go file, then assigns copy number
 * COPY of every corpus group, group after group, so racers place reprints of one piece
 * at the same moment. Prints "done" when finished.
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { chooseStory, DEFAULT_STORY_RULES, storyEntry, storySpan } from '../../src/stories/index.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { storyCorpus } from '../fixtures/stories/corpus.js';

const [file, goFile, copyText] = process.argv.slice(2);
if (!file || !goFile || !copyText) throw new Error('usage: assign-race-child FILE GOFILE COPY');

const rules = DEFAULT_STORY_RULES;
const corpus = storyCorpus();
const groups = [...new Set(corpus.map((a) => a.group))];
const store = openSqliteStore(file);
process.stdout.write('ready\n');
while (!existsSync(goFile)) await sleep(2);
for (const group of groups) {
  const a = corpus.filter((c) => c.group === group)[Number(copyText)];
  if (a === undefined) continue;
  const entry = storyEntry(a.key, a.title, a.contentHtml, Date.parse(a.publishedAt));
  await store.stories.assign(entry, storySpan(entry.publishedMs, rules), (found) => chooseStory(entry, found, rules).storyId);
}
await store.close();
process.stdout.write('done\n');

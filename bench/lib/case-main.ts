/**
 * Entry of a case process (forked by fork.ts): `case-main.ts <bench> <case> <options JSON>`.
 * Only the one bench module is loaded, and a bench module loads the code under test
 * lazily inside each case, so a case's memory is its own.
 */
import type { CaseFn, Envelope } from './fork.js';
import { Inbox } from './fork.js';
import { isBenchName, type BenchName, type BenchOptions } from './options.js';

// Benchmarks that run finews as whole processes have no in-process cases.
const loaders: Partial<Record<BenchName, () => Promise<{ cases: Record<string, CaseFn> }>>> = {
  parse: () => import('../parse.js'),
  readers: () => import('../readers.js'),
  extract: () => import('../extract.js'),
  dedupe: () => import('../dedupe.js'),
  categories: () => import('../categories.js'),
  stories: () => import('../stories.js'),
};

function post(envelope: Envelope): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) throw new Error('case-main.ts runs only as a forked child (bench/run.ts forks it)');
    process.send(envelope, undefined, {}, () => resolve());
  });
}

async function main(): Promise<void> {
  const [bench, name, optsJson] = process.argv.slice(2);
  if (bench === undefined || !isBenchName(bench) || name === undefined || optsJson === undefined) {
    throw new Error(`usage: case-main.ts <bench> <case> <options JSON>, got ${process.argv.slice(2).join(' ')}`);
  }
  const opts = JSON.parse(optsJson) as BenchOptions;
  const load = loaders[bench];
  if (load === undefined) throw new Error(`bench ${bench} has no cases`);
  const mod = await load();
  const fn = mod.cases[name];
  if (fn === undefined) throw new Error(`no case ${name} in bench ${bench}`);

  const inbox = new Inbox();
  process.on('message', (value: unknown) => inbox.push(value));
  const value = await fn(opts, {
    send: (v) => void post({ kind: 'message', value: v }),
    next: () => inbox.next(),
  });
  await post({ kind: 'done', value });
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    const message = err instanceof Error ? `${err.message}` : String(err);
    await post({ kind: 'error', message }).catch(() => undefined);
    process.exit(1);
  },
);

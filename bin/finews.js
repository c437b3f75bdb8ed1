#!/usr/bin/env node
// Entry point of the `finews` command. Runs the compiled CLI (dist/, from `npm run build`)
// when there is one; on a fresh checkout after `npm ci` there is none, so it runs the
// TypeScript sources through tsx (a devDependency that `npm ci` installs) instead.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/src/cli.js', import.meta.url);
const sources = new URL('../src/cli.ts', import.meta.url);

async function run() {
  if (existsSync(fileURLToPath(compiled))) return import(compiled.href);
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    console.error('finews: no build in dist/ and tsx is not installed: run `npm ci` (with dev dependencies), or `npm run build`');
    process.exit(1);
  }
  register();
  return import(sources.href);
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});

#!/usr/bin/env node
// Entry point of the installed `finews` command: runs the compiled CLI.
import('../dist/src/cli.js').catch((err) => {
  console.error(err);
  process.exit(1);
});

#!/usr/bin/env node
// Entry point of the `finews` command (bin/finews.js runs this file, built or through tsx).
import { runAsProcess } from './cli/main.js';

runAsProcess(process.argv.slice(2));

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { checkCommand } from './check.js';
import { demoCommand } from './demo.js';
import { exportJekyllCommand } from './export-jekyll.js';
import { onceCommand } from './once.js';
import { previewCommand } from './preview.js';
import { runDaemon } from './start.js';
import { statusCommand } from './status.js';
import { sourcesDocument } from '../pipeline/source-status.js';
import type { Config } from '../domain.js';
import { isFinewsError } from '../errors.js';
import { resolveOptions, type GlobalFlags, type RuntimeOptions } from '../runtime/options.js';
import { ConfigError, formatIssue, loadConfigOrThrow } from '../config/load.js';
import { compose, sqlitePath } from '../runtime/compose.js';
import type { Store } from '../store/store.js';
import { createLogger, tolerateClosedStdio, type Logger } from '../util/log.js';

/**
 * Every command: flags → options → config → logger → composition → roles. Returns the
 * process exit code.
 */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name('finews')
    .description('Feed aggregator for Chinese financial and industrial news')
    .version(packageVersion(), '-V, --version', 'print the version of finews')
    .option('--config <file>', 'feeds.yaml to use ($FINEWS_CONFIG or ./feeds.yaml)')
    .option('--redis <url>', 'Redis URL for Redis mode ($REDIS_URL; embedded SQLite mode when unset)')
    .option('--data <dir>', 'data directory of embedded mode ($FINEWS_DATA_DIR or ./data)')
    .exitOverride()
    .showHelpAfterError();

  const options = (): RuntimeOptions => resolveOptions(program.opts<GlobalFlags>());
  const logger = (o: RuntimeOptions): Logger => createLogger({ level: o.logLevel ?? 'info' });
  /** Commands whose output is the point log warnings only, unless a level is asked for. */
  const quietLogger = (o: RuntimeOptions): Logger => createLogger({ level: o.logLevel ?? 'warn' });

  program
    .command('start')
    .description('scheduler, workers and HTTP server in one process')
    .action(async () => {
      const o = options();
      exitCode = await withConfig(o, logger(o), (opts, c, log) => runDaemon(opts, c, log, { scheduler: true, workers: true, http: true }));
    });
  program
    .command('worker')
    .description('workers only (Redis mode), for scaling out')
    .action(async () => {
      const o = options();
      if (!o.redisUrl) {
        console.error('finews worker needs Redis: set REDIS_URL or pass --redis URL');
        exitCode = 1;
        return;
      }
      exitCode = await withConfig(o, logger(o), (opts, c, log) => runDaemon(opts, c, log, { scheduler: false, workers: true, http: false }));
    });
  program
    .command('serve')
    .description('HTTP server only, reading the store')
    .action(async () => {
      const o = options();
      exitCode = await withConfig(o, logger(o), (opts, c, log) => runDaemon(opts, c, log, { scheduler: false, workers: false, http: true }));
    });
  program
    .command('once')
    .description('one full pass (feeds, articles, publish), then exit')
    .option('--source <id>', 'only this source')
    .action(async (cmd: { source?: string }) => {
      const o = options();
      exitCode = await withConfig(o, logger(o), (opts, c, log) => onceCommand(opts, c, log, { sourceId: cmd.source, out: process.stdout }));
    });
  program
    .command('check')
    .description('validate feeds.yaml')
    .action(async () => {
      exitCode = await checkCommand(options(), { out: (s) => console.log(s), err: (s) => console.error(s) });
    });
  program
    .command('preview')
    .description('fetch one source once and show its records as mapped; stores nothing')
    .argument('<id>', 'source id')
    .option('--article', "also show the first item's article as it would be stored")
    .option('--json', 'print one JSON document')
    .action(async (id: string, cmd: { article?: boolean; json?: boolean }) => {
      const o = options();
      exitCode = await withConfig(o, quietLogger(o), (_o, c, l) =>
        previewCommand(c, id, { article: cmd.article === true, json: cmd.json === true, out: process.stdout, err: process.stderr }, l),
      );
    });
  program
    .command('status')
    .description('one row per source: state, last fetch, last error, items, next run')
    .option('--json', 'print the /api/sources document')
    .action(async (cmd: { json?: boolean }) => {
      const o = options();
      if (!o.redisUrl && !existsSync(sqlitePath(o.dataDir))) {
        // Opening the store would create an empty database: say what is (not) there instead.
        const config = await loadConfigOrThrow(o.configPath, { defaultSiteUrl: o.defaultSiteUrl }).catch(() => undefined);
        if (cmd.json && config) {
          // Every source pending, as /api/sources would say of an empty store.
          console.log(JSON.stringify(await sourcesDocument(config, { listSourceStates: async () => [] }), null, 2));
          return;
        }
        console.log(`no data yet in ${o.dataDir}: run \`finews start\` or \`finews once\` first${config ? ` (${config.sources.length} sources configured)` : ''}`);
        return;
      }
      exitCode = await withStore(o, (c, store) => statusCommand(c, store, process.stdout, { json: cmd.json === true }));
    });
  program
    .command('demo')
    .description('the daemon on a bundled offline news site, with its own data dir (./data-demo, or --data DIR)')
    .option('--port <n>', 'HTTP port of finews', '8080')
    .option('--news-port <n>', 'HTTP port of the news site (default: --port + 1; 0: any free port)')
    .action(async (cmd: { port: string; newsPort?: string }) => {
      const flags = program.opts<GlobalFlags>();
      const port = portFlag('--port', cmd.port);
      const newsPort = cmd.newsPort === undefined ? undefined : portFlag('--news-port', cmd.newsPort, 0);
      if (port === undefined || (cmd.newsPort !== undefined && newsPort === undefined)) {
        exitCode = 2;
        return;
      }
      const o = options();
      const dataDir = path.resolve(flags.data ?? 'data-demo');
      exitCode = await demoCommand({ port, newsPort, dataDir }, o, quietLogger(o), process.stdout);
    });
  program
    .command('export')
    .description('export stored items')
    .command('jekyll')
    .argument('<dir>', 'Jekyll site directory (posts go to DIR/_posts)')
    .option('--since <date>', 'only items published on or after this date (YYYY-MM-DD, in site.timezone)')
    .action(async (dir: string, cmd: { since?: string }) => {
      exitCode = await withStore(options(), (c, store) => exportJekyllCommand(c, store, dir, { since: cmd.since }));
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err && typeof err === 'object' && 'exitCode' in err && typeof err.exitCode === 'number') return err.exitCode;
    throw err;
  }
  return exitCode;
}

/** The version in package.json, from src/cli/ (tsx) or dist/src/cli/ (built). */
function packageVersion(): string {
  for (const up of ['../..', '../../..']) {
    const file = path.resolve(import.meta.dirname, up, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'finews' && pkg.version) return pkg.version;
  }
  return 'unknown';
}

/** A port number from a flag, or undefined after printing why it is not one. */
function portFlag(flag: string, value: string, min = 1): number | undefined {
  const n = Number(value);
  if (Number.isInteger(n) && n >= min && n <= 65535) return n;
  console.error(`finews demo: ${flag} ${value}: expected a port number ${min}-65535`);
  return undefined;
}

/** Loads the config, printing every issue as file:line:col and returning 1 when invalid. */
async function withConfig(
  o: RuntimeOptions,
  log: Logger,
  run: (o: RuntimeOptions, config: Config, log: Logger) => Promise<number>,
): Promise<number> {
  let config;
  try {
    config = await loadConfigOrThrow(o.configPath, { defaultSiteUrl: o.defaultSiteUrl });
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const issue of err.issues) console.error(formatIssue(issue));
      return 1;
    }
    throw err;
  }
  return run(o, config, log);
}

/** Runs a command that only reads the store (status, export), closing it after. */
async function withStore(o: RuntimeOptions, run: (config: Config, store: Store) => Promise<number>): Promise<number> {
  return withConfig(o, createLogger({ level: o.logLevel ?? 'warn' }), async (opts, config, log) => {
    // Reading needs no queues: in-process jobs, which stay idle.
    const app = await compose({ ...opts, jobs: 'in-process' }, config, log);
    try {
      return await run(config, app.store);
    } finally {
      await app.close();
    }
  });
}

/**
 * Runs `main` as the process: exits with its code, or 1 after printing a failure (a
 * finews error as one line).
 */
export function runAsProcess(argv: string[]): void {
  tolerateClosedStdio();
  main(argv).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(isFinewsError(err) ? `finews: ${err.message}` : err);
      process.exit(1);
    },
  );
}

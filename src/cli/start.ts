import { watchConfig } from '../config/watch.js';
import type { Config } from '../domain.js';
import { startServer } from '../http/server.js';
import { publishAll } from '../pipeline/publish.js';
import { prune } from '../pipeline/prune.js';
import { compose } from '../runtime/compose.js';
import type { RuntimeOptions } from '../runtime/options.js';
import type { Logger } from '../util/log.js';

export interface Roles {
  /** Polls sources on their schedule. */
  scheduler: boolean;
  /** Processes refresh, article and publish work. */
  workers: boolean;
  /** Serves feeds, pages and the API. */
  http: boolean;
}

export interface DaemonHooks {
  /** Called once the HTTP server listens, with its URL. */
  onListening?(url: string): void;
}

const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** Time past the drain deadline after which shutdown stops waiting and exits 1. */
const FORCE_EXIT_GRACE_MS = 3_000;

/**
 * Runs the given roles until SIGINT/SIGTERM (SIGHUP rereads the config), then stops taking work, lets in-flight
 * jobs finish (bounded), closes everything in reverse order and resolves 0.
 */
export async function runDaemon(options: RuntimeOptions, config: Config, log: Logger, roles: Roles, hooks: DaemonHooks = {}): Promise<number> {
  const app = await compose(options, config, log);
  /** Shutdown steps, run in reverse; each gets the time left of the shared drain deadline. */
  const closers: Array<(remainingMs: number) => Promise<void>> = [(remainingMs) => app.close(remainingMs)];
  let onConfig: (c: Config) => Promise<void> = async () => {};
  const { deps } = app;
  // A process that only serves reads what others write: it neither renders nor prunes.
  const writes = roles.workers || roles.scheduler;
  // Made before any publishing here, so every document this process renders reaches it.
  const documents = roles.http ? app.documents() : undefined;

  if (roles.workers) closers.push(await app.startWorkers());
  if (roles.scheduler) {
    const scheduler = await app.startScheduler(config);
    closers.push(scheduler.stop);
    onConfig = (c) => scheduler.sync(c);
    // Render what the store already holds so feeds answer at once after a restart.
    void publishAll(deps).catch((err: unknown) => log.error({ err }, 'initial publish failed'));
    const pruner = setInterval(() => void prune(deps).catch((err: unknown) => log.error({ err }, 'prune failed')), PRUNE_EVERY_MS);
    pruner.unref();
    closers.push(async () => clearInterval(pruner));
  }

  const watcher = watchConfig(options.configPath, {
    log,
    parse: { defaultSiteUrl: options.defaultSiteUrl },
    watch: options.configWatch,
    pollMs: options.configPollMs,
    onChange: (c) => {
      app.setConfig(c);
      log.info({ sources: c.sources.length }, 'config reloaded');
      onConfig(c).catch((err: unknown) => log.error({ err }, 'applying reloaded config failed'));
      if (writes) void publishAll(deps).catch((err: unknown) => log.error({ err }, 'publish after reload failed'));
    },
  });
  // SIGHUP rereads feeds.yaml now, whatever the watch saw; a listener also keeps the
  // signal's default (exit) from killing the daemon.
  const onHangup = (): void => {
    log.info({ signal: 'SIGHUP', path: options.configPath }, 'reloading config');
    watcher.reload();
  };
  process.on('SIGHUP', onHangup);
  closers.push(async () => {
    process.off('SIGHUP', onHangup);
    watcher.close();
  });

  if (roles.http) {
    const server = await startServer(
      {
        config: app.config,
        store: app.store,
        metrics: app.metrics,
        log,
        documents,
        ready: app.ready,
        adminToken: options.adminToken,
        adminPlugin: app.dashboard,
      },
      { host: options.host, port: options.port },
    );
    log.info({ url: server.url, mode: app.mode }, 'finews listening');
    closers.push(() => server.close());
    hooks.onListening?.(server.url);
  }
  log.info({ mode: app.mode, roles, sources: config.sources.length }, 'finews started');
  if (config.site.urlDerived) {
    log.warn({ url: config.site.url }, 'site.url is not set in feeds.yaml: links in feeds, pages and exports point at this address; set site.url to the public URL');
  }

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log.info({ signal }, 'shutting down');
  const deadline = Date.now() + options.drainMs;
  // The deadline holds whatever a closer does; a second signal means "now".
  const force = (why: string): void => {
    log.error({ why }, 'shutdown did not finish; exiting');
    process.exit(1);
  };
  const watchdog = setTimeout(() => force('drain deadline passed'), options.drainMs + FORCE_EXIT_GRACE_MS);
  watchdog.unref();
  const again = (): void => force('second signal');
  process.once('SIGINT', again);
  process.once('SIGTERM', again);
  for (const close of closers.reverse()) {
    await close(Math.max(0, deadline - Date.now())).catch((err: unknown) => log.error({ err }, 'error while shutting down'));
  }
  clearTimeout(watchdog);
  process.off('SIGINT', again);
  process.off('SIGTERM', again);
  log.info('stopped');
  return 0;
}

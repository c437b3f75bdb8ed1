import { watchConfig } from '../config/watch.js';
import type { Config } from '../domain.js';
import { startServer } from '../http/server.js';
import type { PipelineDeps } from '../pipeline/ports.js';
import { publishAll } from '../pipeline/publish.js';
import { prune } from '../pipeline/prune.js';
import { createRedisJobs, startRedisWorkers } from '../queue/redis-runtime.js';
import { syncSchedulers } from '../queue/schedulers.js';
import type { FastifyPluginAsync } from 'fastify';
import { InProcessJobs } from '../runtime/in-process-jobs.js';
import { queueDashboard } from '../runtime/queue-dashboard.js';
import type { RuntimeOptions } from '../runtime/options.js';
import { openRuntime } from '../runtime/runtime.js';
import { startPendingSweep } from '../runtime/pending-sweep.js';
import { SourceScheduler } from '../runtime/source-scheduler.js';
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
/** BullMQ's lock duration; embedded mode sweeps pending work as often. */
const DEFAULT_JOB_LOCK_MS = 30_000;

/**
 * Runs the given roles until SIGINT/SIGTERM (SIGHUP rereads the config), then stops taking work, lets in-flight
 * jobs finish (bounded), closes everything in reverse order and resolves 0.
 */
export async function runDaemon(options: RuntimeOptions, config: Config, log: Logger, roles: Roles, hooks: DaemonHooks = {}): Promise<number> {
  const runtime = await openRuntime(options, config, log);
  /** Shutdown steps, run in reverse; each gets the time left of the shared drain deadline. */
  const closers: Array<(remainingMs: number) => Promise<void>> = [() => runtime.close()];
  let onConfig: (c: Config) => Promise<void> = async () => {};
  let deps: PipelineDeps | undefined;
  let adminPlugin: FastifyPluginAsync | undefined;

  if (runtime.mode === 'redis' && options.redisUrl) {
    const redisJobs = await createRedisJobs({ redisUrl: options.redisUrl, keyPrefix: options.redisPrefix, log });
    closers.push(() => redisJobs.close());
    const pipelineDeps = runtime.pipeline(redisJobs.jobs);
    deps = pipelineDeps;
    adminPlugin = queueDashboard(Object.values(redisJobs.queues));
    if (roles.workers) {
      const workers = await startRedisWorkers(pipelineDeps, {
        redisUrl: options.redisUrl,
        keyPrefix: options.redisPrefix,
        queues: redisJobs.queues,
        lockDurationMs: options.jobLockMs,
        stalledIntervalMs: options.jobLockMs,
      });
      closers.push((remainingMs) => workers.close(remainingMs));
    }
    if (roles.scheduler) {
      await syncSchedulers(redisJobs.queues.refresh, config, log);
      onConfig = async (c) => void (await syncSchedulers(redisJobs.queues.refresh, c, log));
    }
  } else if (roles.workers || roles.scheduler) {
    const jobs = new InProcessJobs();
    const pipelineDeps = runtime.pipeline(jobs);
    jobs.bind(pipelineDeps);
    deps = pipelineDeps;
    const scheduler = new SourceScheduler(pipelineDeps);
    closers.push((remainingMs) => jobs.close(remainingMs));
    closers.push((remainingMs) => scheduler.stop(remainingMs));
    // Article work claimed but never saved (this file's last process died with it) is
    // queued again, whatever the sources answer.
    const sweep = startPendingSweep(pipelineDeps, { everyMs: options.jobLockMs ?? DEFAULT_JOB_LOCK_MS, firstOlderThan: new Date() });
    closers.push(() => sweep.stop());
    await scheduler.sync(config);
    onConfig = (c) => scheduler.sync(c);
  }

  if (deps && roles.scheduler) {
    const d = deps;
    // Render what the store already holds so feeds answer at once after a restart.
    void publishAll(d).catch((err: unknown) => log.error({ err }, 'initial publish failed'));
    const pruner = setInterval(() => void prune(d).catch((err: unknown) => log.error({ err }, 'prune failed')), PRUNE_EVERY_MS);
    pruner.unref();
    closers.push(async () => clearInterval(pruner));
  }

  const watcher = watchConfig(options.configPath, {
    log,
    watch: options.configWatch,
    pollMs: options.configPollMs,
    onChange: (c) => {
      runtime.setConfig(c);
      log.info({ sources: c.sources.length }, 'config reloaded');
      onConfig(c).catch((err: unknown) => log.error({ err }, 'applying reloaded config failed'));
      if (deps) void publishAll(deps).catch((err: unknown) => log.error({ err }, 'publish after reload failed'));
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
        config: runtime.config,
        store: runtime.store,
        metrics: runtime.metrics,
        log,
        ready: runtime.ready,
        adminToken: process.env.ADMIN_TOKEN || undefined,
        adminPlugin,
      },
      { host: options.host, port: options.port },
    );
    log.info({ url: server.url, mode: runtime.mode }, 'finews listening');
    closers.push(() => server.close());
    hooks.onListening?.(server.url);
  }
  log.info({ mode: runtime.mode, roles, sources: config.sources.length }, 'finews started');
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

import { SingleBar, Presets } from 'cli-progress';
import Table from 'cli-table3';
import PQueue from 'p-queue';
import type { Config } from '../domain.js';
import { everyCategory, SOURCES_STATUS, wroteSourceState } from '../pipeline/publish.js';
import { refreshSource, type RefreshOutcome } from '../pipeline/refresh-source.js';
import { compose } from '../runtime/compose.js';
import type { RuntimeOptions } from '../runtime/options.js';
import type { Logger } from '../util/log.js';

export interface OnceOptions {
  sourceId?: string;
  /** Where the progress bar and summary go. */
  out: NodeJS.WriteStream;
  /**
   * Draw a progress bar, holding logs to warnings while it runs so that they do not tear
   * it. Default: when `out` is a TTY and LOG_LEVEL is not set (asking for a level asks
   * for the logs, so then there is no bar).
   */
  progress?: boolean;
}

/**
 * One full pass: every enabled source (or one) is refreshed now, due or not, its new
 * articles processed to completion and the categories published once, at the end (all of
 * them unless every source answered 304, the same bytes, or failed: only the sources table
 * of the home page changed then). Exits 0 even when
 * some sources failed (they show in the summary and in `finews status`), 2 when every
 * source it polled failed, so cron can tell.
 */
export async function onceCommand(options: RuntimeOptions, config: Config, log: Logger, opts: OnceOptions): Promise<number> {
  const sources = config.sources.filter((s) => (opts.sourceId ? s.id === opts.sourceId : s.enabled));
  if (opts.sourceId && sources.length === 0) {
    console.error(`finews once: no source "${opts.sourceId}" in ${options.configPath}`);
    return 2;
  }
  const progress = opts.progress ?? (opts.out.isTTY === true && options.logLevel === undefined);
  // Before the runtime is opened: child loggers take their level from the logger when made.
  const level = log.level;
  if (progress && log.isLevelEnabled('info')) log.level = 'warn';
  // Its work runs here to completion, whatever the store: in-process jobs. Their publishes
  // are held for the end of the pass: each category is rendered once, not every few seconds.
  const app = await compose({ ...options, jobs: 'in-process' }, config, log, { inProcess: { holdPublishes: true } });
  const { deps } = app;
  const bar = progress ? new SingleBar({ format: 'sources {bar} {value}/{total} {sourceId}', stream: opts.out }, Presets.shades_classic) : undefined;
  bar?.start(sources.length, 0, { sourceId: '' });
  try {
    const queue = new PQueue({ concurrency: 4 });
    const outcomes = await Promise.all(
      sources.map((s) =>
        queue.add(
          async () => {
            const outcome = await refreshSource(deps, s.id, { force: true });
            bar?.increment({ sourceId: s.id });
            return outcome;
          },
          { throwOnTimeout: true },
        ),
      ),
    );
    bar?.update({ sourceId: 'articles…' });
    // Rendered with what the pass changed, once its articles are stored: every category
    // when a source read anything (which also picks up config edits, such as titles); a
    // pass that read nothing new changed only the polls themselves, the home page's
    // sources table.
    if (outcomes.some((o) => o.status === 'ok')) await deps.jobs.requestPublish(await everyCategory(deps));
    else if (outcomes.some(wroteSourceState)) await deps.jobs.requestPublish([SOURCES_STATUS]);
    await app.onIdle();
    bar?.stop();
    log.level = level;
    opts.out.write(summaryTable(outcomes) + '\n');
    return outcomes.length > 0 && outcomes.every((o) => o.status === 'error') ? 2 : 0;
  } finally {
    bar?.stop();
    log.level = level;
    await app.close();
  }
}

/** One row per source, then the totals: new items are stored once, duplicates add only a source. */
export function summaryTable(outcomes: RefreshOutcome[]): string {
  const table = new Table({ head: ['source', 'result', 'new', 'duplicates', 'error'], style: { head: [], border: [] } });
  for (const o of outcomes) {
    if (o.status === 'ok') table.push([o.sourceId, 'ok', o.newItems, o.duplicates, '']);
    else if (o.status === 'error') table.push([o.sourceId, 'error', '', '', o.error]);
    else if (o.status === 'skipped') table.push([o.sourceId, 'skipped', '', '', o.reason]);
    else table.push([o.sourceId, 'not modified', 0, '', '']);
  }
  const failed = outcomes.filter((o) => o.status === 'error').length;
  let newItems = 0;
  let duplicates = 0;
  for (const o of outcomes) {
    if (o.status !== 'ok') continue;
    newItems += o.newItems;
    duplicates += o.duplicates;
  }
  return `${table.toString()}\n${outcomes.length} sources, ${failed} failed; ${newItems} new items, ${duplicates} duplicates`;
}

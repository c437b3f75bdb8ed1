import { SingleBar, Presets } from 'cli-progress';
import Table from 'cli-table3';
import PQueue from 'p-queue';
import type { Config } from '../domain.js';
import { publishAll } from '../pipeline/publish.js';
import { refreshSource, type RefreshOutcome } from '../pipeline/refresh-source.js';
import { InProcessJobs } from '../runtime/in-process-jobs.js';
import type { RuntimeOptions } from '../runtime/options.js';
import { openRuntime } from '../runtime/runtime.js';
import type { Logger } from '../util/log.js';

export interface OnceOptions {
  sourceId?: string;
  /** Where the progress bar and summary go. */
  out: NodeJS.WriteStream;
}

/**
 * One full pass: every enabled source (or one) is refreshed now, due or not, its new
 * articles processed to completion and the categories published. Exits 0 even when
 * some sources failed (they show in the summary and in `finews status`), 2 when every
 * source it polled failed, so cron can tell.
 */
export async function onceCommand(options: RuntimeOptions, config: Config, log: Logger, opts: OnceOptions): Promise<number> {
  const sources = config.sources.filter((s) => (opts.sourceId ? s.id === opts.sourceId : s.enabled));
  if (opts.sourceId && sources.length === 0) {
    console.error(`finews once: no source "${opts.sourceId}" in ${options.configPath}`);
    return 2;
  }
  const runtime = await openRuntime(options, config, log);
  const jobs = new InProcessJobs({ publishDebounceMs: 500 });
  const deps = runtime.pipeline(jobs);
  jobs.bind(deps);
  const bar = opts.out.isTTY ? new SingleBar({ format: 'sources {bar} {value}/{total} {sourceId}', stream: opts.out }, Presets.shades_classic) : undefined;
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
    await jobs.onIdle();
    await publishAll(deps);
    bar?.stop();
    opts.out.write(summaryTable(outcomes) + '\n');
    return outcomes.length > 0 && outcomes.every((o) => o.status === 'error') ? 2 : 0;
  } finally {
    bar?.stop();
    await jobs.close();
    await runtime.close();
  }
}

function summaryTable(outcomes: RefreshOutcome[]): string {
  const table = new Table({ head: ['source', 'result', 'new', 'duplicates', 'error'], style: { head: [], border: [] } });
  for (const o of outcomes) {
    if (o.status === 'ok') table.push([o.sourceId, 'ok', o.newItems, o.duplicates, '']);
    else if (o.status === 'error') table.push([o.sourceId, 'error', '', '', o.error]);
    else if (o.status === 'skipped') table.push([o.sourceId, 'skipped', '', '', o.reason]);
    else table.push([o.sourceId, 'not modified', 0, '', '']);
  }
  const failed = outcomes.filter((o) => o.status === 'error').length;
  return `${table.toString()}\n${outcomes.length} sources, ${failed} failed`;
}

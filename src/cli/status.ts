import Table from 'cli-table3';
import type { Config } from '../domain.js';
import { sourceRows } from '../pipeline/source-status.js';
import type { Store } from '../store/store.js';

/** Prints one row per configured source: state, last fetch, last error, items, next run. */
export async function statusCommand(config: Config, store: Store, out: NodeJS.WritableStream): Promise<number> {
  const rows = sourceRows(config, await store.listSourceStates());
  const table = new Table({ head: ['source', 'state', 'last fetch', 'status', 'failures', 'last error', 'items', 'warnings', 'next run'], style: { head: [], border: [] } });
  for (const r of rows) {
    table.push([r.id, r.state, r.lastFetchAt ?? '-', r.lastStatus ?? '-', r.consecutiveFailures, r.lastError ?? '', r.items, r.warningCount, r.nextRunAt ?? '-']);
  }
  out.write(table.toString() + '\n');
  // The reasons, beneath the table: a cell would make it too wide to read.
  for (const r of rows) {
    if (r.warningCount === 0) continue;
    out.write(`${r.id}: ${r.warningCount} ${r.warningCount === 1 ? 'warning' : 'warnings'} in the last poll\n`);
    for (const w of r.warnings) out.write(`  ${w}\n`);
    if (r.warningCount > r.warnings.length) out.write(`  … and ${r.warningCount - r.warnings.length} more\n`);
  }
  return 0;
}

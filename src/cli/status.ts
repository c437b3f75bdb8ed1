import Table from 'cli-table3';
import type { Config, SourceRow } from '../domain.js';
import { readDate } from '../publish/item-date.js';
import { sourcesDocument } from '../pipeline/source-status.js';
import type { Store } from '../store/store.js';
import { fitWidth, textWidth } from '../util/text-width.js';

/** Columns `finews status` fits in: a common terminal, without wrapping. */
export const STATUS_COLUMNS = 100;
/** Widest the source id column gets before ids are shortened. */
const ID_MAX = 20;
/** Narrowest the error column gets (the id column gives way first). */
const ERROR_MIN = 16;
/** Before each line of the table. */
const INDENT = ' ';
/** Between two columns. */
const GAP = '  ';
/** No borders: a table of aligned columns, like `ps` or `kubectl get`. */
const PLAIN = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: GAP,
};

export interface StatusOptions {
  /** Print the `/api/sources` document instead of the table. */
  json?: boolean;
}

/**
 * Prints one row per configured source (state, last fetch, HTTP status, failures, items,
 * warnings, next run, last error), then the errors too long for their row and the first
 * warnings of each source's last poll: every line at most {@link STATUS_COLUMNS} columns, long ids,
 * errors and warnings shortened with '…', times in `site.timezone`. `--json` prints the
 * `/api/sources` document, with everything in full.
 */
export async function statusCommand(config: Config, store: Store, out: NodeJS.WritableStream, opts: StatusOptions = {}): Promise<number> {
  const doc = await sourcesDocument(config, store);
  if (opts.json) {
    out.write(JSON.stringify(doc, null, 2) + '\n');
    return 0;
  }
  out.write(statusText(config.site.timezone, doc.sources));
  return 0;
}

/** The table, then errors and warnings, each line at most {@link STATUS_COLUMNS} wide. */
export function statusText(timezone: string, rows: readonly SourceRow[]): string {
  const when = (iso: string | null): string => {
    const dt = iso === null ? undefined : readDate(iso)?.setZone(timezone);
    return dt?.isValid ? dt.toFormat('MM-dd HH:mm') : '-';
  };
  const head = ['source', 'state', 'last fetch', 'http', 'fails', 'items', 'warn', 'next run', 'last error'];
  const cells = rows.map((r) => [
    oneLine(r.id),
    r.state,
    when(r.lastFetchAt),
    r.lastStatus === null ? '-' : String(r.lastStatus),
    String(r.consecutiveFailures),
    String(r.items),
    String(r.warningCount),
    when(r.nextRunAt),
    oneLine(r.lastError ?? ''),
  ]);
  // Each column as wide as its widest cell; the id and the error share what is left of
  // the line (an indent of one, two spaces between columns), the error the larger part.
  const widths = head.map((h, i) => Math.max(textWidth(h), ...cells.map((c) => textWidth(c[i] ?? ''))));
  const last = head.length - 1;
  const room = STATUS_COLUMNS - INDENT.length - GAP.length * last - widths.slice(1, last).reduce((a, b) => a + b, 0);
  widths[0] = Math.max(textWidth(head[0] ?? ''), Math.min(widths[0] ?? 0, ID_MAX, room - ERROR_MIN));
  widths[last] = Math.max(textWidth(head[last] ?? ''), Math.min(widths[last] ?? 0, room - (widths[0] ?? 0)));
  const table = new Table({ head, colWidths: widths, chars: PLAIN, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 } });
  for (const c of cells) table.push(c.map((text, i) => fitWidth(text, widths[i] ?? 0)));

  const lines = [`times in ${timezone}`, ...table.toString().split('\n').map((l) => (INDENT + l).trimEnd())];
  let shortened = cells.some((c) => textWidth(c[0] ?? '') > (widths[0] ?? 0));
  const errorCut = cells.some((c) => textWidth(c[last] ?? '') > (widths[last] ?? 0));
  const fit = (text: string): string => {
    const line = fitWidth(text, STATUS_COLUMNS);
    if (line !== text) shortened = true;
    return line;
  };
  // Errors the row had to cut, again beneath the table with the whole line for them.
  const failing = errorCut ? rows.filter((r) => r.lastError !== null && textWidth(oneLine(r.lastError)) > (widths[last] ?? 0)) : [];
  if (failing.length > 0) lines.push('', 'last errors:');
  for (const r of failing) lines.push(fit(`  ${oneLine(r.id)}: ${oneLine(r.lastError ?? '')}`));
  for (const r of rows) {
    if (r.warningCount === 0) continue;
    lines.push('', fit(`${oneLine(r.id)}: ${r.warningCount} ${r.warningCount === 1 ? 'warning' : 'warnings'} in the last poll`));
    for (const w of r.warnings) lines.push(fit(`  ${oneLine(w)}`));
    if (r.warningCount > r.warnings.length) lines.push(`  … and ${r.warningCount - r.warnings.length} more`);
  }
  if (shortened) lines.push('', 'shortened with …: `finews status --json` has every id, error and warning in full');
  return lines.join('\n') + '\n';
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

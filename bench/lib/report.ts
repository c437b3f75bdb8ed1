/** Results of the benchmarks and the side-by-side tables they are printed in. */
import Table from 'cli-table3';
import type { LoopResult, MemStats } from './measure.js';
import type { BenchName } from './options.js';

/** One side (ours or the baseline) of a comparison. */
export interface Side {
  /** What ran, e.g. `parseFeed` or `rss-parser parseString`. */
  label: string;
  /** Throughput; absent when the side failed. */
  rate?: number;
  /** Unit of `rate`, e.g. `ops/s`. */
  unit: string;
  /** Extra figures shown under the rate (latency, ms/op). */
  detail?: string;
  mem?: MemStats;
  /** Why this side produced no number; printed as `fails: …`. */
  failed?: string;
  /** What it produced (e.g. `1000 items`), a check that both sides did the same work. */
  output?: string;
}

/** Our code against its baseline on one workload. */
export interface Comparison {
  bench: BenchName;
  scenario: string;
  ours: Side;
  baseline: Side;
}

/** What a loop-timed case sends back: its measurement, or why it could not run. */
export type CaseOutcome = { ok: true; loop: LoopResult; output: string } | { ok: false; error: string; mem?: MemStats };

/** Runs `work` and turns a thrown error into a failed outcome (the failure is the result). */
export async function outcomeOf(work: () => Promise<{ loop: LoopResult; output: string }>): Promise<CaseOutcome> {
  try {
    return { ok: true, ...(await work()) };
  } catch (err) {
    return { ok: false, error: oneLine(err instanceof Error ? err.message : String(err)) };
  }
}

/** A side from a case outcome, with ops/s and ms/op. */
export function sideOf(label: string, outcome: CaseOutcome, unit = 'ops/s', perOp = 'ms/op'): Side {
  if (!outcome.ok) return { label, unit, failed: outcome.error, ...(outcome.mem === undefined ? {} : { mem: outcome.mem }) };
  const { loop } = outcome;
  return { label, unit, rate: loop.opsPerSec, detail: `${fmtMs(loop.msPerOp)} ${perOp} · n=${loop.ops}`, mem: loop.mem, output: outcome.output };
}

function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 70 ? `${line.slice(0, 67)}…` : line;
}

/** 12,345 / 123 / 12.3 / 1.23 — three significant figures, thousands grouped. */
export function fmtNum(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export function fmtMs(ms: number): string {
  return ms >= 100 ? Math.round(ms).toLocaleString('en-US') : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

function fmtMb(mb: number): string {
  return mb >= 100 ? Math.round(mb).toString() : mb.toFixed(1);
}

function signed(mb: number): string {
  return `${mb >= 0 ? '+' : '−'}${fmtMb(Math.abs(mb))}`;
}

function sideCell(s: Side): string {
  const lines = [s.label];
  if (s.failed !== undefined) lines.push(`fails: ${s.failed}`);
  else if (s.rate !== undefined) lines.push(`${fmtNum(s.rate)} ${s.unit}`);
  if (s.detail !== undefined && s.failed === undefined) lines.push(s.detail);
  if (s.output !== undefined && s.failed === undefined) lines.push(s.output);
  return lines.join('\n');
}

function memCell(s: Side): string {
  if (s.mem === undefined) return '—';
  return `peak RSS ${fmtMb(s.mem.rssPeakMb)} MB\nΔRSS ${signed(s.mem.rssDeltaMb)} MB\nΔheap ${signed(s.mem.heapDeltaMb)} MB`;
}

function ratioCell(c: Comparison): string {
  if (c.ours.rate === undefined) return 'ours fails';
  if (c.baseline.rate === undefined) return 'baseline fails';
  const r = c.ours.rate / c.baseline.rate;
  if (r < 0.1) return `1/${fmtNum(1 / r)}`;
  return `${r >= 10 ? fmtNum(r) : r.toFixed(2)}×`;
}

/** The side-by-side table of `rows`: our number beside the baseline's, rates and memory. */
export function renderTable(rows: readonly Comparison[]): string {
  const table = new Table({
    head: ['bench', 'scenario', 'ours', 'baseline', 'ours ÷ base', 'memory: ours', 'memory: baseline'],
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: [12, 26, 28, 28, 10, 19, 19],
  });
  for (const c of rows) {
    table.push([c.bench, c.scenario, sideCell(c.ours), sideCell(c.baseline), ratioCell(c), memCell(c.ours), memCell(c.baseline)]);
  }
  return table.toString();
}

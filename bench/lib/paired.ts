/**
 * Paired measurement of in-process cases on a shared, busy machine: every side runs in a
 * process of its own (see fork.ts), all of them started at once and kept warm, and the
 * parent has them run one short round each in turn — ours, baseline, baseline, ours, … —
 * so that load from elsewhere falls on both sides alike. Each round is timed in CPU time
 * of its process (`process.cpuUsage`: every thread, so the garbage collector's helpers
 * count too), which a descheduled process does not accumulate; the figure reported is the
 * median over rounds. Only one process works at a time: the others wait on their channel.
 */
import type { CaseFn, CaseIpc, CaseProcess } from './fork.js';
import { startCase } from './fork.js';
import { MemorySampler, type MemStats } from './measure.js';
import type { BenchName, BenchOptions } from './options.js';
import type { Side } from './report.js';

/** How many rounds, and how many operations in each. */
export interface RoundPlan {
  /** Untimed operations before the first round (JIT warm-up). */
  warmupOps: number;
  /** Timed rounds per side; the median is reported. */
  rounds: number;
  /** Operations per round. */
  opsPerRound: number;
}

/** What a side reports once it is warm: what it produced, or why it cannot run. */
type Ready = { ok: true; output: string } | { ok: false; error: string };
/** One round's measurement, per operation. */
interface RoundResult {
  cpuMs: number;
  wallMs: number;
}
type Command = { kind: 'round'; ops: number } | { kind: 'stop' };

/**
 * The case side of a paired measurement: runs `first` once (its output is the check that
 * both sides did the same work; a throw is the side's failure), warms up, then runs a round
 * of `op` whenever the parent asks, and finally returns its memory figures.
 */
export function roundsCase(setup: () => Promise<{ op: () => unknown; first: () => Promise<string> }>): CaseFn {
  return async (_opts: BenchOptions, ipc: CaseIpc) => {
    let op: () => unknown;
    try {
      const s = await setup();
      op = s.op;
      const output = await s.first();
      const warmup = ((await ipc.next()) as { warmupOps: number }).warmupOps;
      for (let i = 0; i < warmup; i++) await op();
      ipc.send({ ok: true, output } satisfies Ready);
    } catch (err) {
      ipc.send({ ok: false, error: err instanceof Error ? err.message : String(err) } satisfies Ready);
      return null;
    }
    const sampler = new MemorySampler();
    for (;;) {
      const command = (await ipc.next()) as Command;
      if (command.kind === 'stop') break;
      const cpu0 = process.cpuUsage();
      const wall0 = performance.now();
      for (let i = 0; i < command.ops; i++) {
        const r = op();
        if (r instanceof Promise) await r;
        sampler.sample();
      }
      const cpu = process.cpuUsage(cpu0);
      ipc.send({ cpuMs: (cpu.user + cpu.system) / 1000 / command.ops, wallMs: (performance.now() - wall0) / command.ops } satisfies RoundResult);
    }
    return sampler.stop();
  };
}

/** What one side measured over its rounds. */
export interface PairedResult {
  ready: Ready;
  /** Median CPU ms per operation over the rounds. */
  cpuMs?: number;
  /** Median wall ms per operation over the rounds, for reference. */
  wallMs?: number;
  rounds: number;
  opsPerRound: number;
  mem?: MemStats;
}

/**
 * Starts the cases `names` of `bench` (each a {@link roundsCase}) together and runs their
 * rounds in turn, the order rotating every round so that no side always goes first.
 */
export async function runPaired(bench: BenchName, names: readonly string[], opts: BenchOptions, plan: RoundPlan): Promise<PairedResult[]> {
  const procs: CaseProcess[] = names.map((name) => startCase(bench, name, opts));
  const ready: Ready[] = [];
  // Warmed one after another, so no side warms up while another is being timed.
  for (const p of procs) {
    p.send({ warmupOps: plan.warmupOps });
    ready.push(await p.next<Ready>());
  }
  const samples: RoundResult[][] = names.map(() => []);
  for (let round = 0; round < plan.rounds; round++) {
    for (let k = 0; k < procs.length; k++) {
      // Rotating and, every other round, reversed: ours, base, base, ours, … for two sides.
      const order = round % 2 === 0 ? k : procs.length - 1 - k;
      const i = (order + Math.floor(round / 2)) % procs.length;
      const p = procs[i];
      if (p === undefined || !ready[i]?.ok) continue;
      p.send({ kind: 'round', ops: plan.opsPerRound } satisfies Command);
      samples[i]?.push(await p.next<RoundResult>());
    }
  }
  const results: PairedResult[] = [];
  for (const [i, p] of procs.entries()) {
    const r = ready[i] ?? { ok: false, error: 'no answer' };
    if (r.ok) p.send({ kind: 'stop' } satisfies Command);
    // A side that failed has exited already; it has no memory figures to give.
    const mem = (await p.result<MemStats | null>().catch(() => null)) ?? undefined;
    const s = samples[i] ?? [];
    results.push({
      ready: r,
      rounds: s.length,
      opsPerRound: plan.opsPerRound,
      ...(s.length > 0 ? { cpuMs: median(s.map((x) => x.cpuMs)), wallMs: median(s.map((x) => x.wallMs)) } : {}),
      ...(mem === undefined ? {} : { mem }),
    });
  }
  return results;
}

/** A side of a comparison from a paired result: operations per CPU second, from the median round. */
export function pairedSide(label: string, r: PairedResult, unit: string): Side {
  if (!r.ready.ok) return { label, unit, failed: oneLine(r.ready.error) };
  if (r.cpuMs === undefined) return { label, unit, failed: 'no rounds ran' };
  return {
    label,
    unit,
    rate: 1000 / r.cpuMs,
    detail: `${r.cpuMs.toFixed(2)} CPU ms/op (wall ${(r.wallMs ?? 0).toFixed(1)}) · median of ${r.rounds}×${r.opsPerRound}`,
    output: r.ready.output,
    ...(r.mem === undefined ? {} : { mem: r.mem }),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 70 ? `${line.slice(0, 67)}…` : line;
}

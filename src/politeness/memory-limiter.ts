import type { HostLimiter } from '../pipeline/ports.js';
import { currentRules, type PolitenessSource } from './rules.js';

interface HostState {
  inFlight: number;
  /** Earliest time the next request may start (minimum spacing). */
  nextStartAt: number;
  /** Earliest time any request may start (Retry-After). */
  pausedUntil: number;
  /** Resolvers of the callers waiting for a slot, oldest first. */
  waiters: Array<{ grant: () => void; refuse: (err: Error) => void }>;
  timer: NodeJS.Timeout | undefined;
  timerAt: number;
}

/**
 * Per-host politeness inside one process (embedded mode): at most
 * `perHostConcurrency` requests in flight to a host, request starts at least
 * `minSpacingMs` apart, and `pause` holds a host's next starts. Waiters are served
 * first come, first served per host; waiting is done with one timer per host, never
 * by polling.
 */
export class MemoryHostLimiter implements HostLimiter {
  private readonly hosts = new Map<string, HostState>();
  private closed = false;

  /**
   * @param politeness the rules, or a getter read at every grant so a reloaded config applies at once
   * @param clock milliseconds now; injectable for tests
   */
  constructor(
    private readonly politeness: PolitenessSource,
    private readonly clock: () => number = Date.now,
  ) {}

  async run<T>(host: string, fn: () => Promise<T>): Promise<T> {
    await this.acquire(host);
    try {
      return await fn();
    } finally {
      this.release(host);
    }
  }

  async pause(host: string, ms: number): Promise<void> {
    if (!(ms > 0)) return;
    const state = this.state(host);
    state.pausedUntil = Math.max(state.pausedUntil, this.clock() + ms);
    this.pump(host, state);
  }

  /** Refuses every waiting caller and stops the timers; running requests finish normally. */
  async close(): Promise<void> {
    this.closed = true;
    for (const [host, state] of this.hosts) {
      clearTimeout(state.timer);
      state.timer = undefined;
      for (const w of state.waiters.splice(0)) w.refuse(new Error(`politeness: limiter closed while waiting for ${host}`));
    }
  }

  /** Requests in flight and waiting for `host` (for tests and diagnostics). */
  stats(host: string): { inFlight: number; waiting: number } {
    const state = this.hosts.get(host);
    return { inFlight: state?.inFlight ?? 0, waiting: state?.waiters.length ?? 0 };
  }

  private acquire(host: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`politeness: limiter closed, cannot fetch from ${host}`));
    const state = this.state(host);
    return new Promise<void>((grant, refuse) => {
      state.waiters.push({ grant, refuse });
      this.pump(host, state);
    });
  }

  private release(host: string): void {
    const state = this.hosts.get(host);
    if (!state) return;
    state.inFlight--;
    this.pump(host, state);
  }

  /** Grants as many waiters as the rules allow now, or arms the host's timer for the next grant. */
  private pump(host: string, state: HostState): void {
    const rules = currentRules(this.politeness, host);
    while (state.waiters.length > 0 && state.inFlight < rules.perHostConcurrency) {
      const now = this.clock();
      const startAt = Math.max(state.nextStartAt, state.pausedUntil);
      if (now < startAt) {
        this.arm(host, state, startAt);
        return;
      }
      state.inFlight++;
      state.nextStartAt = now + rules.minSpacingMs;
      state.waiters.shift()?.grant();
    }
    if (state.waiters.length === 0) {
      clearTimeout(state.timer);
      state.timer = undefined;
      this.forgetIfIdle(host, state);
    }
  }

  private arm(host: string, state: HostState, at: number): void {
    if (state.timer !== undefined && state.timerAt === at) return;
    clearTimeout(state.timer);
    state.timerAt = at;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      this.pump(host, state);
    }, Math.max(0, at - this.clock()));
  }

  private forgetIfIdle(host: string, state: HostState): void {
    // Keep the entry while its spacing or pause still matters; otherwise a host seen once
    // would stay in memory for the life of the process.
    if (state.inFlight === 0 && state.waiters.length === 0 && this.clock() >= Math.max(state.nextStartAt, state.pausedUntil)) {
      this.hosts.delete(host);
    }
  }

  private state(host: string): HostState {
    let state = this.hosts.get(host);
    if (!state) {
      state = { inFlight: 0, nextStartAt: 0, pausedUntil: 0, waiters: [], timer: undefined, timerAt: 0 };
      this.hosts.set(host, state);
    }
    return state;
  }
}

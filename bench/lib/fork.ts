/**
 * One process per benchmark case: the parent forks `case-main.ts` with the bench and
 * case names, and the two talk over the IPC channel. A case's peak RSS is then its
 * own, and a baseline never pays for modules only our code loads (or the reverse).
 */
import { fork, type ChildProcess, type Serializable } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchName, BenchOptions } from './options.js';

const CASE_MAIN = fileURLToPath(new URL('./case-main.ts', import.meta.url));

/** The child's side of the channel, handed to every case function. */
export interface CaseIpc {
  /** Sends an interim message to the parent (e.g. a server's URL). */
  send(value: unknown): void;
  /** The next message from the parent. */
  next(): Promise<unknown>;
}

/** A benchmark case; runs in its own process, its return value goes to the parent. */
export type CaseFn = (opts: BenchOptions, ipc: CaseIpc) => Promise<unknown>;

/** Wire format between the two processes. */
export type Envelope = { kind: 'message'; value: unknown } | { kind: 'done'; value: unknown } | { kind: 'error'; message: string };

/** The parent's handle on a running case. */
export interface CaseProcess {
  /** The next interim message of the case. */
  next<T>(): Promise<T>;
  send(value: unknown): void;
  /** What the case returned; rejects when it threw or its process died. */
  result<T>(): Promise<T>;
  /** Ends the case process at once (a case that ran past its time budget). */
  kill(): void;
}

/** Message queue with waiters, used on both ends of the channel. */
export class Inbox {
  private readonly queue: unknown[] = [];
  private readonly waiters: Array<{ resolve(v: unknown): void; reject(e: Error): void }> = [];
  private failure: Error | null = null;

  push(value: unknown): void {
    const w = this.waiters.shift();
    if (w !== undefined) w.resolve(value);
    else this.queue.push(value);
  }

  fail(err: Error): void {
    this.failure = err;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  next(): Promise<unknown> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift());
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }
}

/** Forks the case `bench`/`name`; the child inherits tsx and gets `--expose-gc`. */
export function startCase(bench: BenchName, name: string, opts: BenchOptions): CaseProcess {
  const child: ChildProcess = fork(CASE_MAIN, [bench, name, JSON.stringify(opts)], {
    execArgv: [...process.execArgv, '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const inbox = new Inbox();
  let settle: { resolve(v: unknown): void; reject(e: Error): void } | undefined;
  const done = new Promise<unknown>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Attach a handler now so an early failure is never an unhandled rejection.
  done.catch(() => undefined);

  child.on('message', (message) => {
    const raw = message as Envelope;
    if (raw.kind === 'message') inbox.push(raw.value);
    else if (raw.kind === 'done') settle?.resolve(raw.value);
    else {
      const err = new Error(raw.message);
      inbox.fail(err);
      settle?.reject(err);
    }
  });
  child.on('exit', (code, signal) => {
    const err = new Error(`case ${bench}/${name} exited (code ${String(code)}, signal ${String(signal)}) before reporting`);
    inbox.fail(err);
    settle?.reject(err);
  });
  child.on('error', (err) => {
    inbox.fail(err);
    settle?.reject(err);
  });

  return {
    next: <T>() => inbox.next() as Promise<T>,
    send: (value) => {
      child.send(value as Serializable);
    },
    result: <T>() => done as Promise<T>,
    kill: () => {
      child.kill('SIGKILL');
    },
  };
}

/** Runs a case that needs no conversation and returns what it returned. */
export function runCase<T>(bench: BenchName, name: string, opts: BenchOptions): Promise<T> {
  return startCase(bench, name, opts).result<T>();
}

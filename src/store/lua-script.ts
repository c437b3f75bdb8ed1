import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script run with EVALSHA, falling back to EVAL when the server does not have
 * it cached (first use, restart, SCRIPT FLUSH). Does not touch the client's command
 * table, so the caller's ioredis instance is left as it was handed over.
 */
export class LuaScript {
  readonly name: string;
  readonly source: string;
  private readonly sha: string;

  constructor(name: string, source: string) {
    this.name = name;
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script; `keys` are passed as KEYS (and get the client's keyPrefix), `args` as ARGV. */
  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    // One array, which ioredis flattens: spread into the call, a batch's hundred thousand
    // arguments would overflow the JavaScript stack.
    const keysAndArgs = [...keys, ...args.map(String)];
    try {
      return await redis.evalsha(this.sha, keys.length, keysAndArgs);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.source, keys.length, keysAndArgs);
    }
  }
}

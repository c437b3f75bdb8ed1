import { readFileSync } from 'node:fs';
import path from 'node:path';

/** What the last stage of a Dockerfile (the one that runs finews) sets, as written. */
export interface ImageSpec {
  /** Its `ENV` pairs (`KEY=VALUE`, a value quoted or not), continuation lines joined. */
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  /** The command of its HEALTHCHECK. */
  healthcheck: string;
}

/** The last stage of the Dockerfile at `repoRoot`: its ENV, ENTRYPOINT, CMD and HEALTHCHECK. */
export function imageSpec(repoRoot: string): ImageSpec {
  const text = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8').replace(/\\\r?\n\s*/g, ' ');
  const stage = text.split(/^FROM\s/m).at(-1) ?? '';
  const env: Record<string, string> = {};
  for (const line of stage.split(/\r?\n/)) {
    const m = /^\s*ENV\s+(.*)$/.exec(line);
    if (!m?.[1]) continue;
    for (const pair of m[1].matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
      const [, key = '', raw = ''] = pair;
      env[key] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    }
  }
  const json = (word: string): string[] => JSON.parse(new RegExp(`^${word} (\\[.*\\])$`, 'm').exec(stage)?.[1] ?? '[]') as string[];
  const healthcheck = /^HEALTHCHECK .*? CMD (.*)$/m.exec(stage)?.[1] ?? '';
  return { env, entrypoint: json('ENTRYPOINT'), cmd: json('CMD'), healthcheck };
}

import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
// The project's own eslint.config.js, as `npm test` runs it; each case lints one string.
const eslint = new ESLint({ cwd: root });

/** The messages of no-restricted-imports for `code` placed at `filePath` (relative to the repository). */
async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import rules', () => {
  it('refuse a stage importing the store, queues, HTTP server or runtime', async () => {
    for (const [file, target] of [
      ['src/sources/readers/fake-reader.ts', '../../store/store.js'],
      ['src/articles/fake.ts', '../queue/queues.js'],
      ['src/tagging/fake.ts', '../http/server.js'],
      ['src/identity/fake.ts', '../runtime/runtime.js'],
      ['src/util/fake.ts', '../store/sqlite.js'],
      ['src/fetch/fake.ts', '../store/store.js'],
      ['src/stories/fake.ts', '../store/stories.js'],
    ] as const) {
      const errors = await importErrors(file, `import type { Thing } from '${target}';\nexport type T = Thing;\n`);
      expect(errors, `${file} → ${target}`).toHaveLength(1);
      expect(errors[0]).toContain('stages take what they need as arguments');
    }
  });

  it('refuse a renderer importing the store, even for a type', async () => {
    const errors = await importErrors(
      'src/publish/fake-renderer.ts',
      "import type { RenderedDoc } from '../store/store.js';\nexport type Doc = RenderedDoc;\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('renderers turn items into documents and never touch the store');
  });

  it('refuse a use case importing the runtime, queues or HTTP server, and allow its ports', async () => {
    for (const target of ['../runtime/options.js', '../queue/queues.js', '../http/server.js']) {
      const errors = await importErrors('src/pipeline/fake-use-case.ts', `export { x } from '${target}';\n`);
      expect(errors, target).toEqual([expect.stringContaining('use cases reach the world through their ports')]);
    }
    const allowed = await importErrors(
      'src/pipeline/fake-use-case.ts',
      "import type { Store } from '../store/store.js';\nimport type { Fetcher } from './ports.js';\nexport type P = [Store, Fetcher];\n",
    );
    expect(allowed).toEqual([]);
  });

  it('let adapters and the composition import what they wire', async () => {
    const code = "import type { Store } from '../store/store.js';\nimport type { Jobs } from '../pipeline/ports.js';\nexport type W = [Store, Jobs];\n";
    expect(await importErrors('src/runtime/fake-compose.ts', code)).toEqual([]);
    expect(await importErrors('src/queue/fake-worker.ts', code)).toEqual([]);
    expect(await importErrors('src/http/fake-route.ts', code)).toEqual([]);
  });
});

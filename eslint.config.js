import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Which layer may not import which: stages are plain functions over what
 * they are handed, use cases reach the world only through their ports, renderers turn data
 * into documents without knowing where documents are kept. Each entry: the directories it
 * covers, the top-level `src/` directories they must not import, and why.
 */
const LAYERS = [
  {
    files: ['src/sources/**', 'src/articles/**', 'src/identity/**', 'src/tagging/**', 'src/stories/**', 'src/util/**', 'src/fetch/**'],
    banned: ['store', 'queue', 'http', 'runtime', 'cli'],
    why: 'stages take what they need as arguments: no store, queues, HTTP server or runtime',
  },
  {
    files: ['src/publish/**'],
    banned: ['store', 'queue', 'http', 'runtime', 'cli'],
    why: 'renderers turn items into documents and never touch the store (publishing types live in src/publish)',
  },
  {
    files: ['src/pipeline/**'],
    banned: ['runtime', 'queue', 'http', 'cli'],
    why: 'use cases reach the world through their ports (pipeline/ports.ts), never the runtime, queues or HTTP server',
  },
];

/** A no-restricted-imports rule refusing relative imports of the `banned` directories of src/. */
function layerRule({ banned, why }) {
  return [
    'error',
    { patterns: [{ regex: `^(\\.\\./)+(${banned.join('|')})(/|\\.js$)`, message: why }] },
  ];
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'tests/.output/', 'data/', 'data-demo/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  ...LAYERS.map((layer) => ({ files: layer.files, rules: { 'no-restricted-imports': layerRule(layer) } })),
  {
    files: ['src/cli.ts', 'src/cli/**', 'bench/**', 'tests/**', 'bin/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);

// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The modules that may import node:child_process: the process runner, git's runner (its own process
 * group, hardened config, streamed input), and tests and their fixtures, which script real git
 * repositories to set a scene.
 */
export const CHILD_PROCESS_ALLOWED = [
  'src/sandbox/spawn-capped.ts',
  'src/workspace/run-git.ts',
  '**/*.test.ts',
  '**/__fixtures__/**',
];

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      '.autodev/',
      '.tools/',
      'bench/results/',
      'bench/.cache/',
      'coverage/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Only src/config/ reads process.env: pass config in.',
        },
      ],
    },
  },
  {
    files: ['src/config/**', 'test/**', 'bench/**', '**/*.test.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // One way to start a process: an allow-listed env, capped output, a timeout and the kill of the
    // whole process group are then never forgotten (issue 24, item 12).
    files: ['src/**'],
    ignores: CHILD_PROCESS_ALLOWED,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['node:child_process', 'child_process'].map((name) => ({
            name,
            message:
              'Start processes through spawnCapped/spawnCappedBytes (src/sandbox/spawn-capped.ts), or git through createGitRunner (src/workspace/run-git.ts).',
          })),
        },
      ],
    },
  },
);

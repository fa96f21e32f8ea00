import { tmpdir } from 'node:os';
import { z } from 'zod';
import { AutodevError } from '../../errors.js';
import { spawnCapped } from '../../sandbox/spawn-capped.js';
import { isNonPublicPath } from '../api-surface/public-paths.js';
import { PYTHON_API_SCRIPT } from './api-surface-script.js';
import type { ApiItem, ApiSurfaceExtractor } from '../api-surface/types.js';

const MAX_SOURCE_BYTES = 2 * 1024 * 1024;
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
const TIMEOUT_MS = 20_000;

const replySchema = z.union([
  z.object({ error: z.string() }),
  z.object({ items: z.array(z.object({ name: z.string(), kind: z.string(), signature: z.string() })) }),
]);

/**
 * Public names of a Python module through Python's own `ast`, so the parse is the language's. It
 * runs on the host (parsing only: the module is never imported) isolated from the repository: `-I`
 * ignores PYTHON* variables, the current directory and user site-packages, `-S` skips `site` (no
 * sitecustomize), the cwd is the temp dir, and the environment holds only PATH.
 */
export function createPythonApiSurface(deps: {
  env: Readonly<Record<string, string>>;
  python?: string;
}): ApiSurfaceExtractor {
  const python = deps.python ?? 'python3';
  return {
    language: 'python',
    handles: (file) => /\.pyi?$/.test(file) && !isNonPublicPath(file),
    async extract(source, file, signal) {
      if (Buffer.byteLength(source) > MAX_SOURCE_BYTES) {
        throw new AutodevError(
          'SOURCE_UNPARSABLE',
          `${file} is over ${MAX_SOURCE_BYTES} bytes: its public API is not compared`,
        );
      }
      const stdout = await runPython(python, deps.env, source, file, signal);
      let parsed: z.infer<typeof replySchema>;
      try {
        parsed = replySchema.parse(JSON.parse(stdout));
      } catch (cause) {
        throw new AutodevError(
          'SOURCE_UNPARSABLE',
          `${file}: the Python API reader answered something unexpected`,
          { cause },
        );
      }
      if ('error' in parsed)
        throw new AutodevError('SOURCE_UNPARSABLE', `${file} is not valid Python: ${parsed.error}`);
      return parsed.items satisfies ApiItem[];
    },
  };
}

async function runPython(
  python: string,
  env: Readonly<Record<string, string>>,
  source: string,
  file: string,
  signal?: AbortSignal,
): Promise<string> {
  const result = await spawnCapped({
    argv: [python, '-I', '-S', '-c', PYTHON_API_SCRIPT],
    cwd: tmpdir(),
    env: { PATH: env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
    input: source,
    timeoutMs: TIMEOUT_MS,
    maxOutputBytes: MAX_OUTPUT_BYTES,
    ...(signal === undefined ? {} : { signal }),
  }).catch((cause: unknown) => {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new AutodevError('COMMAND_FAILED', `${python} could not read the public API of ${file}: ${why}`, {
      cause,
    });
  });
  if (result.cancelled)
    throw new AutodevError('TASK_CANCELLED', `reading the public API of ${file} was cancelled`);
  if (result.exitCode === 0 && !result.truncated) return result.stdout;
  const why = result.timedOut
    ? `killed after ${TIMEOUT_MS} ms`
    : result.truncated
      ? `output over ${MAX_OUTPUT_BYTES} bytes`
      : `exit ${result.exitCode}`;
  throw new AutodevError(
    'COMMAND_FAILED',
    `${python} failed reading the public API of ${file}: ${why} ${result.stderr.slice(-2000).trim()}`,
  );
}

import { isNonPublicPath } from '../api-surface/public-paths.js';
import type { ApiSurfaceExtractor } from '../api-surface/types.js';

const EXTENSIONS = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

/**
 * Exported declarations of one TypeScript or JavaScript file, through the compiler's parser (no type
 * checker: a file is read alone, so inferred types are not compared, only what the source writes).
 * The compiler is loaded on the first file it reads: it is ~75 MiB of the server's memory, and most
 * tasks never compare a TypeScript file's public API.
 */
export function createTypescriptApiSurface(): ApiSurfaceExtractor {
  return {
    language: 'typescript',
    handles: (file) => EXTENSIONS.test(file) && !isNonPublicPath(file),
    extract: async (source, file) =>
      (await import('./api-surface-extract.js')).extractTypescript(source, file),
  };
}

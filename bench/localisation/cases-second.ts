import type { ReleasePair } from './fetch.js';

/**
 * The second case set, so that the figure is not tuned to one: bug-fix releases of Python, Rust and Go
 * libraries the first set (npm) and the other benches do not use, fetched with pip, cargo and go.
 * Same rules: consecutive patch releases whose changelog entry names the fix; the answer is the old
 * release's source files the new one changed. Each archive is pinned in pins-second.ts.
 */
export const SECOND_CASES: readonly ReleasePair[] = [];

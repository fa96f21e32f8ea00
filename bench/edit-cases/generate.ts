import { createRandom } from './random.js';
import { makeCases, type EditCase } from './make-cases.js';
import { pickSources } from './sources.js';

/** The benchmark's seed: change it only together with the baseline figures. */
export const EDIT_BENCH_SEED = 20261127;

/** The benchmark's cases: every kind from each of `perLanguage` real files of each language. */
export async function generateEditCases(
  repoDir: string,
  perLanguage = 9,
  seed = EDIT_BENCH_SEED,
): Promise<EditCase[]> {
  const sources = await pickSources(repoDir, perLanguage, seed);
  const random = createRandom(seed + 1);
  return sources.flatMap((source, index) => makeCases(source, random, `${source.language}-${index}`));
}

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Reads an output sample captured from the real tool into ../__fixtures__/. */
export function sample(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../__fixtures__/${name}`, import.meta.url)), 'utf8');
}

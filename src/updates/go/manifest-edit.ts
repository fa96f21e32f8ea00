import { isDeepStrictEqual } from 'node:util';
import { AutodevError } from '../../errors.js';
import { goModLines } from '../../languages/go/dependencies.js';
import type { UpdateCandidate } from '../types.js';
import { isGoRelease } from './declared.js';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function refuse(message: string, name?: string): AutodevError {
  return new AutodevError('UPDATE_EDIT_FAILED', `go.mod: ${message}`, {
    details: { file: 'go.mod', ...(name === undefined ? {} : { name }) },
  });
}

/** Every `require` of go.mod as module path and version, in order. */
function requires(goMod: string): string[][] {
  return goModLines(goMod)
    .filter((l) => l.verb === 'require')
    .map((l) => l.args.slice(0, 2));
}

/**
 * go.mod with only the version of each updated `require` changed, in place: alignment, comments
 * (`// indirect` included), blocks and blank lines stay as they were. The new version must be a
 * release (a registry's answer is untrusted text); the result is parsed again and must differ from
 * the original only in those versions, or the edit is refused rather than guessed.
 */
export function editGoMod(goMod: string, updates: readonly UpdateCandidate[]): string {
  const lines = goMod.split('\n');
  const parsed = goModLines(goMod);
  for (const update of updates) {
    if (!isGoRelease(update.to))
      throw refuse(`${JSON.stringify(update.to)} is not a release version`, update.name);
    const hits = parsed.filter(
      (l) => l.verb === 'require' && l.args[0] === update.name && l.args[1] === update.from,
    );
    const hit = hits[0];
    if (hit === undefined || hits.length !== 1) {
      throw refuse(`cannot find "require ${update.name} ${update.from}" once`, update.name);
    }
    const entry = new RegExp(
      `^(\\s*(?:require\\s+)?(["\`]?)${escapeRegExp(update.name)}\\2\\s+)${escapeRegExp(update.from)}(?=\\s|//|$)`,
    );
    const raw = lines[hit.line - 1] ?? '';
    if (!entry.test(raw))
      throw refuse(`line ${String(hit.line)} is not a plain require of ${update.name}`, update.name);
    lines[hit.line - 1] = raw.replace(entry, (_m, head: string) => `${head}${update.to}`);
  }
  const text = lines.join('\n');
  const expected = requires(goMod).map(([name, version]) => {
    const update = updates.find((u) => u.name === name && u.from === version);
    return [name, update?.to ?? version];
  });
  if (!isDeepStrictEqual(requires(text), expected)) {
    throw refuse('the version edit changed more than the versions');
  }
  return text;
}

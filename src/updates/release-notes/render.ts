import type { UpdateCandidate } from '../types.js';
import { sanitizeNotes } from './sanitize.js';

/** One package's notes in a pull request body, and all packages' together (untrusted text, bounded). */
export const MAX_NOTES_PER_PACKAGE = 4 * 1024;
export const MAX_NOTES_TOTAL = 16 * 1024;

/** The key notes are looked up by: one package of one ecosystem. */
export const notesKey = (u: Pick<UpdateCandidate, 'ecosystem' | 'name'>): string =>
  `${u.ecosystem}\0${u.name}`;

/**
 * The release notes part of an update's description: per package the changelog's sections between
 * the two versions, quoted and sanitised, or "no release notes found". The coding model's repair
 * rounds read the same description, so the notes reach them as well. A package missing from
 * `notes` was not read (the scan reads a group's first few only).
 */
export function releaseNotesSection(
  updates: readonly UpdateCandidate[],
  notes: ReadonlyMap<string, string | undefined>,
): string {
  const parts = ['### Release notes', ''];
  let total = 0;
  for (const u of updates) {
    const title = `\`${u.name.replace(/[`\r\n]/g, ' ').slice(0, 120)}\` ${u.from} → ${u.to}`;
    if (!notes.has(notesKey(u))) {
      parts.push(`${title}: release notes not read (a group's first updates only)`, '');
      continue;
    }
    const text = notes.get(notesKey(u));
    if (text === undefined || text.trim() === '') {
      parts.push(`${title}: no release notes found`, '');
      continue;
    }
    const quoted = sanitizeNotes(text.trim(), Math.min(MAX_NOTES_PER_PACKAGE, MAX_NOTES_TOTAL - total));
    if (total >= MAX_NOTES_TOTAL) {
      parts.push(
        `${title}: release notes left out (${String(MAX_NOTES_TOTAL / 1024)} KiB shown already)`,
        '',
      );
      continue;
    }
    total += quoted.length;
    parts.push(`${title}, from the package's changelog (the publisher's words, quoted):`, '', quoted, '');
  }
  return parts.join('\n').trimEnd();
}

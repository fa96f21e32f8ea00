import { AutodevError } from '../../errors.js';
import { withoutControls } from '../release-notes/sanitize.js';

/**
 * An entry's name as a relative path (a leading `./` dropped). Nothing is ever extracted to disk,
 * but a name that climbs out (`../`), is absolute or holds a NUL is how a hostile archive aims at
 * whatever unpacks it: the archive is refused rather than read around it.
 */
export function checkedEntryPath(name: string): string {
  const path = name.replace(/^(?:\.\/)+/, '');
  const segments = path.split(/[/\\]/);
  if (path.startsWith('/') || path.includes('\0') || /^[A-Za-z]:/.test(path) || segments.includes('..')) {
    throw refused(`entry "${withoutControls(name).slice(0, 200)}" names a path outside the archive`);
  }
  return path;
}

export function refused(reason: string): AutodevError {
  return new AutodevError('ARCHIVE_REFUSED', `package archive refused: ${reason}`);
}

/** Collects a picked file's bytes up to `max`, then ignores the rest (the file is cut, not refused). */
export class CappedText {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly max: number) {}
  get full(): boolean {
    return this.size >= this.max;
  }
  add(chunk: Buffer): void {
    if (this.full) return;
    const room = this.max - this.size;
    const kept = chunk.byteLength > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(kept);
    this.size += kept.byteLength;
  }
  /** The bytes as UTF-8 (a character cut at the end shows as U+FFFD, which is dropped). */
  text(): string {
    return Buffer.concat(this.chunks)
      .toString('utf8')
      .replace(/\uFFFD$/, '');
  }
}

import { describe, expect, it } from 'vitest';
import { suiteRandom } from '../../../test/helpers/seeded-random.js';
import { SEMVER_VERSIONING } from '../semver-versioning.js';
import type { UpdateCandidate } from '../types.js';
import { changelogExcerpt } from './excerpt.js';
import { MAX_NOTES_PER_PACKAGE, MAX_NOTES_TOTAL, notesKey, releaseNotesSection } from './render.js';
import { sanitizeNotes } from './sanitize.js';

describe('release notes (seeded: the seed is printed on failure)', () => {
  const random = suiteRandom();

  /** A changelog of `count` versions, newest first, each with a deeper heading and a bullet naming it. */
  function changelog(versions: readonly string[]): string {
    const styles = [
      (v: string) =>
        `## [${v}](https://example.invalid/compare/${v}) (2024-01-0${String(random.int(9) + 1)})`,
      (v: string) => `# v${v}`,
      (v: string) => `## ${v} / 2020-02-02`,
    ];
    return [
      '# Changelog',
      '',
      ...versions.flatMap((v) => [
        random.pick(styles)(v),
        '',
        '### Features',
        '',
        `* change-of-${v}`,
        '```',
        '## 0.0.1 inside a code block is no heading',
        '```',
        '',
      ]),
    ].join('\n');
  }

  it('keeps exactly the sections after `from` up to `to`, whatever the heading style', () => {
    for (let run = 0; run < 50; run += 1) {
      const count = 3 + random.int(12);
      const versions: string[] = [];
      let [major, minor, patch] = [random.int(3), random.int(5), random.int(5)];
      for (let i = 0; i < count; i += 1) {
        const step = random.int(3);
        if (step === 0) patch += 1;
        else if (step === 1) [minor, patch] = [minor + 1, 0];
        else [major, minor, patch] = [major + 1, 0, 0];
        versions.push(`${String(major)}.${String(minor)}.${String(patch)}`);
      }
      const fromIndex = random.int(count - 1);
      const toIndex = fromIndex + 1 + random.int(count - fromIndex - 1);
      const from = versions[fromIndex] ?? '';
      const to = versions[toIndex] ?? '';
      const excerpt = changelogExcerpt(changelog([...versions].reverse()), from, to, SEMVER_VERSIONING) ?? '';
      versions.forEach((v, i) => {
        const inRange = i > fromIndex && i <= toIndex;
        expect(excerpt.includes(`* change-of-${v}\n`), `${v} in (${from}, ${to}]`).toBe(inRange);
      });
      expect(excerpt).not.toContain('# Changelog');
    }
  });

  it('finds nothing in a file without version headings, or without the versions asked for', () => {
    expect(changelogExcerpt('# Notes\n\nAll good.\n', '1.0.0', '2.0.0', SEMVER_VERSIONING)).toBeUndefined();
    expect(changelogExcerpt('## 0.9.0\n\n* old\n', '1.0.0', '2.0.0', SEMVER_VERSIONING)).toBeUndefined();
    expect(changelogExcerpt('## 2.1\n\n* short\n', '2.0.0', '2.1.0', SEMVER_VERSIONING)).toContain('* short');
  });

  it('leaves no HTML, mention, issue link, image or link target in the notes, and stays within its bound', () => {
    const alphabet = 'ab1 <>@#![]()/:.\n\t\u202e\u0000`';
    for (let run = 0; run < 200; run += 1) {
      const raw = random.from(alphabet, random.int(400));
      const max = 50 + random.int(300);
      const out = sanitizeNotes(raw, max);
      expect(out).not.toMatch(/</);
      expect(out).not.toMatch(/(^|[^\w])@\w/);
      expect(out).not.toMatch(/#\d/);
      expect(out).not.toMatch(/\]\(/);
      expect(out.includes('\u0000') || out.includes('\u202e')).toBe(false);
      // Every line is quoted: nothing in the notes passes as the body's own heading.
      for (const line of out.split('\n')) expect(line.startsWith('>')).toBe(true);
      expect(out.length).toBeLessThanOrEqual(max + '\n> … (cut)'.length);
    }
    expect(
      sanitizeNotes(
        'Thanks @alice for #12! ![x](https://t.invalid/p.png) <img src=x> [docs](https://d.invalid)',
        500,
      ),
    ).toBe(
      '> Thanks @\u200balice for #\u200b12! ![x] (https://t.invalid/p.png) &lt;img src=x> [docs] (https://d.invalid)',
    );
    expect(sanitizeNotes('token ghp_abcdefghijklmnopqrstuvwxyz0123456789', 500)).not.toContain('ghp_abc');
  });

  const update = (name: string): UpdateCandidate => ({
    ecosystem: 'npm',
    name,
    depType: 'prod',
    from: '1.0.0',
    to: '2.0.0',
    type: 'major',
    fromRange: '^1.0.0',
    toRange: '^2.0.0',
    publishedAt: null,
    ageDays: null,
  });

  it('says "no release notes found" where there are none, and bounds each package and the whole', () => {
    const updates = Array.from({ length: 8 }, (_, i) => update(`pkg-${String(i)}`));
    const notes = new Map<string, string | undefined>();
    notes.set(notesKey(update('pkg-0')), undefined);
    updates
      .slice(1, 7)
      .forEach((u) => notes.set(notesKey(u), `## 2.0.0\n${'- line of notes\n'.repeat(1000)}`));
    const section = releaseNotesSection(updates, notes);
    expect(section).toContain('`pkg-0` 1.0.0 → 2.0.0: no release notes found');
    expect(section).toContain('`pkg-7` 1.0.0 → 2.0.0: release notes not read');
    const quoted = section
      .split('\n')
      .filter((l) => l.startsWith('>'))
      .join('\n');
    expect(quoted.length).toBeLessThanOrEqual(MAX_NOTES_TOTAL + 6 * 12);
    expect(section).toContain('release notes left out');
    const first = section.split('`pkg-2`')[0] ?? '';
    expect(first.length).toBeLessThanOrEqual(MAX_NOTES_PER_PACKAGE * 1.2);
  });
});

describe('release notes in reStructuredText and setext changelogs', () => {
  it('keeps the underlined sections after `from` up to `to`, overlines included, a PEP 440 scheme', async () => {
    const { PEP440_VERSIONING } = await import('../python/versioning.js');
    const text = [
      'Changelog',
      '=========',
      '',
      '2.0.0 (2026-01-02)',
      '------------------',
      '',
      '* renamed ``add`` to ``sum``',
      '',
      'Details',
      '~~~~~~~',
      '',
      'more on 2.0',
      '',
      '=====',
      '1.1',
      '=====',
      '',
      '* faster',
      '',
      '1.0.0',
      '-----',
      '',
      '* first',
    ].join('\n');
    const excerpt = changelogExcerpt(text, '1.0.0', '2.0.0', PEP440_VERSIONING) ?? '';
    expect(excerpt).toContain('* renamed ``add`` to ``sum``');
    expect(excerpt).toContain('more on 2.0');
    expect(excerpt).toContain('=====\n1.1\n=====\n\n* faster');
    expect(excerpt).not.toContain('* first');
    expect(excerpt).not.toContain('Changelog');
    expect(changelogExcerpt(text, '1.1', '2.0.0', PEP440_VERSIONING)).not.toContain('faster');
  });
});

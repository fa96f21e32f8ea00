/**
 * Real source files already on this machine (libraries' own code, never committed here), picked by a
 * fixed seed so the benchmark sees the same files on every run of one machine.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRandom, shuffle, type Random } from './random.js';

export type Language = 'typescript' | 'python' | 'go' | 'rust';

export interface SourceFile {
  language: Language;
  /** Where it was read from, for the report. */
  origin: string;
  /** The path the case writes it at in the scratch repository. */
  path: string;
  content: string;
}

interface Root {
  language: Language;
  dir: string;
  ext: string[];
  skip?: RegExp;
}

function roots(repoDir: string): Root[] {
  const home = os.homedir();
  return [
    {
      language: 'typescript',
      dir: path.join(repoDir, 'node_modules'),
      ext: ['.ts', '.js'],
      skip: /\.d\.ts$|\.min\.js$/,
    },
    { language: 'python', dir: '/usr/lib/python3.11', ext: ['.py'], skip: /\/test\// },
    { language: 'go', dir: '/usr/local/go/src', ext: ['.go'], skip: /_test\.go$|\/testdata\// },
    { language: 'rust', dir: path.join(home, '.cargo', 'registry', 'src'), ext: ['.rs'] },
    { language: 'rust', dir: path.join(home, 'go', 'pkg', 'mod'), ext: ['.rs'] },
  ];
}

const MIN_BYTES = 1500;
const MAX_BYTES = 60_000;
const MAX_LISTED = 20_000;

/** Up to `perLanguage` files of each language, chosen by `seed` among the files found. */
export async function pickSources(repoDir: string, perLanguage: number, seed: number): Promise<SourceFile[]> {
  const byLanguage = new Map<Language, string[]>();
  for (const root of roots(repoDir)) {
    const found = await listFiles(root.dir, root.ext, root.skip);
    byLanguage.set(root.language, [...(byLanguage.get(root.language) ?? []), ...found]);
  }
  const picked: SourceFile[] = [];
  for (const [language, files] of byLanguage) {
    const random = createRandom(seed);
    for (const file of shuffle([...files].sort(), random)) {
      if (picked.filter((p) => p.language === language).length >= perLanguage) break;
      const source = await readSource(file, language, random);
      if (source) picked.push(source);
    }
  }
  return picked;
}

async function readSource(file: string, language: Language, random: Random): Promise<SourceFile | undefined> {
  const size = (await stat(file)).size;
  if (size < MIN_BYTES || size > MAX_BYTES) return undefined;
  const content = await readFile(file, 'utf8');
  // Plain LF text only: CRLF, NUL or a missing final newline would test the generator, not the edits.
  if (content.includes('\r') || content.includes('\0') || !content.endsWith('\n')) return undefined;
  const ext = path.extname(file);
  return { language, origin: file, path: `src/f${Math.floor(random() * 1e9)}${ext}`, content };
}

async function listFiles(dir: string, ext: string[], skip: RegExp | undefined): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string): Promise<void> => {
    if (out.length >= MAX_LISTED) return;
    const entries = await readdir(current, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && ext.includes(path.extname(entry.name)) && !skip?.test(full)) out.push(full);
    }
  };
  await walk(dir);
  return out;
}

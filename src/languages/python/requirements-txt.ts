import path from 'node:path';
import { baseName, declare, dirOf } from '../deps/common.js';
import { declareRequirements } from './pep508.js';
import type { DeclaredDependency, ReadAt } from '../deps/types.js';

/**
 * requirements*.txt (and .in) as pip reads them: one requirement a logical line, `-r` includes
 * followed inside the repository, options that change where packages come from reported.
 */
const MAX_INCLUDES = 32;
const SOURCE_OPTIONS = new Map([
  ['-i', '--index-url'],
  ['--index-url', '--index-url'],
  ['--extra-index-url', '--extra-index-url'],
  ['-f', '--find-links'],
  ['--find-links', '--find-links'],
  ['--trusted-host', '--trusted-host'],
]);

export const isRequirementsFile = (file: string): boolean =>
  /^requirements.*\.(txt|in)$/i.test(baseName(file)) ||
  /^requirements\/[^/]+\.(txt|in)$/i.test(file.split('/').slice(-2).join('/'));

/** A requirements file's own name says whether it is for development: requirements-dev.txt, test.txt. */
const devByFileName = (file: string): boolean =>
  /(^|[-_./])(dev|test|tests|lint|docs?|ci)([-_.]|$)/i.test(file);

/** Logical lines of a requirements file: `\` continuations joined, comments (`#` after space) dropped. */
function requirementLines(text: string): string[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '');
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    lines.push((pending + line).trim());
    pending = '';
  }
  lines.push(pending.trim());
  return lines.filter((line) => line !== '');
}

/** `-r file`, `--requirement=file`: the included path, or undefined for another line. */
function includedFile(line: string): string | undefined {
  const m = /^(?:-r|--requirement)(?:\s*=\s*|\s+)(\S+)$/.exec(line) ?? /^-r(\S+)$/.exec(line);
  return m?.[1];
}

export async function parseRequirements(
  file: string,
  text: string,
  side: 'base' | 'head',
  read: ReadAt,
): Promise<Map<string, DeclaredDependency>> {
  const out = new Map<string, DeclaredDependency>();
  const dev = devByFileName(file);
  const seen = new Set([file]);
  const queue: { file: string; text: string }[] = [{ file, text }];
  while (queue.length > 0) {
    const current = queue.shift();
    if (!current) break;
    for (const line of requirementLines(current.text)) {
      const include = includedFile(line);
      if (include !== undefined) {
        // Includes are followed inside the repository only: a path that leaves it, or a URL, is refused.
        const target = path.posix.normalize(path.posix.join(dirOf(current.file), include));
        if (
          path.posix.isAbsolute(include) ||
          target.startsWith('../') ||
          target === '..' ||
          include.includes('://')
        ) {
          throw new Error(
            `${current.file} includes ${JSON.stringify(include)}, which is outside the repository`,
          );
        }
        if (seen.has(target)) continue;
        seen.add(target);
        if (seen.size > MAX_INCLUDES) throw new Error(`${file} includes more than ${MAX_INCLUDES} files`);
        const included = await read(side, target);
        if (included === undefined)
          throw new Error(`${current.file} includes ${target}, which does not exist`);
        queue.push({ file: target, text: included });
        continue;
      }
      if (line.startsWith('-')) {
        const [option = '', value = ''] = line.split(/\s*=\s*|\s+/, 2);
        // -e/--editable names a requirement. Where packages come from is part of what is installed: a
        // new index or link source is reported like a dependency. Other options (-c, --pre) name none.
        if (option === '-e' || option === '--editable')
          declareRequirements(out, [line.slice(option.length).replace(/^\s*=?\s*/, '')], dev);
        else if (SOURCE_OPTIONS.has(option)) declare(out, SOURCE_OPTIONS.get(option) ?? option, value, dev);
        continue;
      }
      // `name==1 --hash=sha256:...`: the hashes pin the file, not the requirement.
      declareRequirements(out, [line.replace(/\s--hash[=\s]\S+/g, '')], dev);
    }
  }
  return out;
}

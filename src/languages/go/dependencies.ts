import { baseName, beside, declare, emptyLockfile, lock } from '../deps/common.js';
import type { DeclaredDependency, EcosystemReader, ParsedLockfile } from '../deps/types.js';

/**
 * go.mod is a line grammar: `verb args` or `verb (` … `)` blocks, `//` comments, tokens that may be
 * quoted. Each line is tokenized on its own; only `require` and `replace` matter here.
 */
export interface GoModLine {
  verb: string;
  args: string[];
  comment: string;
  line: number;
}

function unquote(token: string): string {
  if (token.startsWith('"') && token.endsWith('"') && token.length >= 2) return JSON.parse(token) as string;
  if (token.startsWith('`') && token.endsWith('`') && token.length >= 2) return token.slice(1, -1);
  return token;
}

function tokenize(text: string, line: number): { tokens: string[]; comment: string } {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\r') {
      i += 1;
    } else if (text.startsWith('//', i)) {
      return { tokens, comment: text.slice(i + 2).trim() };
    } else if (c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' && c === '"' ? 2 : 1;
      if (j >= text.length) throw new Error(`line ${line}: unterminated quoted string`);
      tokens.push(unquote(text.slice(i, j + 1)));
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !' \t\r'.includes(text[j] ?? ' ') && !text.startsWith('//', j)) j += 1;
      tokens.push(text.slice(i, j));
      i = j;
    }
  }
  return { tokens, comment: '' };
}

export function goModLines(text: string): GoModLine[] {
  const out: GoModLine[] = [];
  let block: string | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const { tokens, comment } = tokenize(raw, line);
    if (tokens.length === 0) return;
    if (block !== undefined) {
      if (tokens[0] === ')' && tokens.length === 1) block = undefined;
      else out.push({ verb: block, args: tokens, comment, line });
      return;
    }
    const [verb = '', ...args] = tokens;
    if (args.length === 1 && args[0] === '(') block = verb;
    else out.push({ verb, args, comment, line });
  });
  if (block !== undefined) throw new Error(`the ${block} block is not closed`);
  return out;
}

function parseGoMod(text: string): Map<string, DeclaredDependency> {
  const lines = goModLines(text);
  // `replace a => b v` swaps what is fetched: part of the requirement, so changing it is a change.
  const replaced = new Map<string, string>();
  for (const l of lines.filter((x) => x.verb === 'replace')) {
    const arrow = l.args.indexOf('=>');
    const from = l.args[0];
    if (arrow < 1 || from === undefined || arrow === l.args.length - 1) {
      throw new Error(`line ${l.line}: replace needs "module [version] => target [version]"`);
    }
    replaced.set(from, `=> ${l.args.slice(arrow + 1).join(' ')}`);
  }
  const out = new Map<string, DeclaredDependency>();
  for (const l of lines.filter((x) => x.verb === 'require')) {
    const [path, version] = l.args;
    if (path === undefined || version === undefined || l.args.length !== 2) {
      throw new Error(`line ${l.line}: require needs "module version"`);
    }
    const replacement = replaced.get(path);
    const spec = replacement ? `${version} ${replacement}` : version;
    // Go has no development-only modules; `// indirect` marks what only other modules need.
    const indirect = l.comment.split(/[;\s]+/).includes('indirect');
    declare(out, path, spec, false, !indirect);
  }
  return out;
}

/** go.sum: `module version hash` and `module version/go.mod hash`; only the first kind is built. */
function parseGoSum(text: string): ParsedLockfile {
  const out = emptyLockfile();
  text.split('\n').forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === '') return;
    const [module, version, hash] = fields;
    if (module === undefined || version === undefined || hash === undefined || fields.length !== 3) {
      throw new Error(`line ${index + 1}: expected "module version hash"`);
    }
    if (!version.endsWith('/go.mod')) lock(out.packages, module, version);
  });
  return out;
}

export const goReader: EcosystemReader = {
  ecosystem: 'go',
  isManifest: (file) => baseName(file) === 'go.mod',
  isLockfile: (file) => baseName(file) === 'go.sum',
  manifestsBeside: (lockfile) => [beside(lockfile, 'go.mod')],
  parseManifest: (_file, text) => Promise.resolve(parseGoMod(text)),
  parseLockfile: (_file, text) => parseGoSum(text),
};

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hasManifest, linkFailed, readManifest } from './manifest.js';
import type { Linker } from './types.js';
import { workspaceMembers } from './workspace-members.js';

interface GoMod {
  module: string | undefined;
  go: string | undefined;
  requires: Set<string>;
}

/** A go directive's version: what go.work's own go line may hold. */
const GO_VERSION = /^1(?:\.\d+){1,2}$/;

/** The module path, go version and required modules of a go.mod (comments dropped; line by line). */
function parseGoMod(text: string): GoMod {
  const mod: GoMod = { module: undefined, go: undefined, requires: new Set() };
  let inRequire = false;
  for (const raw of text.split('\n')) {
    const comment = raw.indexOf('//');
    const words = (comment >= 0 ? raw.slice(0, comment) : raw).trim().split(/\s+/).filter(Boolean);
    const [first, second] = words;
    if (first === undefined) continue;
    if (inRequire) {
      if (first === ')') inRequire = false;
      else mod.requires.add(first);
    } else if (first === 'module' && second !== undefined) mod.module = second.replace(/^"|"$/g, '');
    else if (first === 'go' && second !== undefined) mod.go = second;
    else if (first === 'require' && second === '(') inRequire = true;
    else if (first === 'require' && second !== undefined) mod.requires.add(second);
  }
  return mod;
}

async function goModOf(dir: string, who: string): Promise<GoMod> {
  const text = await readManifest(dir, 'go.mod');
  if (text === undefined) throw linkFailed(`the ${who} has no go.mod`, { file: 'go.mod' });
  return parseGoMod(text);
}

/** The folders a go.work uses (`use ./a` or a `use ( ... )` block; comments dropped). */
function parseGoWorkUses(text: string): string[] {
  const uses: string[] = [];
  let inUse = false;
  for (const raw of text.split('\n')) {
    const comment = raw.indexOf('//');
    const words = (comment >= 0 ? raw.slice(0, comment) : raw).trim().split(/\s+/).filter(Boolean);
    const [first, second] = words;
    if (first === undefined) continue;
    if (inUse) {
      if (first === ')') inUse = false;
      else uses.push(first.replace(/^"|"$/g, ''));
    } else if (first === 'use' && second === '(') inUse = true;
    else if (first === 'use' && second !== undefined) uses.push(second.replace(/^"|"$/g, ''));
  }
  return uses;
}

interface GoModule {
  /** The module's folder in the library's copy. */
  dir: string;
  mod: GoMod;
}

/**
 * The library's modules the consumer requires. The root module when the consumer requires it;
 * else, for a repository of several modules, those its go.work uses or, without one, every go.mod
 * under the root (testdata and vendor left out, as go leaves them out; the walk bounded).
 */
async function requiredLibraryModules(libraryDir: string, requires: Set<string>): Promise<GoModule[]> {
  const root = parseGoMod((await readManifest(libraryDir, 'go.mod')) ?? '');
  if (root.module !== undefined && requires.has(root.module)) return [{ dir: libraryDir, mod: root }];
  const work = await readManifest(libraryDir, 'go.work');
  const members = await workspaceMembers(libraryDir, {
    include: work === undefined ? ['**'] : parseGoWorkUses(work),
    exclude: ['**/testdata', '**/testdata/**', '**/vendor', '**/vendor/**'],
    manifest: 'go.mod',
    where: work === undefined ? "the library's go.mod files" : 'library go.work use',
  });
  const modules: GoModule[] = [];
  for (const member of members) {
    const mod = parseGoMod((await readManifest(libraryDir, path.posix.join(member, 'go.mod'))) ?? '');
    if (mod.module !== undefined && requires.has(mod.module))
      modules.push({ dir: path.join(libraryDir, member), mod });
  }
  if (modules.length > 0) return modules;
  const names = [root.module, ...(members.length > 0 ? ['its other modules'] : [])].filter(Boolean);
  if (names.length === 0)
    throw linkFailed('the library has no go.mod naming a module, at its root or below', { file: 'go.mod' });
  throw linkFailed(`the consumer's go.mod does not require ${names.join(' or ')}: nothing to link`, {
    library: root.module ?? members.join(', '),
  });
}

/** The newer of two go versions (go.work must be at least every module's). */
function newer(a: string, b: string): string {
  const parts = (v: string) => v.split('.').map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i += 1) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d > 0 ? a : b;
  }
  return a;
}

/**
 * Go: a go.work beside the two copies (never in the consumer's tree) that uses the consumer and
 * the library's module (in a repository of several modules, each one the consumer requires), given
 * by GOWORK to every go command of the build and tests. The library's copy then stands for the
 * required module whatever version go.mod asks for; go.mod and go.sum stay as they are (the
 * workspace's sums go to go.work.sum, beside go.work).
 */
export const goLinker: Linker = {
  id: 'go',
  detect: (consumerDir) => hasManifest(consumerDir, 'go.mod'),
  async link({ consumerDir, libraryDir, scratchDir }) {
    const consumer = await goModOf(consumerDir, 'consumer');
    const modules = await requiredLibraryModules(libraryDir, consumer.requires);
    const versions = [consumer.go, ...modules.map((m) => m.mod.go)].filter(
      (v): v is string => v !== undefined && GO_VERSION.test(v),
    );
    const go = versions.reduce(newer, '1.18');
    const work = path.join(scratchDir, 'go.work');
    const use = [consumerDir, ...modules.map((m) => m.dir)]
      .map((dir) => `\t${JSON.stringify(dir)}\n`)
      .join('');
    await writeFile(work, `go ${go}\n\nuse (\n${use})\n`);
    const library = modules.map((m) => m.mod.module).join(', ');
    return { library, commands: [], env: { GOWORK: work }, buildArgs: [] };
  },
};

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hasManifest, linkFailed, readManifest } from './manifest.js';
import type { Linker } from './types.js';

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
 * Go: a go.work beside the two copies (never in the consumer's tree) that uses both modules, given
 * by GOWORK to every go command of the build and tests. The library's copy then stands for the
 * required module whatever version go.mod asks for; go.mod and go.sum stay as they are (the
 * workspace's sums go to go.work.sum, beside go.work).
 */
export const goLinker: Linker = {
  id: 'go',
  detect: (consumerDir) => hasManifest(consumerDir, 'go.mod'),
  async link({ consumerDir, libraryDir, scratchDir }) {
    const library = await goModOf(libraryDir, 'library');
    const consumer = await goModOf(consumerDir, 'consumer');
    if (library.module === undefined)
      throw linkFailed("the library's go.mod names no module", { file: 'go.mod' });
    if (!consumer.requires.has(library.module)) {
      throw linkFailed(`the consumer's go.mod does not require ${library.module}: nothing to link`, {
        library: library.module,
      });
    }
    const versions = [library.go, consumer.go].filter(
      (v): v is string => v !== undefined && GO_VERSION.test(v),
    );
    const go = versions.reduce(newer, '1.18');
    const work = path.join(scratchDir, 'go.work');
    const use = [consumerDir, libraryDir].map((dir) => `\t${JSON.stringify(dir)}\n`).join('');
    await writeFile(work, `go ${go}\n\nuse (\n${use})\n`);
    return { library: library.module, commands: [], env: { GOWORK: work }, buildArgs: [] };
  },
};

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pythonDeps } from './test-deps.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'autodev-pydeps-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

describe('python build requirements (installed before the project, build isolation off)', () => {
  it('a hatchling project also gets `editables`, which its editable build asks for (corpus: humanize)', async () => {
    const dir = await project({
      'pyproject.toml':
        '[build-system]\nrequires = ["hatch-vcs", "hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "h"\ndynamic = ["version"]\n',
      'src/h/__init__.py': '',
    });
    const deps = await pythonDeps(dir);
    expect(deps.installable).toBe(true);
    expect(deps.buildRequires).toEqual(['hatch-vcs', 'hatchling', 'editables']);
  });

  it('a setup.py project gets setuptools and wheel, nothing for hatchling', async () => {
    const dir = await project({ 'setup.py': 'from setuptools import setup\nsetup(name="s")\n' });
    expect((await pythonDeps(dir)).buildRequires).toEqual(['setuptools', 'wheel']);
  });
});

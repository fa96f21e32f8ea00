import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildRepoMap } from './build-repo-map.js';
import { createTagParser } from './tag-parser.js';
import { warmRepoMap } from './warm-repo-map.js';

let workspace: string;

async function put(relative: string, content: string): Promise<void> {
  const file = path.join(workspace, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

beforeEach(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), 'repomap-warm-'));
  await put('pkg/shapes.py', 'class Shape:\n    def area(self):\n        return width(self)\n');
  await put('pkg/util.py', 'def width(shape):\n    return 1\n');
  await put('README.md', '# not source\n');
});
afterEach(async () => {
  await rm(workspace, { recursive: true, force: true });
});

const task = { taskText: 'Shape.area is wrong', tokenBudget: 1024 };

describe('warmRepoMap', () => {
  it('parses the source files it is given, and the map made after it is the one a cold parser makes', async () => {
    const files = ['pkg/shapes.py', 'pkg/util.py', 'README.md'];
    const controller = new AbortController();
    expect(await warmRepoMap({ workspaceDir: workspace, files, signal: controller.signal })).toBe(2);
    const warm = await buildRepoMap({ workspaceDir: workspace, files, ...task });
    const cold = await buildRepoMap(
      { workspaceDir: workspace, files, ...task },
      { parser: createTagParser({ parseTimeoutMs: 5_000 }) },
    );
    expect(warm).toEqual(cold);
    expect(warm.ranked[0]?.path).toBe('pkg/shapes.py');
  });

  it('sees a file changed after the warm-up as it is now, not as it was warmed', async () => {
    const files = ['pkg/shapes.py', 'pkg/util.py'];
    await warmRepoMap({ workspaceDir: workspace, files, signal: new AbortController().signal });
    await put('pkg/util.py', 'def height(shape):\n    return 2\n');
    const map = await buildRepoMap({ workspaceDir: workspace, files, ...task });
    const util = map.ranked.find((f) => f.path === 'pkg/util.py');
    expect(util?.symbols.map((s) => s.name)).toEqual(['height']);
  });

  it('parses nothing once the task is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      warmRepoMap({ workspaceDir: workspace, files: ['pkg/util.py'], signal: controller.signal }),
    ).rejects.toThrow();
  });
});

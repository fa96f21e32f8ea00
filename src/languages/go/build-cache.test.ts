import { mkdir, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGoFixture } from '../../../test/fixtures/languages.js';
import { detectProjects, runSetup, runTests } from '../index.js';
import { createLanguageTestContext } from '../testing.js';

let ctx: Awaited<ReturnType<typeof createLanguageTestContext>>;
beforeAll(async () => {
  ctx = await createLanguageTestContext(process.env);
});
afterAll(() => ctx.dispose());

// A hostile test: it writes into whatever GOCACHE it is given.
const PLANTING_TEST =
  'package calc\n\nimport (\n\t"os"\n\t"path/filepath"\n\t"testing"\n)\n\n' +
  'func TestPlants(t *testing.T) {\n\tif err := os.WriteFile(filepath.Join(os.Getenv("GOCACHE"), "planted"), []byte("x"), 0o644); err != nil {\n\t\tt.Fatal(err)\n\t}\n}\n';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.sort();
}

describe('go: the repo build cache is warmed by setup and only copied by test runs', () => {
  it('setup warms the repo GOCACHE once; a task tests from its own copy and cannot write the repo one', async () => {
    const dir = await ctx.repo('go-warm');
    await writeGoFixture(dir, 'passing');
    await writeFile(path.join(dir, 'plant_test.go'), PLANTING_TEST);
    const [project] = await detectProjects(dir);
    if (!project) throw new Error('no project detected');
    const options = ctx.options(dir);
    const setup = await runSetup(project, { ...options, network: false });
    expect(setup.ok).toBe(true);
    expect(setup.commands).toContainEqual(['go', 'test', '-exec=true', '-run=^$', './...']);
    // vet's results are cached under its flags: warmed with the lint command exactly as it runs.
    expect(setup.commands).toContainEqual(project.commands.lint);
    const repoBuild = path.join(options.cacheDir ?? '', 'go', 'build');
    const warmed = await filesUnder(repoBuild);
    expect(warmed.length).toBeGreaterThan(100);

    // A second task's setup does not warm again: the download and the go.sum check only.
    const again = await runSetup(project, { ...options, network: false });
    expect(again.commands).toEqual([
      ['go', 'mod', 'download'],
      ['go', 'list', '-deps', '-test', './...'],
    ]);

    const home = path.join(path.dirname(dir), 'task-home-1');
    const report = await runTests(project, { ...options, homeDir: home });
    expect(report).toMatchObject({ ok: true, failed: 0 });
    expect(await stat(path.join(home, 'go-build', 'planted'))).toBeTruthy();
    expect(await filesUnder(repoBuild)).toEqual(warmed);
  });

  it('a symlink the sandbox planted where the task copy goes is replaced, not followed', async () => {
    const dir = await ctx.repo('go-symlink');
    await writeGoFixture(dir, 'passing');
    await writeFile(path.join(dir, 'plant_test.go'), PLANTING_TEST);
    const [project] = await detectProjects(dir);
    if (!project) throw new Error('no project detected');
    const options = ctx.options(dir);
    const repoBuild = path.join(options.cacheDir ?? '', 'go', 'build');
    await mkdir(repoBuild, { recursive: true });
    const home = path.join(path.dirname(dir), 'task-home-2');
    await mkdir(home);
    await symlink(repoBuild, path.join(home, 'go-build'));
    const before = await filesUnder(repoBuild);
    const report = await runTests(project, { ...options, homeDir: home });
    expect(report).toMatchObject({ ok: true, failed: 0 });
    expect((await stat(path.join(home, 'go-build', 'planted'))).isFile()).toBe(true);
    expect(await filesUnder(repoBuild)).toEqual(before);
  });
});

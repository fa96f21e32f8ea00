import { mkdir, readdir, readFile, realpath, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGoFixture } from '../../../test/fixtures/languages.js';
import { detectProjects, runSetup, runTests } from '../index.js';
import { createLanguageTestContext } from '../testing.js';
import type { DetectedProject } from '../types.js';

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

    // Setup may still write the repo cache (its `go list` check caches results); a test run may not.
    const beforeTests = await filesUnder(repoBuild);
    const home = path.join(path.dirname(dir), 'task-home-1');
    const report = await runTests(project, { ...options, homeDir: home });
    expect(report).toMatchObject({ ok: true, failed: 0 });
    expect(await stat(path.join(home, 'go-build', 'planted'))).toBeTruthy();
    expect(await filesUnder(repoBuild)).toEqual(beforeTests);
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

// Enough of the standard library that a warm-up recompiling it would add hundreds of cache entries.
const STD_USER =
  'package calc\n\nimport (\n\t"encoding/json"\n\t"fmt"\n\t"strings"\n)\n\n' +
  'func Show(v any) string {\n\tb, _ := json.Marshal(v)\n\treturn strings.ToUpper(fmt.Sprint(string(b)))\n}\n';

/** Go's cache entries: `<2 hex>/<hash>-a` records one action (a compile, a vet run) by its key. */
const actionEntries = (files: string[]) => files.filter((f) => f.endsWith('-a'));

/** The Go standard-library seed (std-seed.ts): the one folder of data_dir/caches/go-std. */
async function theSeed(seedRoot: string): Promise<string> {
  const versions = (await readdir(seedRoot)).filter((name) => !name.startsWith('.'));
  expect(versions).toHaveLength(1);
  return path.join(seedRoot, versions[0] ?? '');
}

async function goProject(dir: string): Promise<DetectedProject> {
  const [project] = await detectProjects(dir);
  if (!project) throw new Error('no project detected');
  return project;
}

describe('go: a repo build cache starts from the standard-library seed', () => {
  it("a repository's first setup copies the seed, and its warm-up compiles no standard-library package", async () => {
    const dir = await ctx.repo('go-seeded');
    await writeGoFixture(dir, 'passing');
    await writeFile(path.join(dir, 'show.go'), STD_USER);
    const project = await goProject(dir);
    // A repo cache of its own (a sibling of the context's): this repo's first setup, warm-up included.
    const base = ctx.options(dir);
    const options = { ...base, cacheDir: `${base.cacheDir ?? ''}-seeded`, network: false };
    const setup = await runSetup(project, options);
    expect(setup.ok).toBe(true);
    expect(setup.commands).toContainEqual(['go', 'test', '-exec=true', '-run=^$', './...']);

    const seed = await theSeed(path.join(path.dirname(options.cacheDir), 'go-std'));
    expect(await readFile(path.join(seed, 'autodev-go-std-seed'), 'utf8')).toMatch(/^go[\w.+-]+-\w+-\w+\n$/);
    const seeded = actionEntries(await filesUnder(seed));
    expect(seeded.length).toBeGreaterThan(200);
    const repoBuild = path.join(options.cacheDir, 'go', 'build');
    const warmed = new Set(actionEntries(await filesUnder(repoBuild)));
    const missing = seeded.filter((f) => !warmed.has(f));
    expect(missing).toEqual([]);
    // What the warm-up added: the repo's own package, its test and vet runs; not fmt and its deps.
    const seededSet = new Set(seeded);
    const added = [...warmed].filter((f) => !seededSet.has(f));
    expect(added.length).toBeGreaterThan(0);
    expect(added.length).toBeLessThan(40);
  });

  it("a repository's setup can neither see nor write the seed", async () => {
    const first = await ctx.repo('go-seed-first');
    await writeGoFixture(first, 'passing');
    const base = ctx.options(first);
    const setup = await runSetup(await goProject(first), { ...base, network: false });
    expect(setup.ok).toBe(true);
    // By its real path: in a test run, data_dir's seed folder is a link to the run's shared one.
    const seed = await realpath(await theSeed(path.join(path.dirname(base.cacheDir ?? ''), 'go-std')));
    const before = await filesUnder(seed);

    // A configured setup command that tries both, with a repo cache of its own (a first setup).
    const dir = await ctx.repo('go-seed-hostile');
    await writeGoFixture(dir, 'passing');
    const project = await goProject(dir);
    const hostile: DetectedProject = {
      ...project,
      overridden: true,
      commands: { ...project.commands, setup: ['sh', '-c', `ls "${seed}" || touch "${seed}/planted"`] },
    };
    const options = { ...ctx.options(dir), cacheDir: `${base.cacheDir ?? ''}-hostile`, network: false };
    const report = await runSetup(hostile, options);
    expect(report.ok).toBe(false);
    expect(report.outputTail).toMatch(/No such file or directory/);
    expect(await filesUnder(seed)).toEqual(before);
  });
});

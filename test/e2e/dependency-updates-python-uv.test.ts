import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { startLocalPythonIndex, type LocalPythonIndex } from '../helpers/pypiserver.js';
import { createSeededRandom } from '../helpers/seeded-random.js';
import { startE2E, type E2EHarness } from './harness.js';

const exec = promisify(execFile);

interface Group {
  key: string;
  task_id: string;
  updates: { name: string; from: string; to: string; type: string; toRange: string; manifest?: string }[];
}

/**
 * Python repositories locked with uv (issue #22, item 3) against a real index: pypiserver on
 * loopback with wheels published at test time, and the real uv relocking in the sandbox. The machine's
 * pip is configured for the index (PIP_INDEX_URL in the server's environment), as a corporate mirror
 * would be; one repository names the index for uv itself ([[tool.uv.index]]), one names none, so the
 * lock step must be handed pip's index (uv does not read pip's configuration). No model is involved.
 */
describe('uv-locked Python dependency updates through the API, against a local pypiserver', () => {
  let h: E2EHarness;
  /** A server whose machine sets uv's own variable (UV_DEFAULT_INDEX) and no pip index at all. */
  let hUv: E2EHarness;
  let uvIndex: LocalPythonIndex;
  let index: LocalPythonIndex;
  /** The repository's own index: named only in its pyproject.toml, unknown to the machine's pip. */
  let own: LocalPythonIndex;
  const random = createSeededRandom(Number(process.env['AUTODEV_TEST_SEED'] ?? Date.now() % 1_000_000));
  const calc = `tiny-calc-${random.from('abcdefghijklmnopqrstuvwxyz', 6)}`;
  const calcModule = calc.replace(/-/g, '_');

  beforeAll(async () => {
    console.log(`dependency-updates-python-uv seed ${String(random.seed)}`);
    index = await startLocalPythonIndex();
    await index.publish(calc, '1.0.0', 'VERSION = "1.0.0"\n\n\ndef add(a, b):\n    return a + b\n');
    own = await startLocalPythonIndex();
    h = await startE2E(
      { setup_network: true, setup_network_allow: `["${index.hostPort}", "${own.hostPort}"]` },
      { extraEnv: { PIP_INDEX_URL: index.url } },
    );
    uvIndex = await startLocalPythonIndex();
    hUv = await startE2E(
      { setup_network: true, setup_network_allow: `["${uvIndex.hostPort}"]` },
      { extraEnv: { UV_DEFAULT_INDEX: uvIndex.url } },
    );
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await hUv?.close();
    await index?.close();
    await own?.close();
    await uvIndex?.close();
  });

  const pyproject = (uvIndex: string): string =>
    [
      '[project]',
      'name = "app"',
      'version = "0.1.0"',
      'requires-python = ">=3.9"',
      '# what the app needs',
      'dependencies = [',
      `    "${calc}>=1.0.0",  # the adder`,
      ']',
      uvIndex,
    ].join('\n');

  /** uv.lock as the machine's uv writes it against the index (a PATH, a HOME and the index only). */
  async function locked(project: string, from: LocalPythonIndex): Promise<string> {
    const work = await mkdtemp(join(tmpdir(), 'autodev-uv-lock-'));
    try {
      await writeFile(join(work, 'pyproject.toml'), project);
      const env = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: work,
        // Ignored when the project names its own default index, as in the sandbox.
        UV_DEFAULT_INDEX: from === own ? '' : from.url,
        UV_PYTHON_DOWNLOADS: 'never',
        UV_NO_PROGRESS: '1',
      };
      await exec('uv', ['lock', '--quiet'], { cwd: work, env });
      return await readFile(join(work, 'uv.lock'), 'utf8');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  const uvRepo = async (project: string, from: LocalPythonIndex = index, on: E2EHarness = h) =>
    on.newRepo({
      'pyproject.toml': project,
      'uv.lock': await locked(project, from),
      'calc.py': `from ${calcModule} import add\n\n\ndef total(xs):\n    result = 0\n    for x in xs:\n        result = add(result, x)\n    return result\n`,
      'test_calc.py': 'from calc import total\n\n\ndef test_total():\n    assert total([2, 3]) == 5\n',
      // Passes only when the version installed is the one uv.lock holds: the tests ran the update.
      'test_locked.py': [
        'import pathlib',
        'import tomllib',
        `import ${calcModule}`,
        '',
        '',
        'def test_the_locked_version_is_installed():',
        '    lock = tomllib.loads(pathlib.Path("uv.lock").read_text())',
        `    [version] = [p["version"] for p in lock["package"] if p["name"] == "${calc}"]`,
        `    assert ${calcModule}.VERSION == version`,
        '',
      ].join('\n'),
      '.autodev.toml': '[updates]\nminimum_release_age = 0\nrisk = { patch = "low" }\n',
    });

  /** The sha256 of the wheel the index serves for `version`, as uv.lock records it. */
  async function wheelHash(version: string, from: LocalPythonIndex): Promise<string> {
    const wheel = `${calcModule}-${version}-py3-none-any.whl`;
    const response = await fetch(new URL(`/packages/${wheel}`, from.url));
    expect(response.status, wheel).toBe(200);
    return createHash('sha256')
      .update(Buffer.from(await response.arrayBuffer()))
      .digest('hex');
  }

  async function updatedAndMerged(
    repo: Awaited<ReturnType<typeof uvRepo>>,
    project: string,
    from: LocalPythonIndex,
    on: E2EHarness = h,
  ): Promise<void> {
    const lockBefore = (await repo.readFileAt('main', 'uv.lock')) ?? '';
    expect(lockBefore).toContain(`sha256:${await wheelHash('1.0.0', from)}`);
    const { status, body } = await api(on.server.baseUrl, '/api/v1/autodev/updates', {
      method: 'POST',
      body: JSON.stringify({ repo: repo.origin, base_branch: 'main' }),
    });
    expect(status, JSON.stringify(body)).toBe(200);
    const created = (body as { created: Group[] }).created;
    expect(created).toHaveLength(1);
    const group = created[0] as Group;
    expect(group.updates).toMatchObject([
      {
        name: calc,
        from: '1.0.0',
        to: '1.0.1',
        type: 'patch',
        toRange: '>=1.0.1',
        manifest: 'pyproject.toml',
      },
    ]);
    const task = await waitForTerminal(on.server.baseUrl, group.task_id, 240_000);
    expect(task.error).toBeNull();
    expect((task as TaskJson & { risk_tier: string }).risk_tier).toBe('low');
    expect(task.status).toBe('merged');
    const steps = task.steps.map((step) => `${step.phase}:${step.tool}`);
    expect(steps).toContain('implement:dependency_update');
    expect(steps).not.toContain('implement:codegen');
    const lockStep = task.steps.find((step) => step.tool === 'dependency_update');
    expect(lockStep?.output_summary).toMatch(/: pyproject\.toml, uv\.lock$/);
    const verify = task.steps.find((s) => s.phase === 'verify' && s.tool === 'test');
    expect(verify?.output_summary).toMatch(/^passed: python \(\.\): 2 passed, 0 failed/);
    // pyproject: only the specifier moved, its comments and layout kept.
    expect(await repo.readFileAt('main', 'pyproject.toml')).toBe(
      project.replace(`"${calc}>=1.0.0"`, `"${calc}>=1.0.1"`),
    );
    // uv.lock: the new version, its wheel and that wheel's hash from the index; nothing else.
    const hashBefore = await wheelHash('1.0.0', from);
    expect(await repo.readFileAt('main', 'uv.lock')).toBe(
      lockBefore
        .replace(`name = "${calc}"\nversion = "1.0.0"`, `name = "${calc}"\nversion = "1.0.1"`)
        .replace(`${calcModule}-1.0.0-py3-none-any.whl`, `${calcModule}-1.0.1-py3-none-any.whl`)
        .replace(`sha256:${hashBefore}`, `sha256:${await wheelHash('1.0.1', from)}`)
        .replace(`specifier = ">=1.0.0"`, `specifier = ">=1.0.1"`),
    );
  }

  it("a repository naming no index for uv is relocked against pip's index and merged at low", async () => {
    const project = pyproject('');
    const repo = await uvRepo(project);
    // Published after the lock was written, before the scan: the update to find.
    await index.publish(calc, '1.0.1', 'VERSION = "1.0.1"\n\n\ndef add(a, b):\n    return b + a\n');
    await updatedAndMerged(repo, project, index);
  }, 300_000);

  it("a repository naming its own default index for uv is looked up and relocked there, not at pip's", async () => {
    // The machine's index has a newer release of the same name that must not be taken.
    await index.publish(calc, '1.0.2', 'VERSION = "1.0.2"\n\n\ndef add(a, b):\n    return a + b\n');
    await own.publish(calc, '1.0.0', 'VERSION = "1.0.0"\n\n\ndef add(a, b):\n    return a + b\n');
    const project = pyproject(`\n[[tool.uv.index]]\nname = "own"\nurl = "${own.url}"\ndefault = true\n`);
    const repo = await uvRepo(project, own);
    await own.publish(calc, '1.0.1', 'VERSION = "1.0.1"\n\n\ndef add(a, b):\n    return b + a\n');
    expect(await repo.readFileAt('main', 'uv.lock')).toContain(`source = { registry = "${own.url}" }`);
    await updatedAndMerged(repo, project, own);
  }, 300_000);

  it("a machine configured for uv alone (UV_DEFAULT_INDEX, no pip index): looked up, relocked and set up from uv's index", async () => {
    await uvIndex.publish(calc, '1.0.0', 'VERSION = "1.0.0"\n\n\ndef add(a, b):\n    return a + b\n');
    const project = pyproject('');
    const repo = await uvRepo(project, uvIndex, hUv);
    await uvIndex.publish(calc, '1.0.1', 'VERSION = "1.0.1"\n\n\ndef add(a, b):\n    return b + a\n');
    await updatedAndMerged(repo, project, uvIndex, hUv);
  }, 300_000);

  it('a uv project whose metadata only its build backend knows is refused by the scan: uv would run its setup.py in the lock step, which has network', async () => {
    const project = pyproject('')
      .replace('version = "0.1.0"', 'dynamic = ["version"]')
      .replace(
        '[project]',
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n[project]',
      );
    const repo = await h.newRepo({
      'pyproject.toml': project,
      // The lock as the base had it (written by hand: locking it here would run this setup.py).
      'uv.lock': `version = 1\n\n[[package]]\nname = "${calc}"\nversion = "1.0.0"\nsource = { registry = "${index.url}" }\n`,
      'setup.py': 'from setuptools import setup\n\nsetup(version="0.1.0")\n',
      '.autodev.toml': '[updates]\nminimum_release_age = 0\n',
    });
    const tasksBefore = (
      (await api(h.server.baseUrl, '/api/v1/autodev/tasks?limit=200')).body as { tasks: TaskJson[] }
    ).tasks.length;
    const { status, body } = await api(h.server.baseUrl, '/api/v1/autodev/updates', {
      method: 'POST',
      body: JSON.stringify({ repo: repo.origin, base_branch: 'main' }),
    });
    expect(status, JSON.stringify(body)).toBe(422);
    const error = (body as { error?: { code: string; message: string } }).error;
    expect(error?.code).toBe('UPDATE_UNSUPPORTED');
    expect(error?.message).toContain('[project] dynamic = ["version"]');
    const tasksAfter = (
      (await api(h.server.baseUrl, '/api/v1/autodev/tasks?limit=200')).body as { tasks: TaskJson[] }
    ).tasks.length;
    expect(tasksAfter).toBe(tasksBefore);
  });
});

import { execFile } from 'node:child_process';
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
  status: string;
  updates: { name: string; from: string; to: string; type: string; toRange: string; manifest?: string }[];
}
interface ScanBody {
  created: Group[];
  skipped: { ecosystem: string; name: string; from: string; to: string; reason: string }[];
  error?: { code: string; message: string };
}

/**
 * Python dependency updates (issue #22) against a real index: pypiserver on loopback, started here,
 * with wheels published at test time. The repositories' requirements name it with `--index-url`;
 * autodev reaches it because setup_network_allow names its address. No model is involved.
 */
describe('Python dependency updates through the API, against a local pypiserver', () => {
  let h: E2EHarness;
  let index: LocalPythonIndex;
  // Package names vary per run (seeded; the seed is printed) so nothing could come from a cache.
  const random = createSeededRandom(Number(process.env['AUTODEV_TEST_SEED'] ?? Date.now() % 1_000_000));
  const calc = `tiny-calc-${random.from('abcdefghijklmnopqrstuvwxyz', 6)}`;
  const calcModule = calc.replace(/-/g, '_');

  beforeAll(async () => {
    console.log(`dependency-updates-python seed ${String(random.seed)}`);
    index = await startLocalPythonIndex();
    await index.publish(calc, '1.0.0', 'VERSION = "1.0.0"\n\n\ndef add(a, b):\n    return a + b\n');
    h = await startE2E({ setup_network: true, setup_network_allow: `["${index.hostPort}"]` });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await index?.close();
  });

  async function scan(repo: string): Promise<{ status: number; body: ScanBody }> {
    const { status, body } = await api(h.server.baseUrl, '/api/v1/autodev/updates', {
      method: 'POST',
      body: JSON.stringify({ repo, base_branch: 'main' }),
    });
    return { status, body: body as ScanBody };
  }

  const requirements = (): string =>
    `# the app's pins\n--index-url ${index.url}\n${calc}==1.0.0  # the adder\n`;
  const pythonRepo = (autodevToml: string) =>
    h.newRepo({
      'requirements.txt': requirements(),
      'requirements-dev.txt': '-r requirements.txt\n',
      'calc.py': `from ${calcModule} import add\n\n\ndef total(xs):\n    result = 0\n    for x in xs:\n        result = add(result, x)\n    return result\n`,
      'test_calc.py': 'from calc import total\n\n\ndef test_total():\n    assert total([2, 3]) == 5\n',
      // Passes only when the version installed is the one pinned: the tests ran against the update.
      'test_pinned.py': [
        'import pathlib',
        `import ${calcModule}`,
        '',
        '',
        'def test_the_pinned_version_is_installed():',
        `    pin = pathlib.Path("requirements.txt").read_text().split("${calc}==")[1].split()[0]`,
        `    assert ${calcModule}.VERSION == pin`,
        '',
      ].join('\n'),
      '.autodev.toml': autodevToml,
    });

  /** requirements.in compiled by pip-tools against the index as it is now (only a PATH and a HOME: no pip config). */
  async function compiled(input: string): Promise<string> {
    const work = await mkdtemp(join(tmpdir(), 'autodev-pip-compile-'));
    try {
      await writeFile(join(work, 'requirements.in'), input);
      await exec(
        'python3',
        ['-m', 'piptools', 'compile', '--quiet', '--output-file', 'requirements.txt', 'requirements.in'],
        { cwd: work, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work } },
      );
      return await readFile(join(work, 'requirements.txt'), 'utf8');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  let patchRepo: Awaited<ReturnType<typeof pythonRepo>>;
  let pipToolsRepo: Awaited<ReturnType<typeof pythonRepo>>;
  let pipToolsLock = '';
  it('a version of unknown age is too young: pypiserver serves PEP 503 pages, which carry no upload time', async () => {
    const youngRepo = await pythonRepo('[updates]\nminimum_release_age = 2\n');
    patchRepo = await pythonRepo('[updates]\nminimum_release_age = 0\nrisk = { patch = "low" }\n');
    pipToolsLock = await compiled(`--index-url ${index.url}\n${calc}\n`);
    pipToolsRepo = await h.newRepo({
      'requirements.in': `--index-url ${index.url}\n${calc}\n`,
      'requirements.txt': pipToolsLock,
      'calc.py': `from ${calcModule} import add\n\n\ndef total(xs):\n    return add(*xs)\n`,
      'test_calc.py': 'from calc import total\n\n\ndef test_total():\n    assert total([2, 3]) == 5\n',
      '.autodev.toml': '[updates]\nminimum_release_age = 0\nrisk = { patch = "low" }\n',
    });
    await index.publish(
      calc,
      '1.0.1',
      'VERSION = "1.0.1"\n\n\ndef add(a, b):\n    return b + a\n\n\ndef mul(a, b):\n    return a * b\n',
      `# ${calc}\n\n## 1.0.1\n\n- new: mul, thanks @bob\n\n## 1.0.0\n\n- first\n`,
    );
    const { status, body } = await scan(youngRepo.origin);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.created).toEqual([]);
    expect(body.skipped).toEqual([
      { ecosystem: 'python', name: calc, from: '1.0.0', to: '1.0.1', reason: 'too_young' },
    ]);
  });

  it('a patch update is opened, installed, tested and merged at low; only the pin changes', async () => {
    const { status, body } = await scan(patchRepo.origin);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.created).toHaveLength(1);
    const group = body.created[0] as Group;
    expect(group.key).toBe(`python-${calc}`);
    expect(group.updates).toMatchObject([
      {
        name: calc,
        from: '1.0.0',
        to: '1.0.1',
        type: 'patch',
        toRange: '==1.0.1',
        manifest: 'requirements.txt',
      },
    ]);
    const task = await waitForTerminal(h.server.baseUrl, group.task_id, 240_000);
    expect(task.error).toBeNull();
    expect((task as TaskJson & { risk_tier: string }).risk_tier).toBe('low');
    expect(task.status).toBe('merged');
    const steps = task.steps.map((s) => `${s.phase}:${s.tool}`);
    expect(steps).toContain('implement:dependency_update');
    // The new version reaches the tests by the project's setup run on the edited pins.
    expect(steps.indexOf('implement:setup')).toBeGreaterThan(steps.indexOf('implement:dependency_update'));
    expect(steps).not.toContain('implement:codegen');
    const verify = task.steps.find((s) => s.phase === 'verify' && s.tool === 'test');
    expect(verify?.output_summary).toMatch(/^passed: python \(\.\): 2 passed, 0 failed/);
    expect(await patchRepo.readFileAt('main', 'requirements.txt')).toBe(
      requirements().replace(`${calc}==1.0.0`, `${calc}==1.0.1`),
    );
    expect(await patchRepo.readFileAt('main', 'requirements-dev.txt')).toBe('-r requirements.txt\n');
    // The pull request body: the wheel's description as release notes (1.0.1's section only,
    // sanitised) and its public API read from both wheels' modules: mul is new, nothing removed.
    const trail = (await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/events`)).body as {
      events: { type: string; data: Record<string, unknown> }[];
    };
    const prBody = String(trail.events.find((e) => e.type === 'pr.opened')?.data.body);
    expect(prBody).toContain(
      `\`${calc}\` 1.0.0 → 1.0.1, from the package's changelog (the publisher's words, quoted):\n\n> ## 1.0.1\n>\n> - new: mul, thanks @\u200bbob`,
    );
    expect(prBody).not.toContain('- first');
    const apiStart = prBody.indexOf('### Public API changes');
    const apiDiff = prBody.slice(apiStart, prBody.indexOf('\n#', apiStart + 1));
    expect(apiDiff).toMatch(new RegExp(`^\\+ ${calcModule}/__init__\\.py: .*\\bmul\\(a, b\\)`, 'm'));
    expect(apiDiff).not.toMatch(/^- /m);
  }, 300_000);

  it('pip-tools: requirements.in is left as it is and requirements.txt is recompiled with the new pin', async () => {
    expect(pipToolsLock).toContain(`${calc}==1.0.0`);
    const { status, body } = await scan(pipToolsRepo.origin);
    expect(status, JSON.stringify(body)).toBe(200);
    const group = body.created[0] as Group;
    expect(group.updates).toMatchObject([
      { name: calc, from: '1.0.0', to: '1.0.1', type: 'patch', toRange: '', manifest: 'requirements.in' },
    ]);
    const task = await waitForTerminal(h.server.baseUrl, group.task_id, 240_000);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    expect(await pipToolsRepo.readFileAt('main', 'requirements.in')).toBe(
      `--index-url ${index.url}\n${calc}\n`,
    );
    expect(await pipToolsRepo.readFileAt('main', 'requirements.txt')).toBe(
      pipToolsLock.replace(`${calc}==1.0.0`, `${calc}==1.0.1`),
    );
  }, 300_000);

  it('an index that is down fails the scan with a clear Python error, and no task is made', async () => {
    const tasksBefore = (
      (await api(h.server.baseUrl, '/api/v1/autodev/tasks?limit=200')).body as { tasks: TaskJson[] }
    ).tasks.length;
    await index.stop();
    try {
      const { status, body } = await scan(patchRepo.origin);
      expect(status).toBe(502);
      expect(body.error?.code).toBe('UPDATE_REGISTRY_UNREACHABLE');
      expect(body.error?.message).toBe(
        `python index ${index.url} could not be read for ${calc}: ECONNREFUSED`,
      );
      const tasksAfter = (
        (await api(h.server.baseUrl, '/api/v1/autodev/tasks?limit=200')).body as { tasks: TaskJson[] }
      ).tasks.length;
      expect(tasksAfter).toBe(tasksBefore);
    } finally {
      await index.start();
    }
  });
});

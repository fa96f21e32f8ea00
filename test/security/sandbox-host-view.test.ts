import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgentTool } from '../../src/agent/run-agent-tool.js';
import { createBubblewrapSandbox } from '../../src/sandbox/bubblewrap.js';
import { buildSandboxEnv } from '../../src/sandbox/env.js';
import { toolchainDirs } from '../../src/sandbox/host-view.js';
import { createAgentToolbox } from '../../src/tools/agent-toolbox.js';
import type { ToolContext } from '../../src/tools/types.js';
import { failure } from '../helpers/failure.js';
import { suiteRandom } from '../helpers/seeded-random.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

const SYSTEM_TOP = [
  'bin',
  'dev',
  'etc',
  'lib',
  'lib32',
  'lib64',
  'libx32',
  'proc',
  'sbin',
  'sys',
  'tmp',
  'usr',
];
const ETC_ALLOWED = new Set([
  ...['resolv.conf', 'hosts', 'host.conf', 'nsswitch.conf', 'gai.conf', 'services', 'protocols', 'networks'],
  ...[
    'ssl',
    'ca-certificates',
    'ca-certificates.conf',
    'pki',
    'crypto-policies',
    'ld.so.cache',
    'ld.so.conf',
  ],
  ...['ld.so.conf.d', 'alternatives', 'localtime', 'timezone', 'locale.alias', 'os-release', 'lsb-release'],
  ...['debian_version', 'mime.types', 'magic', 'magic.mime', 'inputrc', 'shells', 'terminfo', 'perl'],
  ...['pip.conf', 'npmrc', 'passwd', 'group', 'mtab'],
]);

/**
 * Issue #27 item 6 and #24 item 4: what a command (and so the model's `run`) reads of the host is
 * what commands need, nothing else: no other project, no HOME, no host network interfaces.
 */
describe('the sandbox shows only what commands need', () => {
  let workspace: string;
  const sandbox = createBubblewrapSandbox({ hostEnv: process.env });
  const sh = (script: string, network = false) =>
    sandbox.run({ argv: ['sh', '-c', script], cwd: workspace, timeoutMs: 60_000, network });
  /** Top-level folders the toolchains in use live under (/root for ~/.cargo, /opt for /opt/node). */
  const toolchainTops = (): string[] => {
    const env = buildSandboxEnv({
      hostEnv: process.env,
      home: '/nonexistent',
      inheritToolchains: true,
      network: false,
    });
    return toolchainDirs(env, process.env.HOME).map((dir) => dir.split('/')[1] ?? '');
  };

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'autodev-view-'));
  });
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it('lists only system folders, toolchains and its own mounts at /, and only allow-listed files in /etc', async () => {
    const result = await sh('ls -A /; echo ---; ls -A /etc');
    expect(result.exitCode).toBe(0);
    const [root = '', etc = ''] = result.stdout.split('---\n');
    const allowed = new Set([...SYSTEM_TOP, ...toolchainTops(), workspace.split('/')[1] ?? '']);
    const shown = root.split('\n').filter((name) => name !== '');
    expect(shown.filter((name) => !allowed.has(name))).toEqual([]);
    const etcShown = etc.split('\n').filter((name) => name !== '' && !/^python3(\.\d+)?$/.test(name));
    expect(etcShown.filter((name) => !ETC_ALLOWED.has(name))).toEqual([]);
    // The system git config (credential helpers), shadow and ssh keys of the host are not there.
    for (const name of ['gitconfig', 'shadow', 'ssh', 'sudoers']) expect(etcShown).not.toContain(name);
  });

  it('shows of /home, /work, /opt, /srv, /var and the HOME only the way to a toolchain in use', async () => {
    const env = buildSandboxEnv({
      hostEnv: process.env,
      home: '/nonexistent',
      inheritToolchains: true,
      network: false,
    });
    const dirs = toolchainDirs(env, process.env.HOME);
    /** The names under `dir` that lead to a toolchain folder: all a listing of `dir` may show. */
    const onTheWay = (dir: string) =>
      new Set(dirs.filter((t) => t.startsWith(`${dir}/`)).map((t) => t.slice(dir.length + 1).split('/')[0]));
    const home = process.env.HOME ?? '/root';
    for (const dir of ['/home', '/work', '/opt', '/srv', '/var', '/mnt', home]) {
      const listed = await sandbox.run({
        argv: ['sh', '-c', 'ls -A "$1" 2>/dev/null || true', 'sh', dir],
        cwd: workspace,
        timeoutMs: 60_000,
      });
      const shown = listed.stdout.split('\n').filter((name) => name !== '');
      const allowed = onTheWay(dir);
      expect({ dir, extra: shown.filter((name) => !allowed.has(name)) }).toEqual({ dir, extra: [] });
      for (const name of ['.ssh', '.gitconfig', '.npmrc', '.bash_history', '.config'])
        expect(shown).not.toContain(name);
    }
  });

  it('shows no host network interface: no /sys/class/net, and only loopback without network', async () => {
    for (const network of [false, true]) {
      const result = await sh('ls /sys/class/net 2>&1; ls /sys', network);
      expect(result.stdout).toContain('No such file or directory');
      expect(result.stdout).not.toMatch(/\b(eth|ens|enp|wl|docker|veth)\w*/);
    }
    const offline = await sh('cat /proc/net/dev');
    const interfaces = offline.stdout
      .split('\n')
      .slice(2)
      .map((line) => line.split(':')[0]?.trim())
      .filter((name) => name !== undefined && name !== '');
    expect(interfaces).toEqual(['lo']);
  });
});

describe("the model's run tool cannot read a file planted on the host", () => {
  let runtime: TestRuntime;
  let ctx: ToolContext;
  const planted: string[] = [];
  const marker = `HOST_ONLY_${suiteRandom().from('abcdefghijklmnopqrstuvwxyz0123456789', 11)}`;

  beforeAll(async () => {
    runtime = await startTestRuntime();
    const workspaceDir = join(runtime.dataDir, 'ws');
    await mkdir(workspaceDir, { recursive: true });
    ctx = {
      workspaceDir,
      signal: new AbortController().signal,
      log: runtime.runtime.log,
      services: runtime.runtime.services,
      onOutput: () => undefined,
      onModelCall: () => undefined,
    };
    for (const dir of ['/srv', '/var/tmp', '/opt']) {
      if (!existsSync(dir)) continue;
      const file = join(await mkdtemp(join(dir, 'autodev-plant-')), 'other-project.txt');
      await writeFile(file, `${marker}\n`);
      planted.push(file);
    }
  });
  afterAll(async () => {
    for (const file of planted) await rm(join(file, '..'), { recursive: true, force: true });
    await runtime.close();
  });

  it('gets "No such file" for each planted file, and never its content', async () => {
    expect(planted.length).toBeGreaterThan(0);
    const toolbox = createAgentToolbox(runtime.runtime.tools.list(), ctx);
    for (const file of planted) {
      const outcome = await runAgentTool(
        { id: 'read', name: 'run', arguments: { command: `cat ${file}; ls ${join(file, '..')}` } },
        toolbox,
      );
      expect(outcome.content).not.toContain(marker);
      expect(outcome.content).toContain('No such file or directory');
    }
  });
});

/**
 * Issue #25 item 15, #27 item 11: a committed link to `/` made the test runner walk the host until
 * the timeout. Setup, build, test and lint refuse a workspace with links that leave it, naming them.
 */
describe('links that leave the workspace are refused before any command runs', () => {
  let runtime: TestRuntime;
  let ctx: ToolContext;
  let workspaceDir: string;

  beforeAll(async () => {
    runtime = await startTestRuntime();
    workspaceDir = join(runtime.dataDir, 'linked');
    await mkdir(join(workspaceDir, 'src'), { recursive: true });
    await writeFile(join(workspaceDir, 'src', 'calc.py'), 'def add(a, b):\n    return a + b\n');
    await writeFile(
      join(workspaceDir, 'test_calc.py'),
      'import sys\nsys.path.insert(0, "src")\nfrom calc import add\n\ndef test_add():\n    assert add(1, 2) == 3\n',
    );
    // A link inside the repository is fine; the two others lead out of it.
    await symlink('src', join(workspaceDir, 'alias'));
    await symlink('/', join(workspaceDir, 'hostroot'));
    await symlink('../..', join(workspaceDir, 'src', 'up'));
    ctx = {
      workspaceDir,
      signal: new AbortController().signal,
      log: runtime.runtime.log,
      services: runtime.runtime.services,
      onOutput: () => undefined,
      onModelCall: () => undefined,
    };
  });
  afterAll(async () => {
    await runtime.close();
  });

  it('refuses test, lint, build and setup with WORKSPACE_ESCAPE naming each link, then runs once they are gone', async () => {
    for (const tool of ['test', 'lint', 'build', 'setup']) {
      const error = await failure(runtime.runtime.tools.get(tool).run({}, ctx));
      expect({ tool, code: error.code }).toEqual({ tool, code: 'WORKSPACE_ESCAPE' });
      expect(error.message).toContain('hostroot -> /');
      expect(error.message).toContain('src/up -> ../..');
      expect(error.message).not.toContain('alias');
    }
    await rm(join(workspaceDir, 'hostroot'));
    await rm(join(workspaceDir, 'src', 'up'));
    const { output } = await runtime.runtime.tools.get('test').run({}, ctx);
    expect(output).toMatchObject({ ok: true, summary: expect.stringContaining('1 passed') as unknown });
  });
});

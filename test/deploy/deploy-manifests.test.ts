import { execFile } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig, type AutodevConfig } from '../../src/config/index.js';
import { runCli } from '../helpers/cli-process.js';

const DEPLOY = resolve(import.meta.dirname, '../../deploy');
const SYSTEMD = join(DEPLOY, 'systemd');
const K8S_FILE = join(DEPLOY, 'k8s/autodev.yaml');
const STORE_URL = 'postgres://autodev:not-a-real-password@db.internal:5432/autodev';
/** How long a worker drains on SIGTERM before it hands its run back (src/cli/worker.ts). */
const WORKER_DRAIN_SECS = 20;

const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((d) => rm(d, { recursive: true, force: true })));
});
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** autodev's own loader over TOML text, with the store URL a Secret or an env file would give. */
function loadConfigText(text: string): AutodevConfig {
  const file = join(tempDir('autodev-deploy-cfg-'), 'autodev.toml');
  writeFileSync(file, text);
  return loadConfig({ file, env: { AUTODEV_STORE_URL: STORE_URL } });
}

/** The environment variables a config names for its secrets: what the process must be given. */
function secretEnvNames(config: AutodevConfig, role: 'api' | 'worker'): string[] {
  const forRuns = ['AUTODEV_STORE_URL', config.llm.api_key_env, config.git.github_token_env];
  if (role === 'worker') return forRuns;
  return [...forRuns, config.git.webhook_secret_env, ...config.auth.users.map((u) => u.token_env)];
}

/** `autodev <command> --help`, once per command (each run starts the CLI through tsx: seconds). */
const helps = new Map<string, ReturnType<typeof runCli>>();
function cliHelp(command: string): ReturnType<typeof runCli> {
  const known = helps.get(command);
  if (known) return known;
  const started = runCli([command, '--help']);
  helps.set(command, started);
  return started;
}

// ---- systemd ----

type Unit = Map<string, [string, string][]>;

/** A unit file as systemd reads it: [Section] headers, Key=Value lines, `#`/`;` comments, `\` continuations. */
function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: [string, string][] | undefined;
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header?.[1]) {
      section = [];
      unit.set(header[1], section);
      continue;
    }
    const eq = line.indexOf('=');
    if (!section || eq <= 0) throw new Error(`line ${index + 1} is neither a section nor Key=Value: ${raw}`);
    section.push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()]);
  }
  return unit;
}

function unitValues(unit: Unit, section: string, key: string): string[] {
  return (unit.get(section) ?? []).filter(([k]) => k === key).map(([, v]) => v);
}

function unitValue(unit: Unit, section: string, key: string): string {
  const values = unitValues(unit, section, key);
  expect(values, `[${section}] ${key}`).toHaveLength(1);
  return values[0] ?? '';
}

/** Keys these units may use, by section: a typo systemd would only warn about fails here. */
const KNOWN_KEYS: Record<string, string[]> = {
  Unit: ['Description', 'Documentation', 'Wants', 'After', 'Requires', 'Before'],
  Service: [
    'Type',
    'User',
    'Group',
    'EnvironmentFile',
    'Environment',
    'StateDirectory',
    'ExecStart',
    'KillSignal',
    'TimeoutStopSec',
    'Restart',
    'RestartSec',
    'NoNewPrivileges',
    'PrivateTmp',
    'ProtectSystem',
    'ProtectHome',
    'ReadWritePaths',
  ],
  Install: ['WantedBy'],
};

const UNITS = [
  { file: 'autodev-api.service', command: 'serve' },
  { file: 'autodev-worker@.service', command: 'worker' },
] as const;

describe('deploy/systemd: example units', () => {
  it('the example config validates against autodev’s schema: temporal engine, store URL from the environment', () => {
    const config = loadConfigText(readFileSync(join(SYSTEMD, 'autodev.toml'), 'utf8'));
    expect(config.engine.kind).toBe('temporal');
    expect(config.store.url).toBe(STORE_URL);
    expect(readFileSync(join(SYSTEMD, 'autodev.toml'), 'utf8')).not.toMatch(/postgres(ql)?:\/\//);
  });

  for (const { file, command } of UNITS) {
    it(`${file}: sections and keys systemd knows, ExecStart = autodev ${command} --config <the example config>`, async () => {
      const unit = parseUnit(readFileSync(join(SYSTEMD, file), 'utf8'));
      expect([...unit.keys()].sort()).toEqual(['Install', 'Service', 'Unit']);
      for (const [section, entries] of unit)
        for (const [key] of entries) expect(KNOWN_KEYS[section], `[${section}] ${key}`).toContain(key);

      const argv = unitValue(unit, 'Service', 'ExecStart').split(/\s+/);
      expect(posix.isAbsolute(argv[0] ?? '')).toBe(true);
      expect(posix.basename(argv[0] ?? '')).toBe('autodev');
      expect(argv[1]).toBe(command);
      expect(argv.slice(2)).toEqual(['--config', '/etc/autodev/autodev.toml']);
      // A real command of this CLI, which takes every flag the unit passes.
      const help = await cliHelp(command);
      expect(help.code, help.stderr).toBe(0);
      for (const flag of argv.filter((a) => a.startsWith('--'))) expect(help.stdout).toContain(flag);

      expect(unitValue(unit, 'Service', 'KillSignal')).toBe('SIGTERM');
      expect(Number(unitValue(unit, 'Service', 'TimeoutStopSec'))).toBeGreaterThan(WORKER_DRAIN_SECS);
      expect(unitValue(unit, 'Service', 'EnvironmentFile')).toBe('/etc/autodev/autodev.env');
      // The worker's data_dir is its own (mirrors, worktrees and caches are per worker).
      if (command === 'worker') {
        expect(unitValues(unit, 'Service', 'Environment')).toContain(
          'AUTODEV_DATA_DIR=/var/lib/autodev/worker-%i',
        );
      }
    }, 60_000);
  }

  const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));
  it.skipIf(analyze === undefined)(
    'systemd-analyze verify accepts both units (skipped when systemd-analyze is not installed)',
    async () => {
      // An offline root holding the units, the targets they name and an executable at ExecStart's path.
      const root = tempDir('autodev-systemd-root-');
      const units = join(root, 'etc/systemd/system');
      mkdirSync(units, { recursive: true });
      for (const target of ['sysinit', 'basic', 'shutdown', 'network-online', 'multi-user'])
        writeFileSync(join(units, `${target}.target`), `[Unit]\nDescription=${target}\n`);
      for (const { file } of UNITS) copyFileSync(join(SYSTEMD, file), join(units, file));
      const bin = join(root, 'usr/local/bin/autodev');
      mkdirSync(dirname(bin), { recursive: true });
      writeFileSync(bin, '#!/bin/sh\n');
      chmodSync(bin, 0o755);
      const { stdout, stderr } = await promisify(execFile)(analyze ?? 'systemd-analyze', [
        `--root=${root}`,
        'verify',
        'autodev-api.service',
        'autodev-worker@1.service',
      ]);
      // Unknown keys and bad values are warnings on stderr, not a failed exit.
      expect(`${stdout}${stderr}`).toBe('');
    },
    60_000,
  );
});

// ---- Kubernetes ----

interface Container {
  name: string;
  image: string;
  command: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  volumeMounts?: { name: string; mountPath: string }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> } & Record<string, string>;
    ports?: { port: number; targetPort: string | number }[];
    template?: {
      metadata: { labels: Record<string, string> };
      spec: {
        containers: Container[];
        volumes?: { name: string; configMap?: { name: string }; emptyDir?: object }[];
      };
    };
  };
}

const k8sDocuments = parseAllDocuments(readFileSync(K8S_FILE, 'utf8'));

function byKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

describe('deploy/k8s/autodev.yaml', () => {
  const objects = k8sDocuments.map((d) => d.toJS() as K8sObject);
  const configMap = byKind(objects, 'ConfigMap')[0];
  const deployments = byKind(objects, 'Deployment');
  const configText = configMap?.data?.['autodev.toml'] ?? '';

  it('is YAML documents with the fields every object needs: a ConfigMap, two Deployments, a Service, no Secret', () => {
    expect(k8sDocuments.flatMap((d) => d.errors.map(String))).toEqual([]);
    for (const o of objects) {
      expect(o.apiVersion, o.kind).toMatch(/^(v1|apps\/v1)$/);
      expect(o.metadata.name, o.kind).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(o.metadata.namespace, o.metadata.name).toBe('autodev');
    }
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Deployment', 'Service']);
    expect(deployments.map((d) => d.apiVersion)).toEqual(['apps/v1', 'apps/v1']);
    // Credentials are referenced, never written here.
    expect(readFileSync(K8S_FILE, 'utf8')).not.toMatch(/^kind: Secret/m);
    expect(configText).not.toMatch(/postgres(ql)?:\/\//);
  });

  it('the ConfigMap’s config validates against autodev’s schema (temporal engine, store URL from the Secret)', () => {
    const config = loadConfigText(configText);
    expect(config.engine.kind).toBe('temporal');
    expect(config.store.url).toBe(STORE_URL);
    // Reachable through the Service from other pods.
    expect(config.host).toBe('0.0.0.0');
  });

  it('each Deployment runs `autodev serve|worker --config` on the mounted ConfigMap, with the secrets its config names', async () => {
    const config = loadConfigText(configText);
    const commands: string[] = [];
    for (const d of deployments) {
      const spec = d.spec;
      const template = spec?.template;
      expect(template, d.metadata.name).toBeDefined();
      if (!spec || !template) continue;
      expect(spec.replicas).toBeGreaterThanOrEqual(1);
      // The selector picks the template's pods (else the API server refuses the Deployment).
      expect(template.metadata.labels).toMatchObject(spec.selector?.matchLabels ?? { missing: 'selector' });
      const [container, ...others] = template.spec.containers;
      expect(others).toEqual([]);
      if (!container) continue;
      expect(container.image).toMatch(/^[a-z0-9./-]+:[A-Za-z0-9._-]+$/);
      const [program, command, flag, file = ''] = container.command;
      expect(program).toBe('autodev');
      expect(['serve', 'worker']).toContain(command);
      expect(flag).toBe('--config');
      commands.push(command ?? '');
      // The config file is the ConfigMap's key, mounted where --config reads it.
      const mount = container.volumeMounts?.find((m) => m.mountPath === posix.dirname(file));
      const volume = template.spec.volumes?.find((v) => v.name === mount?.name);
      expect(volume?.configMap?.name).toBe(configMap?.metadata.name);
      expect(Object.keys(configMap?.data ?? {})).toContain(posix.basename(file));
      // data_dir is a volume of its own (per pod: mirrors, worktrees, caches).
      const data = container.volumeMounts?.find((m) => m.mountPath === config.data_dir);
      expect(template.spec.volumes?.find((v) => v.name === data?.name)?.emptyDir).toBeDefined();
      // Every secret the config names comes from the Secret, not from a literal value.
      const env = new Map((container.env ?? []).map((e) => [e.name, e]));
      for (const name of secretEnvNames(config, command === 'serve' ? 'api' : 'worker')) {
        expect(env.get(name)?.valueFrom?.secretKeyRef?.name, `${d.metadata.name}: ${name}`).toBe(
          'autodev-secrets',
        );
      }
      for (const e of container.env ?? []) expect(e.value, e.name).toBeUndefined();
      const help = await cliHelp(command ?? '');
      expect(help.code, help.stderr).toBe(0);
      expect(help.stdout).toContain('--config');
    }
    expect(commands.sort()).toEqual(['serve', 'worker']);
  }, 60_000);

  it('the Service selects the API pods and targets the port the API listens on', () => {
    const config = loadConfigText(configText);
    const api = deployments.find((d) => d.spec?.template?.spec.containers[0]?.command[1] === 'serve');
    const service = byKind(objects, 'Service')[0];
    const podLabels = api?.spec?.template?.metadata.labels ?? {};
    expect(podLabels).toMatchObject(service?.spec?.selector ?? { missing: 'selector' });
    const worker = deployments.find((d) => d !== api);
    // The workers serve nothing: the Service must not pick them.
    expect(worker?.spec?.template?.metadata.labels).not.toMatchObject(service?.spec?.selector ?? {});
    const container = api?.spec?.template?.spec.containers[0];
    const target = service?.spec?.ports?.[0]?.targetPort;
    const port = container?.ports?.find((p) => p.name === target || p.containerPort === target);
    expect(port?.containerPort).toBe(config.port);
    expect(container?.readinessProbe?.httpGet?.path).toBe('/healthz');
  });
});

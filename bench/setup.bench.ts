/**
 * Offline setup per language (the default, `setup_network = false`) on small fixture projects whose
 * dependencies are already cached: autodev's `runSetup` (sandbox, data_dir caches, venv) against the
 * same commands run by hand with a direct spawn. Offline on purpose: fetch times measure the
 * registry, not autodev. A Python project with nothing to install must cost ~0.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { detectProjects, runSetup } from '../src/languages/index.js';
import { createBubblewrapSandbox } from '../src/sandbox/bubblewrap.js';
import { buildSandboxEnv } from '../src/sandbox/env.js';
import { spawnCapped } from '../src/sandbox/spawn-capped.js';
import type { BenchRow } from './types.js';

const RUNS = 5;

const FIXTURES: Record<string, Record<string, string>> = {
  rust: {
    'Cargo.toml': '[package]\nname = "b"\nversion = "0.1.0"\nedition = "2021"\n',
    'src/lib.rs': 'pub fn f() -> u8 { 1 }\n',
  },
  go: { 'go.mod': 'module example.com/b\n\ngo 1.21\n', 'b.go': 'package b\n' },
  'python (nothing to install)': { 'tests/test_a.py': 'def test_a():\n    assert True\n' },
  'python (requirements, venv)': {
    'requirements-test.txt': 'pytest\n',
    'tests/test_a.py': 'def test_a():\n    assert True\n',
  },
  node: {
    'package.json': '{"name":"b","version":"1.0.0","scripts":{"test":"node --test"}}\n',
    'package-lock.json':
      '{"name":"b","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"b","version":"1.0.0"}}}\n',
  },
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export async function bench(): Promise<BenchRow[]> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'autodev-bench-setup-'));
  const sandbox = createBubblewrapSandbox({ hostEnv: process.env, bindRoot: base });
  const rows: BenchRow[] = [];
  try {
    for (const [name, files] of Object.entries(FIXTURES)) {
      const dir = path.join(base, name.replace(/\W+/g, '-'));
      for (const [file, content] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
        await writeFile(path.join(dir, file), content);
      }
      const [project] = await detectProjects(dir);
      if (!project) throw new Error(`${name}: no project detected`);
      const options = {
        sandbox,
        workspaceDir: dir,
        timeoutMs: 300_000,
        cacheDir: path.join(base, 'caches'),
        network: false,
      };
      const ours: number[] = [];
      const byHand: number[] = [];
      let commands: string[][] = [];
      for (let i = 0; i < RUNS; i += 1) {
        const started = performance.now();
        const report = await runSetup(project, options);
        ours.push(performance.now() - started);
        if (!report.ok) throw new Error(`${name}: setup failed: ${report.outputTail}`);
        commands = report.commands;
        const env = buildSandboxEnv({
          hostEnv: process.env,
          home: base,
          inheritToolchains: true,
          network: false,
        });
        const handStarted = performance.now();
        for (const argv of commands) await spawnCapped({ argv, cwd: dir, env, timeoutMs: 300_000 });
        byHand.push(performance.now() - handStarted);
      }
      const value = median(ours);
      const baselineValue = median(byHand);
      rows.push({
        name: `setup offline, ${name}`,
        baseline: 'the same commands by hand (direct spawn)',
        value,
        baselineValue,
        unit: 'ms',
        ratio: baselineValue > 0 ? value / baselineValue : 0,
        runs: RUNS,
        notes: commands.map((c) => c.join(' ')).join(' && ') || 'nothing to install',
      });
    }
  } finally {
    await rm(base, { recursive: true, force: true });
  }
  return rows;
}

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** scripts/check-tools.sh, which setup.sh and test.sh run, on a tools folder and a PATH without Go. */
function checkTools(toolsBin: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync('bash', [join(ROOT, 'scripts/check-tools.sh'), ...args], {
    env: { PATH: '/usr/bin:/bin', AUTODEV_TOOLS_BIN: toolsBin, ...env },
    encoding: 'utf8',
  });
  return { code: result.status, stderr: result.stderr };
}

function toolsFolder(present: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'autodev-tools-'));
  for (const tool of present) {
    writeFileSync(join(dir, tool), '#!/bin/sh\n');
    chmodSync(join(dir, tool), 0o755);
  }
  return dir;
}

describe('setup without Go (scripts/check-tools.sh)', () => {
  it('warns, naming what is missing and what does not work, and lets a plain setup go on', () => {
    const { code, stderr } = checkTools(toolsFolder([]), []);
    expect(code).toBe(0);
    expect(stderr).toContain('missing from');
    expect(stderr).toContain('opa gitleaks');
    expect(stderr).toContain('Go is not installed');
    expect(stderr).toContain("every task's secrets scan fails");
    expect(stderr).toContain('policy tests');
  });

  it.each([
    ['the test command (--strict)', ['--strict'], {}],
    ['a CI machine (CI=true)', [], { CI: 'true' }],
  ])('fails for %s when a tool is missing', (_name, args, env) => {
    const { code, stderr } = checkTools(toolsFolder(['opa']), args, env);
    expect(code).toBe(1);
    expect(stderr).toContain('missing from');
    expect(stderr).toContain('gitleaks');
    expect(stderr).not.toMatch(/without opa/);
  });

  it('is silent and succeeds when all the tools are there, strict or not', () => {
    const present = toolsFolder(['opa', 'gitleaks', 'temporal']);
    for (const args of [[], ['--strict']]) {
      expect(checkTools(present, args)).toEqual({ code: 0, stderr: '' });
    }
  });
});

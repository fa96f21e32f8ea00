import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { E2E_MODEL_KEY, type E2EHarness } from './harness.js';

const REPO_ROOT = resolve(import.meta.dirname, '../..');

/**
 * `autodev task replay ID` as its own process, on the server's config, with a temp dir of its own: its
 * JSON report, exit code and what it left in that temp dir.
 */
/** What a command left in its temp dir, less tsx's compile cache (the test runs the CLI through tsx). */
export function leftIn(tmp: string): string[] {
  return readdirSync(tmp).filter((name) => !/^tsx-\d+$/.test(name));
}

export async function replay(
  h: E2EHarness,
  id: string,
): Promise<{ code: number; report: Record<string, unknown>; leftInTmp: string[] }> {
  const args = ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'task', 'replay', id];
  const tmp = mkdtempSync(join(tmpdir(), 'autodev-replay-test-'));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    TMPDIR: tmp,
    E2E_MODEL_KEY,
  };
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [...args, '-c', h.server.configFile], {
      cwd: REPO_ROOT,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, report: JSON.parse(stdout) as Record<string, unknown>, leftInTmp: leftIn(tmp) };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (!failed.stdout) throw new Error(`replay failed without a report: ${failed.stderr ?? ''}`);
    const report = JSON.parse(failed.stdout) as Record<string, unknown>;
    return { code: failed.code ?? 1, report, leftInTmp: leftIn(tmp) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

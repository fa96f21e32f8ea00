import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { E2E_MODEL_KEY, type E2EHarness } from './harness.js';

const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** `autodev task replay ID` as its own process, on the server's config; its JSON report and exit code. */
export async function replay(
  h: E2EHarness,
  id: string,
): Promise<{ code: number; report: Record<string, unknown> }> {
  const args = ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'task', 'replay', id];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', E2E_MODEL_KEY };
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [...args, '-c', h.server.configFile], {
      cwd: REPO_ROOT,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, report: JSON.parse(stdout) as Record<string, unknown> };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (!failed.stdout) throw new Error(`replay failed without a report: ${failed.stderr ?? ''}`);
    return { code: failed.code ?? 1, report: JSON.parse(failed.stdout) as Record<string, unknown> };
  }
}

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectProjects, runSetup } from './index.js';
import { createLanguageTestContext, type LanguageTestContext } from './testing.js';

let ctx: LanguageTestContext;
beforeAll(async () => {
  ctx = await createLanguageTestContext(process.env);
});
afterAll(() => ctx.dispose());

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
}

/** The repo's own setup command, printing what the installer it stands for would read. */
const PRINT_ENV =
  '[commands]\nsetup = "env | grep -E \'^(PIP_|npm_config_progress|npm_config_yes|CARGO_TERM_)\' | sort"\n';

async function setupOutput(name: string, files: Record<string, string>): Promise<string> {
  const dir = await ctx.repo(name);
  await writeFiles(dir, { ...files, '.autodev.toml': PRINT_ENV });
  const [project] = await detectProjects(dir);
  if (!project) throw new Error('no project detected');
  const report = await runSetup(project, { ...ctx.options(dir), network: false });
  expect(report, report.outputTail).toMatchObject({ ok: true });
  return report.outputTail;
}

// Issue #28: pip's progress bar thread failed to start ("can't start new thread") and took the
// install down with it. Every installer runs unattended: no prompt, no progress display.
describe('installers run non-interactively, without a progress display', () => {
  it('pip: PIP_NO_INPUT and PIP_PROGRESS_BAR=off reach the setup command', async () => {
    const out = await setupOutput('py-quiet', {
      'pyproject.toml': '[project]\nname = "q"\nversion = "1"\n',
      'test_q.py': 'def test_q():\n    assert True\n',
    });
    expect(out).toContain('PIP_NO_INPUT=1');
    expect(out).toContain('PIP_PROGRESS_BAR=off');
  });

  it('npm: progress off and no prompt for the setup command', async () => {
    const out = await setupOutput('node-quiet', {
      'package.json': '{ "name": "q", "version": "1.0.0", "scripts": { "test": "node --test" } }\n',
    });
    expect(out).toContain('npm_config_progress=false');
    expect(out).toContain('npm_config_yes=true');
  });

  it('cargo: CARGO_TERM_PROGRESS_WHEN=never for the setup command', async () => {
    const out = await setupOutput('rust-quiet', {
      'Cargo.toml': '[package]\nname = "q"\nversion = "0.1.0"\nedition = "2021"\n',
      'src/lib.rs': 'pub fn q() {}\n',
    });
    expect(out).toContain('CARGO_TERM_PROGRESS_WHEN=never');
  });
});

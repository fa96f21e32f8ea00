import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLinkTestContext,
  describeRun,
  type LinkTestContext,
} from '../../../test/helpers/linked-build.js';
import { isAutodevError } from '../../errors.js';

const exec = promisify(execFile);

const LIBRARY_PYPROJECT = [
  '[build-system]',
  'requires = ["setuptools>=61"]',
  'build-backend = "setuptools.build_meta"',
  '',
  '[project]',
  'name = "greetlib"',
  'version = "1.0.0"',
  '',
].join('\n');
const hello = (word: string) => `def hello(n):\n    return "${word} " + n\n`;
const libraryFiles = (word: string) => ({
  'pyproject.toml': LIBRARY_PYPROJECT,
  'greetlib/__init__.py': hello(word),
});

const TEST =
  'from greetlib import hello\n\nassert hello("py") == "hi py", hello("py")\nprint("consumer test passed")\n';

/** The consumer's setup: its own virtualenv (with the build backend the machine has) and its requirements. */
const SETUP = [
  ['python3', '-m', 'venv', '--system-site-packages', '.venv'],
  [
    '.venv/bin/python',
    '-m',
    'pip',
    'install',
    '--no-index',
    '--find-links',
    'vendor',
    '-r',
    'requirements.txt',
  ],
];
const TEST_RUN = ['.venv/bin/python', 'test_app.py'];

/** greetlib 1.0.0 as published: the wheel of the library before the change, which the consumer installs. */
async function publishedWheel(library: string): Promise<{ name: string; bytes: Buffer }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'autodev-pip-published-'));
  try {
    // Built from a copy: pip leaves build files beside the sources.
    await cp(library, path.join(dir, 'src'), { recursive: true });
    await exec(
      'python3',
      [
        '-m',
        'pip',
        'wheel',
        '--no-deps',
        '--no-index',
        '--no-build-isolation',
        '-w',
        path.join(dir, 'dist'),
        path.join(dir, 'src'),
      ],
      { env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' } },
    );
    const [name] = await readdir(path.join(dir, 'dist'));
    if (!name) throw new Error('pip wheel made no wheel');
    return { name, bytes: await readFile(path.join(dir, 'dist', name)) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('pip: a consumer built against the changed distribution installed into its environment, in bubblewrap', () => {
  let ctx: LinkTestContext;
  beforeAll(async () => {
    ctx = await createLinkTestContext();
  });
  afterAll(() => ctx?.dispose());

  it('sees the change only when linked; the checkouts stay as they were', async () => {
    const library = await ctx.checkout('greetlib', libraryFiles('hello'));
    const wheel = await publishedWheel(library);
    await ctx.edit(library, { 'greetlib/__init__.py': hello('hi') });
    const consumer = await ctx.checkout('app', {
      'requirements.txt': 'greetlib==1.0.0\n',
      [`vendor/${wheel.name}`]: wheel.bytes,
      'test_app.py': TEST,
      '.gitignore': '.venv/\n',
    });
    const unlinked = await ctx.runAll([...SETUP, TEST_RUN], { cwd: consumer });
    expect(unlinked.at(-1)?.exitCode, describeRun(unlinked.at(-1))).toBe(1);
    expect(unlinked.at(-1)?.stderr).toContain('hello py');

    const link = await ctx.link(consumer, library);
    expect(link.build).toMatchObject({ ecosystem: 'pip', library: 'greetlib', buildArgs: [] });
    // The consumer's environment first on PATH, as the Python runner activates it.
    const env = { VIRTUAL_ENV: path.join(link.build.consumerDir, '.venv') };
    const runs = await ctx.runLinked(link, [...SETUP, ...link.build.commands, TEST_RUN], env);
    expect(runs.at(-1)?.exitCode, describeRun(runs.at(-1))).toBe(0);
    expect(runs.at(-1)?.stdout).toContain('consumer test passed');
    expect(runs.length).toBe(SETUP.length + 2);
    expect((await link.verifyUntouched()).map((p) => p.unchanged)).toEqual([true, true]);
  });

  it('finds the distribution in pyproject dependencies under another spelling, and refuses a consumer without it', async () => {
    const library = await ctx.checkout('greetlib', libraryFiles('hi'));
    const declared = await ctx.checkout('app', {
      'pyproject.toml':
        '[project]\nname = "app"\nversion = "0"\ndependencies = ["Greet_Lib >=1 ; python_version >= \\"3.8\\""]\n',
    });
    const renamed = await ctx.checkout('greet-lib', {
      ...libraryFiles('hi'),
      'pyproject.toml': LIBRARY_PYPROJECT.replace('"greetlib"', '"greet.lib"'),
    });
    expect((await ctx.link(declared, renamed)).build.library).toBe('greet.lib');
    const unrelated = await ctx.checkout('app', {
      'requirements.txt': 'requests==2.0\n# greetlib is not here\n',
    });
    const error: unknown = await ctx.link(unrelated, library).catch((e: unknown) => e);
    expect(isAutodevError(error, 'LINK_FAILED'), String(error)).toBe(true);
    expect(String(error)).toContain('does not declare greetlib');
  });
});

import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLinkTestContext,
  describeRun,
  type LinkTestContext,
} from '../../../test/helpers/linked-build.js';
import { isAutodevError } from '../../errors.js';
import { assertUntouched } from '../tracked-state.js';
import { git } from '../../../test/fixtures/repo.js';

const LIBRARY_MANIFEST = '[package]\nname = "greet"\nversion = "1.0.0"\nedition = "2021"\n';
const hello = (word: string) => `pub fn hello(n: &str) -> String {\n    format!("${word} {n}")\n}\n`;

/**
 * The consumer takes `greet` 1.0.0 from crates-io, served by a vendored directory source (what
 * `cargo vendor` makes: the published crate, offline); its test expects the library's new greeting.
 */
const consumerFiles = (dependency: string): Record<string, string> => ({
  'Cargo.toml': `[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n${dependency}\n`,
  'src/lib.rs':
    'pub fn welcome() -> String {\n    greet::hello("crab")\n}\n\n#[test]\nfn welcomes_with_the_new_greeting() {\n    assert_eq!(welcome(), "hi crab");\n}\n',
  '.cargo/config.toml':
    '[source.crates-io]\nreplace-with = "vendored-sources"\n\n[source.vendored-sources]\ndirectory = "vendor"\n',
  'vendor/greet/Cargo.toml': LIBRARY_MANIFEST,
  'vendor/greet/src/lib.rs': hello('hello'),
  'vendor/greet/.cargo-checksum.json': '{"files":{},"package":null}',
  '.gitignore': '/target\n',
});

describe('cargo: a consumer built against the changed crate with --config patch, in bubblewrap', () => {
  let ctx: LinkTestContext;
  beforeAll(async () => {
    ctx = await createLinkTestContext();
  });
  afterAll(() => ctx?.dispose());

  it('sees the change only when linked; Cargo.toml and Cargo.lock of the checkout stay as they were', async () => {
    const library = await ctx.checkout('greet', {
      'Cargo.toml': LIBRARY_MANIFEST,
      'src/lib.rs': hello('hello'),
    });
    await ctx.edit(library, { 'src/lib.rs': hello('hi') });
    const consumer = await ctx.checkout('app', consumerFiles('greet = "1"'));
    // The published crate: the consumer's test fails against it (and cargo writes the lock it commits).
    const unlinked = await ctx.run(['cargo', 'test', '--offline'], { cwd: consumer });
    expect(unlinked.exitCode, describeRun(unlinked)).toBe(101);
    expect(unlinked.stdout + unlinked.stderr).toContain('"hello crab"');

    const link = await ctx.link(consumer, library);
    expect(link.build).toMatchObject({ ecosystem: 'cargo', library: 'greet', commands: [] });
    expect(link.build.buildArgs).toEqual([
      '--config',
      `patch.crates-io.greet.path=${JSON.stringify(link.build.libraryDir)}`,
    ]);
    const [linked] = await ctx.runLinked(link, [['cargo', 'test', '--offline', ...link.build.buildArgs]]);
    expect(linked?.exitCode, describeRun(linked)).toBe(0);
    expect(linked?.stdout).toContain('welcomes_with_the_new_greeting ... ok');
    // The copy's lock now names the patched crate; the checkout's does not.
    expect(await readFile(path.join(link.build.consumerDir, 'Cargo.lock'), 'utf8')).not.toMatch(
      /name = "greet"\nversion = "1.0.0"\nsource/,
    );
    const proofs = await link.verifyUntouched();
    expect(proofs.map((p) => p.unchanged)).toEqual([true, true]);
  });

  it('patches the registry or git source the crate comes from, under a renamed dependency too', async () => {
    const library = await ctx.checkout('greet', {
      'Cargo.toml': LIBRARY_MANIFEST,
      'src/lib.rs': hello('hi'),
    });
    const cases: [string, string][] = [
      ['greeting = { package = "greet", version = "1", registry = "inhouse" }', 'inhouse'],
      [
        'greet = { git = "https://git.example.test/greet.git", tag = "v1" }',
        '"https://git.example.test/greet.git"',
      ],
    ];
    for (const [dependency, source] of cases) {
      const consumer = await ctx.checkout('app', consumerFiles(dependency));
      const link = await ctx.link(consumer, library);
      expect(link.build.buildArgs[1]).toBe(
        `patch.${source}.greet.path=${JSON.stringify(link.build.libraryDir)}`,
      );
    }
  });

  it("patches the source of a member's inherited dependency, from the workspace's own table", async () => {
    const library = await ctx.checkout('greet', {
      'Cargo.toml': LIBRARY_MANIFEST,
      'src/lib.rs': hello('hi'),
    });
    const consumer = await ctx.checkout('app', {
      'Cargo.toml':
        '[workspace]\nmembers = ["app", "**/nested-*"]\n\n[workspace.dependencies]\ngreet = { version = "1", registry = "inhouse" }\n',
      'app/Cargo.toml':
        '[package]\nname = "app"\nversion = "0.1.0"\n\n[dependencies]\ngreet.workspace = true\n',
      'tools/deep/nested-one/Cargo.toml':
        '[package]\nname = "one"\nversion = "0.1.0"\n\n[dev-dependencies]\ngreet = { git = "https://git.example.test/greet.git" }\n',
    });
    const link = await ctx.link(consumer, library);
    const patch = (source: string) => `patch.${source}.greet.path=${JSON.stringify(link.build.libraryDir)}`;
    expect(link.build.buildArgs).toEqual([
      '--config',
      patch('inhouse'),
      '--config',
      patch('"https://git.example.test/greet.git"'),
    ]);
  });

  it('refuses a consumer that does not use the crate, or takes it from a path, naming the crate', async () => {
    const library = await ctx.checkout('greet', {
      'Cargo.toml': LIBRARY_MANIFEST,
      'src/lib.rs': hello('hi'),
    });
    for (const [dependency, words] of [
      ['other = "1"', 'does not depend on greet'],
      ['greet = { path = "vendor/greet" }', 'path dependency cannot be patched'],
    ]) {
      const consumer = await ctx.checkout('app', consumerFiles(dependency ?? ''));
      const error: unknown = await ctx.link(consumer, library).catch((e: unknown) => e);
      expect(isAutodevError(error, 'LINK_FAILED'), String(error)).toBe(true);
      expect(String(error)).toContain(words);
    }
  });

  it('links a consumer workspace whose member, not its root, depends on the crate', async () => {
    const library = await ctx.checkout('greet', {
      'Cargo.toml': LIBRARY_MANIFEST,
      'src/lib.rs': hello('hello'),
    });
    await ctx.edit(library, { 'src/lib.rs': hello('hi') });
    const single = consumerFiles('greet = "1"');
    const consumer = await ctx.checkout('app', {
      // A virtual root: its members are found by Cargo's glob; `crates/old` is excluded.
      'Cargo.toml': '[workspace]\nresolver = "2"\nmembers = ["crates/*"]\nexclude = ["crates/old"]\n',
      'crates/app/Cargo.toml': single['Cargo.toml'] ?? '',
      'crates/app/src/lib.rs': single['src/lib.rs'] ?? '',
      'crates/tools/Cargo.toml': '[package]\nname = "tools"\nversion = "0.1.0"\nedition = "2021"\n',
      'crates/tools/src/lib.rs': 'pub fn nothing() {}\n',
      'crates/old/Cargo.toml': 'not toml [',
      '.cargo/config.toml': single['.cargo/config.toml'] ?? '',
      'vendor/greet/Cargo.toml': LIBRARY_MANIFEST,
      'vendor/greet/src/lib.rs': hello('hello'),
      'vendor/greet/.cargo-checksum.json': '{"files":{},"package":null}',
      '.gitignore': '/target\n',
    });
    const unlinked = await ctx.run(['cargo', 'test', '--offline', '--workspace'], { cwd: consumer });
    expect(unlinked.exitCode, describeRun(unlinked)).toBe(101);
    expect(unlinked.stdout + unlinked.stderr).toContain('"hello crab"');

    const link = await ctx.link(consumer, library);
    expect(link.build).toMatchObject({ ecosystem: 'cargo', library: 'greet' });
    expect(link.build.buildArgs).toEqual([
      '--config',
      `patch.crates-io.greet.path=${JSON.stringify(link.build.libraryDir)}`,
    ]);
    const [linked] = await ctx.runLinked(link, [
      ['cargo', 'test', '--offline', '--workspace', ...link.build.buildArgs],
    ]);
    expect(linked?.exitCode, describeRun(linked)).toBe(0);
    expect(linked?.stdout).toContain('welcomes_with_the_new_greeting ... ok');
    expect((await link.verifyUntouched()).map((p) => p.unchanged)).toEqual([true, true]);
  });

  it('links the member crate of a library that is a workspace, inheriting from its root', async () => {
    const member = (word: string) => ({
      'Cargo.toml':
        '[workspace]\nresolver = "2"\nmembers = ["crates/*"]\n\n[workspace.package]\nversion = "1.0.0"\nedition = "2021"\n',
      'crates/greet/Cargo.toml':
        '[package]\nname = "greet"\nversion.workspace = true\nedition.workspace = true\n\n[dependencies]\nwords = { path = "../words" }\n',
      'crates/greet/src/lib.rs':
        'pub fn hello(n: &str) -> String {\n    format!("{} {n}", words::word())\n}\n',
      'crates/words/Cargo.toml':
        '[package]\nname = "words"\nversion.workspace = true\nedition.workspace = true\n',
      'crates/words/src/lib.rs': `pub fn word() -> &'static str {\n    "${word}"\n}\n`,
    });
    const library = await ctx.checkout('greet', member('hello'));
    await ctx.edit(library, { 'crates/words/src/lib.rs': member('hi')['crates/words/src/lib.rs'] ?? '' });
    const consumer = await ctx.checkout('app', consumerFiles('greet = "1"'));
    const unlinked = await ctx.run(['cargo', 'test', '--offline'], { cwd: consumer });
    expect(unlinked.exitCode, describeRun(unlinked)).toBe(101);

    const link = await ctx.link(consumer, library);
    expect(link.build).toMatchObject({ ecosystem: 'cargo', library: 'greet' });
    expect(link.build.buildArgs).toEqual([
      '--config',
      `patch.crates-io.greet.path=${JSON.stringify(path.join(link.build.libraryDir, 'crates/greet'))}`,
    ]);
    const [linked] = await ctx.runLinked(link, [['cargo', 'test', '--offline', ...link.build.buildArgs]]);
    expect(linked?.exitCode, describeRun(linked)).toBe(0);
    expect(linked?.stdout).toContain('welcomes_with_the_new_greeting ... ok');
    expect((await link.verifyUntouched()).map((p) => p.unchanged)).toEqual([true, true]);
  });

  it('refuses workspace members that leave the workspace or whose Cargo.toml is a link, naming them', async () => {
    const library = await ctx.checkout('greet', {
      'Cargo.toml': LIBRARY_MANIFEST,
      'src/lib.rs': hello('hi'),
    });
    const outside = await ctx.checkout('outside', {
      'Cargo.toml': '[package]\nname = "x"\nversion = "0.1.0"\n\n[dependencies]\ngreet = "1"\n',
    });
    const escaping = await ctx.checkout('app', { 'Cargo.toml': '[workspace]\nmembers = ["../outside-*"]\n' });
    const linked = await ctx.checkout('app', { 'Cargo.toml': '[workspace]\nmembers = ["crates/*"]\n' });
    await mkdir(path.join(linked, 'crates', 'app'), { recursive: true });
    await symlink(path.join(outside, 'Cargo.toml'), path.join(linked, 'crates', 'app', 'Cargo.toml'));
    // A member folder that is itself a link is never entered: its dependency does not count.
    await symlink(outside, path.join(linked, 'crates', 'elsewhere'));
    await git(linked, ['add', '-A']);
    await git(linked, ['commit', '-q', '-m', 'links']);
    for (const [consumer, words] of [
      [escaping, '"../outside-*" is outside the workspace'],
      [linked, 'crates/app/Cargo.toml in'],
    ] as const) {
      const error: unknown = await ctx.link(consumer, library).catch((e: unknown) => e);
      expect(isAutodevError(error, 'LINK_FAILED'), String(error)).toBe(true);
      expect(String(error)).toContain(words);
    }
    await rm(path.join(linked, 'crates', 'app'), { recursive: true });
    await git(linked, ['add', '-A']);
    await git(linked, ['commit', '-q', '-m', 'only the linked folder']);
    const error: unknown = await ctx.link(linked, library).catch((e: unknown) => e);
    expect(String(error)).toContain('or its workspace members does not depend on greet');

    // A member glob that makes a regex-compiling matcher backtrack for hours is matched in bounded
    // time (a regression here shows as this test timing out).
    const hostile = `${'*a'.repeat(14)}b`;
    const backtracking = await ctx.checkout('app', {
      'Cargo.toml': `[workspace]\nmembers = [${JSON.stringify(hostile)}]\nexclude = [${JSON.stringify(hostile)}]\n`,
      [`${'a'.repeat(120)}/Cargo.toml`]: '[package]\nname = "x"\nversion = "0.1.0"\n',
    });
    const slow: unknown = await ctx.link(backtracking, library).catch((e: unknown) => e);
    expect(String(slow)).toContain('or its workspace members does not depend on greet');
  });

  it('the proof catches a checkout changed after the link began', async () => {
    const library = await ctx.checkout('greet', {
      'Cargo.toml': LIBRARY_MANIFEST,
      'src/lib.rs': hello('hi'),
    });
    const consumer = await ctx.checkout('app', consumerFiles('greet = "1"'));
    const link = await ctx.link(consumer, library);
    await writeFile(
      path.join(consumer, 'Cargo.toml'),
      `${consumerFiles('greet = "1"')['Cargo.toml']}\n[patch.crates-io]\n`,
    );
    await writeFile(path.join(library, 'stray.txt'), 'x');
    const [consumerProof, libraryProof] = await link.verifyUntouched();
    expect(consumerProof?.unchanged).toBe(false);
    expect(libraryProof?.unchanged).toBe(false);
    const failure = (proof: typeof consumerProof): unknown => {
      try {
        if (proof) assertUntouched(proof);
        return undefined;
      } catch (e) {
        return e;
      }
    };
    expect(String(failure(libraryProof))).toContain('new untracked files: stray.txt');
    const error = failure(consumerProof);
    expect(isAutodevError(error, 'LINK_TOUCHED_CHECKOUT')).toBe(true);
    expect(String(error)).toContain('tracked files changed');
  });
});

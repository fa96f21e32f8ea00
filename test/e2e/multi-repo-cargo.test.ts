import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitTask, waitForTerminal } from '../helpers/api-client.js';
import { startE2E, type E2EHarness } from './harness.js';
import { repoNameOf } from './multi-repo-fixtures.js';

const LIBRARY_MANIFEST = '[package]\nname = "greet"\nversion = "1.0.0"\nedition = "2021"\n';
const greeting = (word: string) => `    format!("${word} {n}")\n`;
const hello = (word: string) => `pub fn hello(n: &str) -> String {\n${greeting(word)}}\n`;

/** The crate as its repository holds it, with a test of its own that any greeting passes. */
const LIBRARY_REPO = {
  'Cargo.toml': LIBRARY_MANIFEST,
  'src/lib.rs': `${hello('hello')}\n#[test]\nfn names_who() {\n    assert!(hello("x").ends_with(" x"));\n}\n`,
  '.gitignore': '/target\n',
};

/**
 * A user of greet 1.0.0 as published: a vendored directory source (what `cargo vendor` makes), so it
 * builds offline; its test expects the greeting "hi", which only the changed crate gives.
 */
const CONSUMER_REPO = {
  'Cargo.toml':
    '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\ngreet = "1"\n',
  'src/lib.rs':
    'pub fn welcome() -> String {\n    greet::hello("crab")\n}\n\n#[test]\nfn welcomes_with_the_new_greeting() {\n    assert_eq!(welcome(), "hi crab");\n}\n',
  '.cargo/config.toml':
    '[source.crates-io]\nreplace-with = "vendored-sources"\n\n[source.vendored-sources]\ndirectory = "vendor"\n',
  'vendor/greet/Cargo.toml': LIBRARY_MANIFEST,
  'vendor/greet/src/lib.rs': hello('hello'),
  'vendor/greet/.cargo-checksum.json': '{"files":{},"package":null}',
  '.gitignore': '/target\n',
};

describe('a multi-repo Cargo task: the user built against the changed crate', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 0 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('passes the user only with the crate patched to the changed checkout', async () => {
    const library = await h.newRepo(LIBRARY_REPO);
    const consumer = await h.newRepo(CONSUMER_REPO);
    const heads = [await library.branchCommit('main'), await consumer.branchCommit('main')];
    h.model.push(
      {
        toolCalls: [
          {
            name: 'apply_edit',
            arguments: {
              search_replace: [{ path: 'src/lib.rs', search: hello('hello'), replace: hello('hi') }],
            },
          },
        ],
      },
      { text: 'The crate greets with hi.' },
    );
    const created = await submitTask(h.server.baseUrl, {
      title: 'Greet with hi',
      repos: [
        { repo: library.origin, role: 'library' },
        { repo: consumer.origin, role: 'consumer' },
      ],
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id, 240_000);
    const name = repoNameOf(consumer.origin, 2);
    const summary = (key: string) => task.steps.find((s) => s.key === key)?.output_summary ?? '';
    // Against the published crate its test fails; built against the changed checkout it passes.
    expect(summary(`prepare.test@${name}#1`)).toMatch(/^failed/);
    expect(summary(`verify.test@${name}#1`)).toMatch(/^passed: linked to greet \(cargo\)/);
    expect(summary(`verify.test@${name}#1`)).toContain('against the baseline: pass');
    // Only the library changed: its pull request alone, merged; the user's main is untouched.
    expect(task.status).toBe('merged');
    expect(task.pull_requests.map((pr) => pr.role)).toEqual(['library']);
    expect(await library.branchCommit('main')).toBe(task.pr?.merge_commit);
    expect(await consumer.branchCommit('main')).toBe(heads[1]);
  }, 300_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitTask, waitForTerminal } from '../helpers/api-client.js';
import { startE2E, type E2EHarness } from './harness.js';
import { repoNameOf } from './multi-repo-fixtures.js';

const MODULE = 'example.test/greet';
const hello = (word: string) =>
  `package greet\n\n// Hello greets n.\nfunc Hello(n string) string {\n\treturn "${word} " + n\n}\n`;

/** The module as its repository holds it, with a test of its own that any greeting passes. */
const LIBRARY_REPO = {
  'go.mod': `module ${MODULE}\n\ngo 1.22\n`,
  'greet.go': hello('hello'),
  'greet_test.go':
    'package greet\n\nimport (\n\t"strings"\n\t"testing"\n)\n\nfunc TestNamesWho(t *testing.T) {\n\tif !strings.HasSuffix(Hello("x"), " x") {\n\t\tt.Fatal(Hello("x"))\n\t}\n}\n',
};

/**
 * A user requiring greet v1.0.0 as published, vendored (what `go mod vendor` makes), so it builds
 * offline; its test expects the greeting "hi", which only the changed module gives.
 */
const CONSUMER_REPO = {
  'go.mod': `module example.test/app\n\ngo 1.21\n\nrequire ${MODULE} v1.0.0\n`,
  'app.go': `package app\n\nimport "${MODULE}"\n\n// Welcome greets a gopher.\nfunc Welcome() string {\n\treturn greet.Hello("gopher")\n}\n`,
  'app_test.go':
    'package app\n\nimport "testing"\n\nfunc TestWelcome(t *testing.T) {\n\tif got := Welcome(); got != "hi gopher" {\n\t\tt.Fatalf("Welcome() = %q", got)\n\t}\n}\n',
  'vendor/modules.txt': `# ${MODULE} v1.0.0\n## explicit; go 1.21\n${MODULE}\n`,
  [`vendor/${MODULE}/greet.go`]: hello('hello'),
  // Its dependencies are vendored: there is nothing to download (setup's `go mod download` would ask a proxy).
  '.autodev.toml': '[commands]\nsetup = "true"\n',
};

describe('a multi-repo Go task: the user built against the changed module', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 0 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('passes the user only with a go.work using the changed checkout', async () => {
    const library = await h.newRepo(LIBRARY_REPO);
    const consumer = await h.newRepo(CONSUMER_REPO);
    const heads = [await library.branchCommit('main'), await consumer.branchCommit('main')];
    h.model.push(
      {
        toolCalls: [
          {
            name: 'apply_edit',
            arguments: {
              search_replace: [{ path: 'greet.go', search: hello('hello'), replace: hello('hi') }],
            },
          },
        ],
      },
      { text: 'The module greets with hi.' },
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
    // Against the published (vendored) module its test fails; with the go.work it passes.
    expect(summary(`prepare.test@${name}#1`)).toMatch(/^failed/);
    expect(summary(`verify.test@${name}#1`)).toMatch(/^passed: linked to example\.test\/greet \(go\)/);
    expect(summary(`verify.test@${name}#1`)).toContain('against the baseline: pass');
    // Only the library changed: its pull request alone, merged; the user's main is untouched.
    expect(task.status).toBe('merged');
    expect(task.pull_requests.map((pr) => pr.role)).toEqual(['library']);
    expect(await library.branchCommit('main')).toBe(task.pr?.merge_commit);
    expect(await consumer.branchCommit('main')).toBe(heads[1]);
  }, 300_000);
});

import { z } from 'zod';
import { emptyCounts, type TestCounts } from '../../parsers/types.js';
import { jsonLines, lines } from '../../parsers/text.js';

const Event = z.object({
  Action: z.string(),
  Package: z.string().optional(),
  ImportPath: z.string().optional(),
  Test: z.string().optional(),
  Output: z.string().optional(),
});

interface TestState {
  pkg: string;
  name: string;
  action: string;
  output: string[];
}

/**
 * A test's name as reported: Go's own (`TestParse`, `TestParse/empty`), or `pkg.TestParse` where
 * two packages of the run both have a `TestParse` (common across the packages of a module or a
 * workspace): the baseline comparison must not take one package's failure for the other's. Unique
 * names stay as Go prints them, so acceptance criteria naming `TestParse` still find it.
 */
function shownNames(all: readonly TestState[]): (test: TestState) => string {
  const top = (name: string) => name.split('/')[0] ?? name;
  const packagesOf = new Map<string, Set<string>>();
  for (const test of all) {
    const set = packagesOf.get(top(test.name)) ?? new Set<string>();
    set.add(test.pkg);
    packagesOf.set(top(test.name), set);
  }
  return (test) => ((packagesOf.get(top(test.name))?.size ?? 0) > 1 ? `${test.pkg}.${test.name}` : test.name);
}

/**
 * Parses `go test -json` events. Counts leaf tests only (a parent whose subtests ran is
 * their sum), and reports a package whose build failed as one failure naming the package.
 */
export function parseGoTestJson(output: string): TestCounts {
  const counts = emptyCounts();
  const passedNames: string[] = [];
  counts.passedNames = passedNames;
  const tests = new Map<string, TestState>();
  const buildOutput = new Map<string, string[]>();
  const failedBuilds: string[] = [];
  for (const raw of jsonLines(output)) {
    const parsed = Event.safeParse(raw);
    if (!parsed.success) continue;
    const event = parsed.data;
    counts.found = true;
    if (event.Action === 'build-output' && event.ImportPath) {
      const list = buildOutput.get(event.ImportPath) ?? [];
      list.push(event.Output ?? '');
      buildOutput.set(event.ImportPath, list);
      continue;
    }
    if (event.Action === 'build-fail' && event.ImportPath) {
      failedBuilds.push(event.ImportPath);
      continue;
    }
    if (!event.Test || !event.Package) continue;
    const key = `${event.Package}\u0000${event.Test}`;
    const state = tests.get(key) ?? { pkg: event.Package, name: event.Test, action: 'run', output: [] };
    if (event.Action === 'output' && event.Output) state.output.push(event.Output);
    if (event.Action === 'pass' || event.Action === 'fail' || event.Action === 'skip')
      state.action = event.Action;
    tests.set(key, state);
  }
  const all = [...tests.values()];
  const shown = shownNames(all);
  const leaves = all.filter((t) => !all.some((o) => o.pkg === t.pkg && o.name.startsWith(`${t.name}/`)));
  for (const test of leaves) {
    if (test.action === 'pass') {
      counts.passed++;
      passedNames.push(shown(test));
    } else if (test.action === 'skip') counts.skipped++;
    else if (test.action === 'fail') {
      counts.failed++;
      const message = test.output
        .filter((l) => !l.startsWith('=== ') && !l.startsWith('--- '))
        .join('')
        .trim();
      counts.failures.push(message ? { name: shown(test), message } : { name: shown(test) });
    }
  }
  // A parent that passed is named too, without counting it: a baseline failure recorded under the
  // parent's name (it failed before its subtests ran) must be found passing once its subtests run
  // (corpus: xxhash's TestDynamic was reported "not passing" after the fix).
  for (const test of all) {
    if (test.action === 'pass' && !leaves.includes(test)) passedNames.push(shown(test));
  }
  for (const importPath of failedBuilds) {
    counts.failed++;
    counts.failures.push({
      name: `${importPath} [build failed]`,
      message: (buildOutput.get(importPath) ?? []).join('').trim(),
    });
  }
  return counts;
}

const TEXT_RESULT = /^\s*--- (PASS|FAIL|SKIP): (\S+)/;

/** For a test command overridden without -json: the `--- PASS/FAIL/SKIP: Name` lines of `go test -v`. */
export function parseGoTestText(output: string): TestCounts {
  const counts = emptyCounts();
  for (const line of lines(output)) {
    const match = TEXT_RESULT.exec(line);
    if (!match?.[2]) continue;
    counts.found = true;
    if (match[1] === 'PASS') counts.passed++;
    else if (match[1] === 'SKIP') counts.skipped++;
    else {
      counts.failed++;
      counts.failures.push({ name: match[2] });
    }
  }
  return counts;
}

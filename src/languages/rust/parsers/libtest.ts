import { emptyCounts, type TestCounts } from '../../parsers/types.js';
import { lines } from '../../parsers/text.js';

const RESULT = /^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored;/;
const DOC_TESTS = /^\s*Doc-tests (\S+)$/;
const BINARY_NAME = /^([A-Za-z0-9_]+)-[0-9a-f]+(?:\.exe)?$/;

/**
 * The text between `prefix` and `suffix` when the line is exactly that, else undefined. By string
 * ends, not `\S+`: doc tests are named with spaces (`src/lib.rs - dotenv (line 171)`), and a
 * pattern that missed them left a run with only pre-existing doc-test failures naming no failing
 * test, so the baseline comparison read a correct fix as a run that never finished (dotenvy 0.15.4).
 */
function between(line: string, prefix: string, suffix: string): string | undefined {
  if (line.length <= prefix.length + suffix.length) return undefined;
  return line.startsWith(prefix) && line.endsWith(suffix)
    ? line.slice(prefix.length, -suffix.length)
    : undefined;
}
const failedTestName = (line: string) => between(line, 'test ', ' ... FAILED');
const passedTestName = (line: string) => between(line, 'test ', ' ... ok');
const stdoutHeaderName = (line: string) => between(line, '---- ', ' stdout ----');

/**
 * The crate of a block of results: `Running unittests src/lib.rs (target/debug/deps/name-hash)`,
 * `Running tests/api.rs (target/debug/deps/api-hash)`, `Doc-tests name`. Cut by string search,
 * not one regex over the line: test output can print long lines of its own.
 */
function binaryOf(line: string): string | undefined {
  const doc = DOC_TESTS.exec(line);
  if (doc?.[1]) return doc[1];
  const trimmed = line.trim();
  if (!trimmed.startsWith('Running ') || !trimmed.endsWith(')')) return undefined;
  const file = trimmed.slice(trimmed.lastIndexOf('(') + 1, -1);
  return BINARY_NAME.exec(file.slice(file.lastIndexOf('/') + 1))?.[1];
}

/**
 * A test's name as reported: libtest's own (`tests::adds`), or `crate/tests::adds` where two test
 * binaries of the run (two members of a Cargo workspace) both have it: the baseline comparison
 * must not take one crate's failure for the other's. Unique names stay as libtest prints them.
 */
function shownNames(
  seen: readonly { crate: string; name: string }[],
): (crate: string, name: string) => string {
  const cratesOf = new Map<string, Set<string>>();
  for (const { crate, name } of seen) cratesOf.set(name, (cratesOf.get(name) ?? new Set()).add(crate));
  return (crate, name) => ((cratesOf.get(name)?.size ?? 0) > 1 ? `${crate}/${name}` : name);
}

/**
 * Parses Rust's libtest output as `cargo test` prints it: one `test result:` line per test
 * binary (unit tests, each integration test file, doc tests), summed.
 */
export function parseLibtestOutput(output: string): TestCounts {
  const counts = emptyCounts();
  const failed: { crate: string; name: string }[] = [];
  const passed: { crate: string; name: string }[] = [];
  // By crate and name: two members' same-named failures keep their own messages.
  const messages = new Map<string, string[]>();
  let current: string[] | undefined;
  let crate = '';
  for (const line of lines(output)) {
    const binary = binaryOf(line);
    if (binary) {
      crate = binary;
      current = undefined;
      continue;
    }
    const result = RESULT.exec(line);
    if (result) {
      counts.found = true;
      counts.passed += Number(result[1]);
      counts.failed += Number(result[2]);
      counts.skipped += Number(result[3]);
      current = undefined;
      continue;
    }
    const passedName = passedTestName(line);
    if (passedName) passed.push({ crate, name: passedName });
    const failedName = failedTestName(line);
    if (failedName && !failed.some((f) => f.crate === crate && f.name === failedName))
      failed.push({ crate, name: failedName });
    const header = stdoutHeaderName(line);
    if (header) {
      current = [];
      messages.set(`${crate}\u0000${header}`, current);
      continue;
    }
    // The captured output of a failing test ends where the next section starts.
    if (line === 'failures:' || line.startsWith('stack backtrace:')) current = undefined;
    else if (current && line.trim() !== '') current.push(line);
  }
  const shown = shownNames([...passed, ...failed]);
  counts.passedNames = passed.map((t) => shown(t.crate, t.name));
  counts.failures = failed.map((t) => {
    const name = shown(t.crate, t.name);
    const message = messages.get(`${t.crate}\u0000${t.name}`)?.join('\n');
    return message ? { name, message } : { name };
  });
  return counts;
}

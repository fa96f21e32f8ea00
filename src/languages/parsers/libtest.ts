import { emptyCounts, type TestCounts } from './types.js';
import { lines } from './text.js';

const RESULT = /^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored;/;
const FAILED_TEST = /^test (\S+) \.\.\. FAILED$/;
const PASSED_TEST = /^test (\S+) \.\.\. ok$/;
const STDOUT_HEADER = /^---- (\S+) stdout ----$/;

/**
 * Parses Rust's libtest output as `cargo test` prints it: one `test result:` line per test
 * binary (unit tests, each integration test file, doc tests), summed.
 */
export function parseLibtestOutput(output: string): TestCounts {
  const counts = emptyCounts();
  const failedNames: string[] = [];
  const passedNames: string[] = [];
  counts.passedNames = passedNames;
  const messages = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of lines(output)) {
    const result = RESULT.exec(line);
    if (result) {
      counts.found = true;
      counts.passed += Number(result[1]);
      counts.failed += Number(result[2]);
      counts.skipped += Number(result[3]);
      current = undefined;
      continue;
    }
    const passed = PASSED_TEST.exec(line);
    if (passed?.[1]) passedNames.push(passed[1]);
    const failed = FAILED_TEST.exec(line);
    if (failed?.[1] && !failedNames.includes(failed[1])) failedNames.push(failed[1]);
    const header = STDOUT_HEADER.exec(line);
    if (header?.[1]) {
      current = [];
      messages.set(header[1], current);
      continue;
    }
    // The captured output of a failing test ends where the next section starts.
    if (line === 'failures:' || line.startsWith('stack backtrace:')) current = undefined;
    else if (current && line.trim() !== '') current.push(line);
  }
  counts.failures = failedNames.map((name) => {
    const message = messages.get(name)?.join('\n');
    return message ? { name, message } : { name };
  });
  return counts;
}

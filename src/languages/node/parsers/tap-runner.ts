import { emptyCounts, type TestCounts } from '../../parsers/types.js';
import { lines } from '../../parsers/text.js';

// node-tap's early runner (tap 0.x, as `tap test/*.js` in minimist 1.2.5 runs it): one line a file,
// `ok test/bool.js ......... 24/24` or `not ok test/proto.js ..... 19/22`, then
// `total ........ 160/163` and a closing `ok` / `not ok`. A failing file's own TAP is printed
// indented above its line.
const FILE = /^(not )?ok (\S+) \.+ (\d+)\/(\d+)$/;
const TOTAL = /^total \.+ (\d+)\/(\d+)$/;

/** Counts from the runner's total; each file is one named test, failing when any of its points did. */
export function parseTapRunnerOutput(output: string): TestCounts {
  const counts = emptyCounts();
  const passing: string[] = [];
  for (const line of lines(output)) {
    const file = FILE.exec(line);
    if (file?.[2]) {
      if (file[1]) counts.failures.push({ name: file[2] });
      else passing.push(file[2]);
      continue;
    }
    const total = TOTAL.exec(line);
    if (total?.[1] && total[2]) {
      counts.found = true;
      counts.passed = Number(total[1]);
      counts.failed = Number(total[2]) - Number(total[1]);
    }
  }
  if (!counts.found) return emptyCounts();
  if (passing.length > 0) counts.passedNames = passing;
  return counts;
}

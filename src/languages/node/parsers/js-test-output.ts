import { parseMochaOutput, parseVitestOrJestOutput } from './js-test-summary.js';
import { parseNodeTestOutput } from './node-test.js';
import { parseTapOutput } from './tap.js';
import { parseTapRunnerOutput } from './tap-runner.js';
import type { TestCounts } from '../../parsers/types.js';

/**
 * Whichever JavaScript runner's summary the output holds: vitest/jest, node-tap's early runner
 * (`ok test/x.js ..... 5/5`, `total ..... N/M`), TAP (tape), node --test,
 * mocha. TAP comes before node --test because both print `# tests N`, and only the TAP parser
 * reads tape's unnumbered-dash points; it steps aside when it sees node's `# Subtest:` headings.
 */
export function parseJsTestOutput(output: string): TestCounts {
  for (const parse of [
    parseVitestOrJestOutput,
    parseTapRunnerOutput,
    parseTapOutput,
    parseNodeTestOutput,
    parseMochaOutput,
  ]) {
    const counts = parse(output);
    if (counts.found) return counts;
  }
  return parseNodeTestOutput(output);
}

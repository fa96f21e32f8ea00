/**
 * Runs in a worker thread (see default-lint.ts): lints the texts it is given with ESLint's
 * `Linter` and autodev's default rules, and posts the findings back. It reads no file, no
 * configuration and no environment: everything comes in workerData, so a hostile repository can only
 * make it slow or crash it, which the parent bounds.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Linter } from 'eslint';
import { defaultJsConfig, type JsSourceType } from './default-lint-config.js';
import { JsLintJob, type JsLintFileResult } from './default-lint-protocol.js';

function lintOne(linter: Linter, file: string, text: string, sourceType: JsSourceType): Linter.LintMessage[] {
  const messages = linter.verify(text, defaultJsConfig(sourceType), { filename: file });
  const fatal = messages.some((m) => m.fatal === true);
  // A `.js` or `.jsx` file's module kind is a guess: an ESM file in a CommonJS package (or the
  // reverse) is not broken, so the other kind is tried before a parse error is reported.
  if (!fatal || !/\.jsx?$/.test(file)) return messages;
  const other: JsSourceType = sourceType === 'module' ? 'commonjs' : 'module';
  const retried = linter.verify(text, defaultJsConfig(other), { filename: file });
  return retried.some((m) => m.fatal === true) ? messages : retried;
}

function run(job: JsLintJob): JsLintFileResult[] {
  const linter = new Linter({ configType: 'flat' });
  return job.files.map(({ file, text, sourceType }) => {
    try {
      return { file, messages: lintOne(linter, file, text, sourceType) };
    } catch (error) {
      // A file deep enough to overflow the parser's or a rule's recursion: named, never skipped.
      return { file, crashed: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  });
}

parentPort?.postMessage(run(JsLintJob.parse(workerData)));

import type { Argv } from '../types.js';

/**
 * `go test` runs a few vet checks before it runs a package's tests, and a vet finding fails that
 * package's build. A newer Go vets more strictly (go 1.24+: "non-constant format string in call to
 * fmt.Fprintf"), so a module whose own test files trip today's vet has no test that can run, before
 * or after any change. Vet's findings are not test results: autodev runs `go vet` as the linter,
 * compared with the base, and then runs the tests with `-vet=off`.
 *
 * go test prints a vet failure under a `# [import/path]` header (a compile error's header is
 * `# import/path [import/path.test]`), in its text output and in -json's build-output lines.
 */
const VET_HEADER = /^# \[([^\]\s]+)\]$/m;
const VET_HEADER_JSON = /"Output":"# \[([^\]\s"]+)\]\\n"/;

/** The package whose vet step failed inside `go test`, or undefined when none did. */
export function vetFailedPackage(output: string): string | undefined {
  return VET_HEADER.exec(output)?.[1] ?? VET_HEADER_JSON.exec(output)?.[1];
}

/** `go test …` with -vet=off; undefined when argv is not a plain go test or already sets -vet. */
export function withVetOff(argv: Argv): Argv | undefined {
  if (argv[0] !== 'go' || argv[1] !== 'test') return undefined;
  if (argv.some((a) => a === '-vet' || a.startsWith('-vet=') || a.startsWith('--vet'))) return undefined;
  return ['go', 'test', '-vet=off', ...argv.slice(2)];
}

export function vetOffNote(pkg: string): string {
  return `go test's built-in vet check failed in ${pkg}, so no test could run: the tests ran with -vet=off, and go vet runs as the linter, compared with the base`;
}

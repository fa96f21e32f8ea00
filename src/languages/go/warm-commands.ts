/**
 * The commands autodev runs for a Go module unless the config overrides them. Shared by detection
 * and the standard-library seed (std-seed.ts): Go keys a compiled package (and vet's facts) by the
 * flags it was built with, so the seed is only reused when it runs exactly what a repo's setup runs.
 */
export const GO_COMMANDS: Readonly<Record<'setup' | 'build' | 'test' | 'lint', readonly string[]>> = {
  setup: ['go', 'mod', 'download'],
  build: ['go', 'build', './...'],
  test: ['go', 'test', '-json', './...'],
  lint: ['go', 'vet', '-json', './...'],
};

// Setup's check that go.sum covers every package and test; it caches what it learns about each
// package of the standard library too.
export const GO_SUM_CHECK: readonly string[] = ['go', 'list', '-deps', '-test', './...'];

// `-exec=true` builds the test binaries without running them: setup runs no repo code.
export const WARM_TEST: readonly string[] = ['go', 'test', '-exec=true', '-run=^$', './...'];

// Offline and on the installed toolchain: a missing module or a newer `go` line fails with
// Go's own message rather than a download attempt.
export const OFFLINE_ENV = { GOPROXY: 'off', GOTOOLCHAIN: 'local' };

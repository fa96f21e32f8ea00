/**
 * sha256 of each archive of the second case set, as its ecosystem's client fetched it: the PyPI sdist,
 * the .crate, the Go module zip (bench/localisation/fetch-*.ts check them). Keyed `ecosystem:name@version`.
 */
export const RELEASE_SHA256: Record<string, string> = {};

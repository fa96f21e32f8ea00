import { describe, expect, it } from 'vitest';
import type { SandboxResult } from '../sandbox/types.js';
import { looksMissing } from './run.js';

function result(exitCode: number, stderr: string): SandboxResult {
  return {
    exitCode,
    stdout: '',
    stderr,
    timedOut: false,
    cancelled: false,
    truncated: false,
    durationMs: 1,
  };
}

describe('looksMissing: the command itself, not any output saying "not found"', () => {
  it('is false for a failing test whose output ends a line with ": not found" (was COMMAND_NOT_FOUND)', () => {
    const out = result(1, 'E   AssertionError: user 42: not found\nFAILED test_users.py::test_get');
    expect(looksMissing(['python3', '-m', 'pytest'], out)).toBe(false);
    expect(looksMissing(['sh', '-c', 'pytest -q'], result(1, 'lookup: not found'))).toBe(false);
  });

  it('is false for a test raising "No module named" for a module other than the runner', () => {
    expect(
      looksMissing(['python3', '-m', 'pytest'], result(2, "E   ModuleNotFoundError: No module named 'yaml'")),
    ).toBe(false);
  });

  it('is true for the shell reporting the program it was asked to start, exit 127', () => {
    expect(looksMissing(['sh', '-c', 'CI=1 pytest -q'], result(127, 'sh: 1: pytest: not found'))).toBe(true);
    expect(looksMissing(['bash', '-c', 'jest'], result(127, 'bash: line 1: jest: command not found'))).toBe(
      true,
    );
  });

  it('is true for python -m without the module, and cargo without the subcommand', () => {
    expect(
      looksMissing(['python3', '-m', 'pytest'], result(1, '/usr/bin/python3: No module named pytest')),
    ).toBe(true);
    expect(looksMissing(['cargo', 'nextest', 'run'], result(101, 'error: no such command: `nextest`'))).toBe(
      true,
    );
  });
});

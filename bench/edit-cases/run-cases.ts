/**
 * Runs edit cases through autodev's own path, reply text → parseEdits → applyEdits with real git for
 * diffs, in one scratch repository, and sorts each outcome into applied correctly, refused correctly,
 * applied wrongly or refused wrongly (an applicable edit that was not applied).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { applyEdits } from '../../src/agent/edits/apply-edits.js';
import { parseEdits } from '../../src/agent/edits/parse-edits.js';
import { isAutodevError } from '../../src/errors.js';
import { createGitRunner } from '../../src/workspace/run-git.js';
import { createWorkspaceGit } from '../../src/workspace/workspace-git.js';
import type { EditCase, EditCaseKind } from './make-cases.js';

export const OUTCOMES = [
  'applied_correctly',
  'refused_correctly',
  'applied_wrongly',
  'refused_wrongly',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface CaseResult {
  id: string;
  kind: EditCaseKind;
  outcome: Outcome;
  /** The error's code and message when the edit was refused. */
  error?: string;
}

export type Tally = Record<Outcome, number> & { cases: number };

export async function runCases(cases: EditCase[]): Promise<CaseResult[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'autodev-edit-bench-'));
  try {
    execFileSync('git', ['init', '-q'], { cwd: dir });
    const workspaceGit = createWorkspaceGit({
      git: createGitRunner({ env: { PATH: process.env['PATH'], HOME: dir } }),
    });
    const results: CaseResult[] = [];
    for (const item of cases)
      results.push(await runCase(dir, item, (d, diff) => workspaceGit.applyUnifiedDiff(d, diff)));
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runCase(
  dir: string,
  item: EditCase,
  applyUnifiedDiff: (dir: string, diff: string) => Promise<string[]>,
): Promise<CaseResult> {
  const file = path.join(dir, item.path);
  await rm(path.join(dir, 'src'), { recursive: true, force: true });
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, item.before);
  let error: string | undefined;
  try {
    await applyEdits(dir, parseEdits(item.reply), { applyUnifiedDiff });
  } catch (raw) {
    if (!isAutodevError(raw)) throw raw;
    error = `${raw.code}: ${raw.message}`;
  }
  const after = await readFile(file, 'utf8');
  const changed = after !== item.before;
  let outcome: Outcome;
  if (item.expected === undefined) outcome = changed ? 'applied_wrongly' : 'refused_correctly';
  else if (!changed) outcome = 'refused_wrongly';
  // Byte for byte: a line the edit did not change keeps its whitespace, and the lines it wrote are
  // what the model wrote (a trimmed comparison hid 5.4% of "correct" cases that were not).
  else outcome = after === item.expected ? 'applied_correctly' : 'applied_wrongly';
  return { id: item.id, kind: item.kind, outcome, ...(error !== undefined ? { error } : {}) };
}

export function tally(results: CaseResult[], kind?: EditCaseKind): Tally {
  const counts: Tally = {
    applied_correctly: 0,
    refused_correctly: 0,
    applied_wrongly: 0,
    refused_wrongly: 0,
    cases: 0,
  };
  for (const result of results) {
    if (kind !== undefined && result.kind !== kind) continue;
    counts[result.outcome] += 1;
    counts.cases += 1;
  }
  return counts;
}

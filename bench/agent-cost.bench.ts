import { estimateTokens } from '../src/agent/context-window.js';
import { buildCodingMessages, buildRepairMessage } from '../src/agent/prompt.js';
import type { ChatMessage } from '../src/llm/types.js';
import type { BenchRow } from './types.js';

/**
 * Input tokens of a small fixture task's model calls, one implement round (read a file, then edit)
 * and one repair round (edit), with the task's one conversation against a fresh conversation per
 * round (the old behaviour). Tokens are estimated as the context window does (characters / 4), and
 * the cached share is what a provider's prefix cache could serve: each call's prefix that the
 * previous call of the same conversation already sent. A model of the cost, not a provider's bill.
 */
const FILE = `def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n`.repeat(40);
const FAILURE = `FAILED test_calc.py::test_add - assert -1 == 5\n${'E   assert -1 == 5\n'.repeat(60)}1 failed, 1 passed in 0.04s`;
const TASK = {
  task: { title: 'Fix add() in calc', description: 'add(2, 3) returns -1; it must return 5.' },
  files: Array.from({ length: 120 }, (_, i) => `src/module_${i}.py`),
  toolCalling: true,
};
const readCall: ChatMessage = {
  role: 'assistant',
  content: '',
  toolCalls: [{ id: 'c1', name: 'read_file', arguments: { path: 'calc.py' } }],
};
const readResult: ChatMessage = { role: 'tool', toolCallId: 'c1', content: FILE };
const edit = (id: string): ChatMessage => ({
  role: 'assistant',
  content: '',
  toolCalls: [{ id, name: 'apply_edit', arguments: { path: 'calc.py', search: 'a - b', replace: 'a + b' } }],
});
const editResult = (id: string): ChatMessage => ({
  role: 'tool',
  toolCallId: id,
  content: 'applied to calc.py',
});

interface Calls {
  requests: ChatMessage[][];
}

function tokensOf(calls: Calls): { input: number; cached: number } {
  let input = 0;
  let cached = 0;
  let previous: ChatMessage[] = [];
  for (const request of calls.requests) {
    input += estimateTokens(request);
    const shared =
      previous.length > 0 && request.slice(0, previous.length).every((m, i) => m === previous[i]);
    if (shared) cached += estimateTokens(previous);
    previous = request;
  }
  return { input, cached };
}

export function bench(): Promise<BenchRow[]> {
  const opening = buildCodingMessages(TASK);
  const round1 = [opening, [...opening, readCall, readResult]];
  const round1End = [...opening, readCall, readResult, edit('c2'), editResult('c2')];
  const repairMessage = buildRepairMessage({ round: 2, output: FAILURE });
  const reused: Calls = { requests: [...round1, [...round1End, repairMessage]] };
  // The old way: the repair round starts over and must read the file again.
  const freshOpening = buildCodingMessages({ ...TASK, failure: { round: 2, output: FAILURE } });
  const fresh: Calls = { requests: [...round1, freshOpening, [...freshOpening, readCall, readResult]] };
  const a = tokensOf(reused);
  const b = tokensOf(fresh);
  const row = (name: string, value: number, baselineValue: number, notes: string): BenchRow => ({
    name,
    baseline: 'a fresh conversation per round (before issue 15)',
    value,
    baselineValue,
    unit: 'tokens',
    ratio: value / baselineValue,
    runs: 1,
    notes,
  });
  return Promise.resolve([
    row('agent input tokens, implement + repair round', a.input, b.input, 'estimated, characters / 4'),
    row(
      'agent uncached input tokens, implement + repair round',
      a.input - a.cached,
      b.input - b.cached,
      `cached share ${((100 * a.cached) / a.input).toFixed(0)}% vs ${((100 * b.cached) / b.input).toFixed(0)}%`,
    ),
  ]);
}

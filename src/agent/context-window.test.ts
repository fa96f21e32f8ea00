import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../llm/types.js';
import { estimateTokens, fitToContext } from './context-window.js';

const call = (id: string): ChatMessage => ({
  role: 'assistant',
  content: '',
  toolCalls: [{ id, name: 'read_file', arguments: { path: 'a.ts' } }],
});
const output = (id: string, size: number): ChatMessage => ({
  role: 'tool',
  toolCallId: id,
  content: `${id}-head ${'x'.repeat(size)} ${id}-tail`,
});

const conversation: ChatMessage[] = [
  { role: 'system', content: 'system' },
  { role: 'user', content: 'the task' },
  call('c1'),
  output('c1', 20_000),
  call('c2'),
  output('c2', 20_000),
  call('c3'),
  output('c3', 20_000),
];

describe('fitToContext', () => {
  it('sends a conversation that fits untouched', () => {
    const fitted = fitToContext(conversation, [], { contextTokens: 100_000, replyTokens: 4_000 });
    expect(fitted).toEqual(conversation);
  });

  it('cuts old tool outputs, oldest first, to head and tail with a marker, and keeps the newest whole', () => {
    const budget = { contextTokens: 12_000, replyTokens: 1_000 };
    const fitted = fitToContext(conversation, [], budget);
    expect(estimateTokens(fitted)).toBeLessThanOrEqual(11_000);
    expect(fitted[7]).toEqual(conversation[7]);
    expect(fitted[3]?.content).toMatch(
      /^c1-head[\s\S]*characters of an old tool output left out[\s\S]*c1-tail$/,
    );
    expect(fitted.filter((m) => m.role !== 'tool')).toEqual(conversation.filter((m) => m.role !== 'tool'));
    // Deterministic: a replay sends the same request.
    expect(fitToContext(conversation, [], budget)).toEqual(fitted);
  });
});

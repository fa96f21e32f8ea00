import { describe, expect, it } from 'vitest';
import { parseTriggerCommand } from './commands.js';

describe('parseTriggerCommand', () => {
  it('reads the command word and the instruction after it', () => {
    expect(parseTriggerCommand('/autodev add sub(a, b)', '/autodev')).toEqual({
      kind: 'run',
      instruction: 'add sub(a, b)',
    });
    expect(parseTriggerCommand('  /autodev\n\nfix the parser\n', '/autodev')).toEqual({
      kind: 'run',
      instruction: 'fix the parser',
    });
    expect(parseTriggerCommand('/autodev', '/autodev')).toEqual({ kind: 'run', instruction: '' });
    expect(parseTriggerCommand('/autodev Cancel', '/autodev')).toEqual({ kind: 'cancel' });
    expect(parseTriggerCommand('/autodev retry', '/autodev')).toEqual({ kind: 'retry' });
    expect(parseTriggerCommand('/autodev revert ', '/autodev')).toEqual({ kind: 'revert' });
  });

  it('is no command unless the comment starts with the whole word', () => {
    expect(parseTriggerCommand('/autodevx do it', '/autodev')).toBeUndefined();
    expect(parseTriggerCommand('please /autodev do it', '/autodev')).toBeUndefined();
    expect(parseTriggerCommand('/bot do it', '/autodev')).toBeUndefined();
    expect(parseTriggerCommand('/bot do it', '/bot')).toEqual({ kind: 'run', instruction: 'do it' });
  });

  it('keeps a bounded instruction from a huge comment', () => {
    const parsed = parseTriggerCommand(`/autodev ${'x'.repeat(1_000_000)}`, '/autodev');
    expect(parsed?.kind).toBe('run');
    expect(parsed?.kind === 'run' && parsed.instruction.length).toBe(10_000);
  });
});

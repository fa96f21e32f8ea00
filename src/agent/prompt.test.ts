import { describe, expect, it } from 'vitest';
import { buildCodingMessages } from './prompt.js';

const task = {
  title: 'Fix add',
  description: 'add() subtracts instead of adding.',
  constraints: ['Do not change the public API'],
  acceptance: ['add(2, 3) returns 5'],
};

describe('buildCodingMessages', () => {
  it('puts the task, its constraints, acceptance criteria, files, code and test command in the user message', () => {
    const [system, user] = buildCodingMessages({
      task,
      files: ['src/add.ts', 'test/add.test.ts'],
      snippets: [{ path: 'src/add.ts', content: 'return a - b;' }],
      testCommand: 'npm test',
      toolCalling: true,
    });
    expect(system?.role).toBe('system');
    expect(system?.content).toContain('apply_edit');
    for (const part of [
      '# Task: Fix add',
      'add() subtracts',
      '- Do not change the public API',
      '- add(2, 3) returns 5',
      'test/add.test.ts',
      'return a - b;',
      '`npm test`',
    ]) {
      expect(user?.content).toContain(part);
    }
    expect(user?.content).not.toContain('Repair round');
  });

  it('tells a model without tools to answer with a diff or SEARCH/REPLACE blocks', () => {
    const [system] = buildCodingMessages({ task, files: [], toolCalling: false });
    expect(system?.content).toContain('```diff');
    expect(system?.content).toContain('<<<<<<< SEARCH');
    expect(system?.content).not.toContain('apply_edit');
  });

  it('truncates the file list and keeps both ends of long failure output on a repair round', () => {
    const files = Array.from({ length: 50 }, (_, i) => `f${i}.ts`);
    const output = `FIRST-ERROR ${'x'.repeat(5_000)} LAST-SUMMARY`;
    const [, user] = buildCodingMessages({
      task,
      files,
      failure: { round: 2, output },
      toolCalling: true,
      maxFiles: 10,
      maxFailureChars: 1_000,
    });
    expect(user?.content).toContain('f9.ts');
    expect(user?.content).not.toContain('f10.ts');
    expect(user?.content).toContain('and 40 more files');
    expect(user?.content).toContain('Repair round 2');
    expect(user?.content).toContain('FIRST-ERROR');
    expect(user?.content).toContain('LAST-SUMMARY');
    expect(user?.content.length).toBeLessThan(3_000);
  });

  it('fences file content with more backticks than it holds, so a snippet cannot end its block', () => {
    const [, user] = buildCodingMessages({
      task,
      files: [],
      snippets: [{ path: 'README.md', content: '```sh\nnpm test\n```' }],
      toolCalling: true,
    });
    expect(user?.content).toContain('````\n```sh');
  });
});

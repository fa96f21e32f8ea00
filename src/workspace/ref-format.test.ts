import { describe, expect, it } from 'vitest';
import { isValidRefName } from './ref-format.js';
import { createGitRunner } from './run-git.js';

const git = createGitRunner({ env: process.env });

/** git's own answer, the reference the in-process check must match. */
async function gitAccepts(ref: string): Promise<boolean> {
  const res = await git(['check-ref-format', ref], { okExitCodes: [1] });
  return res.exitCode === 0;
}

const TRICKY = [
  'refs/heads/main',
  'refs/heads/autodev/01abc-fix-the-hash',
  'refs/autodev/changes/task-1/2',
  'main',
  '@',
  'refs/heads/@',
  'refs/heads/a@b',
  'refs/heads/a@{1}',
  'refs/heads/a..b',
  'refs/heads/a.',
  'refs/heads/a./b',
  'refs/heads/.a',
  'refs/heads/a/.b',
  'refs/heads/a.lock',
  'refs/heads/a.lock/b',
  'refs/heads/a.locked',
  'refs/heads//a',
  'refs/heads/a/',
  '/refs/heads/a',
  'refs/heads/a b',
  'refs/heads/a\tb',
  'refs/heads/a~1',
  'refs/heads/a^',
  'refs/heads/a:b',
  'refs/heads/a?',
  'refs/heads/a*',
  'refs/heads/[a',
  'refs/heads/a\\b',
  'refs/heads/a\u007f',
  'refs/heads/a\u0001',
  'refs/heads/ünïcode',
  'refs/heads/emoji-😀',
  'refs/heads/-leading-dash',
  'refs/heads/a{b}',
  'refs/heads/a@',
  'refs/heads/{',
  'refs/heads/a/b/c/d',
  'refs/heads/.',
  'refs/heads/..',
];

/** Names drawn from the characters git treats specially, so the rules meet each other. */
function randomNames(count: number, seed: number): string[] {
  const alphabet = ['a', 'b', '.', '/', '@', '{', '}', 'lock', '-', ' ', '~', '*', 'é'];
  let state = seed;
  const next = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state;
  };
  return Array.from({ length: count }, () => {
    const length = 1 + (next() % 8);
    const body = Array.from({ length }, () => alphabet[next() % alphabet.length] ?? '').join('');
    return `refs/${body}`;
  });
}

describe('isValidRefName', () => {
  it('accepts and refuses the same tricky names as git check-ref-format', async () => {
    for (const ref of TRICKY) {
      expect({ ref, valid: isValidRefName(ref) }).toEqual({ ref, valid: await gitAccepts(ref) });
    }
  });

  it('agrees with git check-ref-format on 100 random names built from its special characters', async () => {
    for (const ref of randomNames(100, 14)) {
      expect({ ref, valid: isValidRefName(ref) }).toEqual({ ref, valid: await gitAccepts(ref) });
    }
  });
});

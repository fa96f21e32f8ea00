import { describe, expect, it } from 'vitest';
import type { TaskRepo } from '../domain/task.js';
import { consumerWorkspaceId, owningTaskId, repoNames } from './task-workspaces.js';

const repo = (repo_normalized: string, role: TaskRepo['role'] = 'consumer'): TaskRepo => ({
  repo: repo_normalized,
  repo_normalized,
  base_branch: 'main',
  role,
});

describe("the names of a task's repositories", () => {
  it('are the last segment of each, without .git, numbered by place when two share one', () => {
    expect(
      repoNames([
        repo('github.com/acme/parser', 'library'),
        repo('github.com/acme/api.git'),
        repo('gitlab.com/other/api'),
        repo('/srv/git/cli'),
      ]),
    ).toEqual(['parser', 'api-2', 'api-3', 'cli']);
  });

  it('keep only letters, digits, dot, dash and underscore, and never start with a dot', () => {
    const names = repoNames([
      repo('/srv/git/<img src=x>/app name', 'library'),
      repo('/srv/git/..'),
      repo('/srv/git/.hidden'),
      repo(`/srv/git/${'x'.repeat(100)}`),
    ]);
    expect(names).toEqual(['app-name', 'repo-2', 'repo-3', 'x'.repeat(40)]);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/);
  });

  it("a consumer's workspace id belongs to its task, and the task's own to itself", () => {
    expect(consumerWorkspaceId('01abc', 2)).toBe('01abc.repo-2');
    expect(owningTaskId('01abc.repo-2')).toBe('01abc');
    expect(owningTaskId('01abc')).toBe('01abc');
  });
});

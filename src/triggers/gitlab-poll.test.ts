import { describe, expect, it } from 'vitest';
import {
  pollGitlabIssues,
  type GitlabLabelEvent,
  type GitlabPolledIssue,
  type GitlabPolledNote,
  type GitlabPollSource,
} from './gitlab-poll.js';

const CURSOR = '2026-03-01T10:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(CURSOR) + seconds * 1000).toISOString();

const issue: GitlabPolledIssue = {
  iid: 7,
  title: 'Add sub',
  description: null,
  labels: [],
  assignees: [{ username: 'autodev' }],
  author: { username: 'mallory' },
  created_at: at(-3600),
  updated_at: at(30),
};

/** One project holding `issue` with these notes and label events, as GitLab would answer. */
function source(notes: GitlabPolledNote[], labelEvents: GitlabLabelEvent[] = []): GitlabPollSource {
  return {
    label: 'autodev',
    command: '/autodev',
    bot: 'autodev',
    newestUpdate: () => Promise.resolve(issue.updated_at),
    issuesSince: () => Promise.resolve([issue]),
    notesSince: (_iid, sinceMs) => Promise.resolve(notes.filter((n) => Date.parse(n.created_at) >= sinceMs)),
    labelEvents: () => Promise.resolve(labelEvents),
    mergeRequestsSince: () => Promise.resolve([]),
    mergeRequestNotesSince: () => Promise.resolve([]),
    pageSize: 100,
    project: () =>
      Promise.resolve({ repo: 'https://gitlab.example/team/app.git', baseBranch: 'main', path: 'team/app' }),
  };
}

const systemNote = (id: number, body: string, by: string, seconds: number): GitlabPolledNote => ({
  id,
  body,
  author: { username: by },
  created_at: at(seconds),
  system: true,
});

describe('the GitLab poll reads assignments from the system notes GitLab writes for them', () => {
  it('the bot among several assignees is an assignment by who assigned', async () => {
    const notes = [systemNote(1, 'assigned to @alice, @autodev and @bob and unassigned @carol', 'alice', 10)];
    const { events, cursor } = await pollGitlabIssues(source(notes), CURSOR);
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'issue',
        action: 'assigned',
        key: 'gitlab:assigned:team/app#7',
        actor: 'alice',
      }),
    ]);
    expect(cursor).toBe(issue.updated_at);
  });

  it('the bot unassigned, a user whose name only starts like the bot, or a comment quoting the text is none', async () => {
    const notes = [
      systemNote(1, 'assigned to @alice and unassigned @autodev', 'alice', 10),
      systemNote(2, 'assigned to @autodev-fan', 'alice', 11),
      { ...systemNote(3, 'assigned to @autodev', 'mallory', 12), system: false },
    ];
    expect((await pollGitlabIssues(source(notes), CURSOR)).events).toEqual([]);
  });

  it('an assignment from before the cursor is not read again', async () => {
    const notes = [systemNote(1, 'assigned to @autodev', 'alice', -10)];
    expect((await pollGitlabIssues(source(notes), CURSOR)).events).toEqual([]);
  });

  it('the label added by a writer is a trigger by the writer; the first poll returns it as history only', async () => {
    const labelled = { ...issue, labels: ['autodev'], assignees: [] };
    const events: GitlabLabelEvent[] = [
      { user: { username: 'alice' }, created_at: at(20), action: 'add', label: { name: 'autodev' } },
    ];
    const from = { ...source([], events), issuesSince: () => Promise.resolve([labelled]) };
    const polled = await pollGitlabIssues(from, CURSOR);
    expect(polled.events).toEqual([
      expect.objectContaining({ action: 'labeled', key: 'gitlab:labeled:team/app#7', actor: 'alice' }),
    ]);
    const first = await pollGitlabIssues({ ...from, newestUpdate: () => Promise.resolve(CURSOR) }, undefined);
    expect(first).toEqual({ events: [], cursor: issue.updated_at, history: ['gitlab:labeled:team/app#7'] });
  });
});

describe('the GitLab poll of merge requests and its cursor', () => {
  const mr = { iid: 3, title: 'Add sub', description: 'Closes #7', labels: [], updated_at: at(90) };

  it('an /autodev note on a merge request is a comment on a pull request, under the note hook key', async () => {
    const note: GitlabPolledNote = {
      id: 41,
      body: '/autodev cancel',
      author: { username: 'alice' },
      created_at: at(80),
      system: false,
    };
    const from = {
      ...source([]),
      issuesSince: () => Promise.resolve([]),
      mergeRequestsSince: () => Promise.resolve([mr]),
      mergeRequestNotesSince: () => Promise.resolve([note]),
    };
    const { events, cursor } = await pollGitlabIssues(from, CURSOR);
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'comment',
        key: 'gitlab:note:41',
        actor: 'alice',
        issue: expect.objectContaining({ number: 3, isPullRequest: true }),
      }),
    ]);
    expect(cursor).toBe(mr.updated_at);
  });

  it('a full page of issues holds the cursor at its newest, though merge requests were updated later', async () => {
    const from = { ...source([]), pageSize: 1, mergeRequestsSince: () => Promise.resolve([mr]) };
    expect((await pollGitlabIssues(from, CURSOR)).cursor).toBe(issue.updated_at);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { createTriggerSource } from './index.js';
import type { TriggerSource } from './types.js';

/** The trigger source `[autodev] provider` names, built from a config file as autodev reads it. */
function sourceFor(provider: 'gitea' | 'gitlab'): TriggerSource {
  const file = join(mkdtempSync(join(tmpdir(), 'triggers-')), 'autodev.toml');
  writeFileSync(
    file,
    `[autodev]\nprovider = "${provider}"\n[autodev.git]\napi_url = "https://${provider}.example"\n` +
      '[autodev.triggers]\nbot_account = "autodev-bot"\n',
  );
  // Only the local forge's source keeps its issues in the store; the hosted forges' read none.
  const source = createTriggerSource(loadConfig({ file, env: {} }), {
    store: undefined as never,
  });
  if (!source) throw new Error(`no trigger source for ${provider}`);
  return source;
}

const delivery = (headers: Record<string, string>, body: unknown) => ({
  headers,
  rawBody: Buffer.from(JSON.stringify(body)),
});

describe('Gitea label, assignment and comment events as triggers', () => {
  const gitea = sourceFor('gitea');
  const repository = {
    full_name: 'team/app',
    clone_url: 'https://gitea.example/team/app.git',
    default_branch: 'main',
  };
  const issue = (labels: string[], assignees: string[] = []) => ({
    number: 3,
    title: 'Add sub',
    body: 'calc.py',
    labels: labels.map((name) => ({ name })),
    assignees: assignees.map((login) => ({ login })),
  });
  const event = (name: string, body: Record<string, unknown>) =>
    gitea.fromWebhook(
      delivery({ 'x-gitea-event': name }, { repository, sender: { login: 'alice' }, ...body }),
    );

  it('an issue whose labels now hold the trigger label is one labelled trigger, keyed by the issue', () => {
    const [trigger, ...more] = event('issue_label', {
      action: 'label_updated',
      issue: issue(['bug', 'autodev']),
    });
    expect(more).toEqual([]);
    expect(trigger).toMatchObject({
      kind: 'issue',
      action: 'labeled',
      label: 'autodev',
      key: 'gitea:labeled:team/app#3',
      repo: repository.clone_url,
      baseBranch: 'main',
      actor: 'alice',
    });
    expect(event('issue_label', { action: 'label_updated', issue: issue(['bug']) })).toEqual([]);
  });

  it('an issue assigned to the bot is a trigger; to someone else it is none', () => {
    expect(event('issue_assign', { action: 'assigned', issue: issue([], ['autodev-bot']) })[0]).toMatchObject(
      { kind: 'issue', action: 'assigned', assignee: 'autodev-bot' },
    );
    expect(event('issue_assign', { action: 'assigned', issue: issue([], ['bob']) })).toEqual([]);
  });

  it('a created comment on a pull request is a trigger on it; an edited comment is none', () => {
    const comment = { id: 77, body: '/autodev cancel', user: { login: 'alice' }, updated_at: 'x' };
    const onPull = { ...issue([]), pull_request: { merged: false } };
    expect(event('pull_request_comment', { action: 'created', issue: onPull, comment })[0]).toMatchObject({
      kind: 'comment',
      key: 'gitea:comment:77',
      issue: { number: 3, isPullRequest: true },
    });
    expect(event('issue_comment', { action: 'edited', issue: issue([]), comment })).toEqual([]);
  });
});

describe('GitLab issue and note hooks as triggers', () => {
  const gitlab = sourceFor('gitlab');
  const project = {
    path_with_namespace: 'group/sub/app',
    git_http_url: 'https://gitlab.example/group/sub/app.git',
    default_branch: 'trunk',
  };
  const attrs = { iid: 9, title: 'Add sub', description: 'calc.py', action: 'update' };
  const hook = (name: string, body: Record<string, unknown>) =>
    gitlab.fromWebhook(
      delivery({ 'x-gitlab-event': name }, { user: { username: 'alice' }, project, ...body }),
    );
  const titles = (...names: string[]) => names.map((title) => ({ title }));

  it('the trigger label added by an update is one labelled trigger; a label it already had is none', () => {
    const [trigger] = hook('Issue Hook', {
      object_attributes: attrs,
      labels: titles('autodev'),
      changes: { labels: { previous: [], current: titles('autodev') } },
    });
    expect(trigger).toMatchObject({
      kind: 'issue',
      action: 'labeled',
      key: 'gitlab:labeled:group/sub/app#9',
      repo: project.git_http_url,
      baseBranch: 'trunk',
      issue: { number: 9, labels: ['autodev'], isPullRequest: false },
    });
    expect(
      hook('Issue Hook', {
        object_attributes: attrs,
        labels: titles('autodev', 'bug'),
        changes: { labels: { previous: titles('autodev'), current: titles('autodev', 'bug') } },
      }),
    ).toEqual([]);
  });

  it('the bot added to the assignees is an assigned trigger', () => {
    expect(
      hook('Issue Hook', {
        object_attributes: attrs,
        changes: { assignees: { previous: [], current: [{ username: 'Autodev-Bot' }] } },
      })[0],
    ).toMatchObject({ kind: 'issue', action: 'assigned', assignee: 'autodev-bot' });
  });

  it('a new note on a merge request is a comment trigger on it; an updated note is none', () => {
    const note = (action: string) => ({
      object_attributes: { id: 501, note: '/autodev retry', noteable_type: 'MergeRequest', action },
      merge_request: { iid: 4, title: 'autodev: add sub', description: '' },
    });
    expect(hook('Note Hook', note('create'))[0]).toMatchObject({
      kind: 'comment',
      key: 'gitlab:note:501',
      actor: 'alice',
      issue: { number: 4, isPullRequest: true },
      comment: { id: '501', body: '/autodev retry' },
    });
    expect(hook('Note Hook', note('update'))).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createFixtureRepo, type FixtureRepo } from '../fixtures/repo.js';
import { api, submitTask, waitForTerminal } from '../helpers/api-client.js';
import {
  detailFields,
  parseErrorBody,
  parseTaskList,
  seedTask,
  startTestRuntime,
  TASKS,
  type TestRuntime,
} from '../helpers/runtime.js';

const reposView = z.object({
  id: z.string(),
  repo: z.string(),
  base_branch: z.string(),
  status: z.string(),
  repos: z.array(
    z.object({ repo: z.string(), base_branch: z.string(), role: z.enum(['library', 'consumer']) }),
  ),
});

/** A multi-repo body: `seedTask` without its single repo, with `repos` instead. */
const multiRepoTask = (repos: unknown[], overrides: Record<string, unknown> = {}) => {
  const { repo: _repo, base_branch: _base, ...rest } = seedTask();
  return { ...rest, repos, ...overrides };
};

// The scheduler is not started here: accepted tasks stay queued, so nothing needs a repository.
describe('POST /tasks with repos: a library and its consumers', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime({ configToml: '[autodev]\nallowlist_repos = ["github.com/acme/*"]\n' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (body: Record<string, unknown>) => t.app.inject({ method: 'POST', url: TASKS, payload: body });

  it('stores every repository, the library first and as the task repo; GET returns them', async () => {
    const res = await post(
      multiRepoTask([
        { repo: 'https://github.com/acme/web', role: 'consumer' },
        { repo: 'https://github.com/acme/lib', base_branch: 'release/1.x', role: 'library' },
        { repo: 'git@github.com:acme/cli.git', base_branch: 'dev', role: 'consumer' },
      ]),
    );
    expect(res.statusCode, res.body).toBe(201);
    const created = reposView.parse(JSON.parse(res.body));
    expect(created).toMatchObject({ repo: 'https://github.com/acme/lib', base_branch: 'release/1.x' });
    const shown = reposView.parse(JSON.parse((await t.app.inject({ url: `${TASKS}/${created.id}` })).body));
    expect(shown.repos).toEqual([
      { repo: 'https://github.com/acme/lib', base_branch: 'release/1.x', role: 'library' },
      { repo: 'https://github.com/acme/web', base_branch: 'main', role: 'consumer' },
      { repo: 'git@github.com:acme/cli.git', base_branch: 'dev', role: 'consumer' },
    ]);
  });

  it('lists the one repository of a task submitted with repo as its library', async () => {
    const res = await post(seedTask({ repo: 'https://github.com/acme/solo', base_branch: 'trunk' }));
    expect(res.statusCode).toBe(201);
    expect(reposView.parse(JSON.parse(res.body)).repos).toEqual([
      { repo: 'https://github.com/acme/solo', base_branch: 'trunk', role: 'library' },
    ]);
  });

  const lib = { repo: 'https://github.com/acme/lib', role: 'library' };
  const app = { repo: 'https://github.com/acme/app', role: 'consumer' };
  const refusals: [string, Record<string, unknown>, string[], string][] = [
    ['neither repo nor repos', multiRepoTask([], { repos: undefined }), ['body.repo'], 'repos'],
    ['both repo and repos', multiRepoTask([lib, app], { repo: lib.repo }), ['body.repos'], 'not both'],
    [
      'a top-level base_branch with repos',
      multiRepoTask([lib, app], { base_branch: 'main' }),
      ['body.base_branch'],
      'own base_branch',
    ],
    [
      'no library',
      multiRepoTask([app, { ...app, repo: 'https://github.com/acme/b' }]),
      ['body.repos'],
      'found 0',
    ],
    [
      'two libraries',
      multiRepoTask([lib, { ...lib, repo: 'https://github.com/acme/b' }]),
      ['body.repos'],
      'found 2',
    ],
    ['a repository listed twice', multiRepoTask([lib, app, app]), ['body.repos.2.repo'], 'repos.1.repo'],
    ['an unknown role', multiRepoTask([lib, { ...app, role: 'service' }]), ['body.repos.1.role'], 'consumer'],
    ['an entry without repo', multiRepoTask([lib, { role: 'consumer' }]), ['body.repos.1.repo'], ''],
    [
      'a bad base branch',
      multiRepoTask([lib, { ...app, base_branch: 'a..b' }]),
      ['body.repos.1.base_branch'],
      'branch',
    ],
    ['an unknown key in an entry', multiRepoTask([lib, { ...app, path: 'x' }]), ['body.repos.1.path'], ''],
    ['an empty list', multiRepoTask([]), ['body.repos'], ''],
  ];
  it.each(refusals)('refuses %s with 400 naming the field', async (_name, body, fields, words) => {
    const before = parseTaskList((await t.app.inject({ url: TASKS })).body).tasks.length;
    const res = await post(body);
    expect(res.statusCode, res.body).toBe(400);
    const error = parseErrorBody(res.body);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(detailFields(error)).toEqual(fields);
    expect(error.message).toContain(words);
    expect(parseTaskList((await t.app.inject({ url: TASKS })).body).tasks.length).toBe(before);
  });

  it('refuses more than 8 repositories naming repos', async () => {
    const consumers = Array.from({ length: 8 }, (_, i) => ({
      ...app,
      repo: `https://github.com/acme/c${i}`,
    }));
    const res = await post(multiRepoTask([lib, ...consumers]));
    expect(res.statusCode).toBe(400);
    expect(detailFields(parseErrorBody(res.body))).toEqual(['body.repos']);
  });

  it('refuses one repository under two spellings (https and scp-like ssh), naming the second entry', async () => {
    const res = await post(multiRepoTask([lib, { repo: 'git@github.com:acme/lib.git', role: 'consumer' }]));
    expect(res.statusCode).toBe(400);
    const error = parseErrorBody(res.body);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain('repos.1.repo');
    expect(error.message).toContain('github.com/acme/lib');
  });

  it('refuses a consumer outside allowlist_repos with 403 naming it, storing nothing', async () => {
    const before = parseTaskList((await t.app.inject({ url: TASKS })).body).tasks.length;
    const res = await post(multiRepoTask([lib, { repo: 'https://github.com/other/app', role: 'consumer' }]));
    expect(res.statusCode).toBe(403);
    const error = parseErrorBody(res.body);
    expect(error.code).toBe('REPO_NOT_ALLOWED');
    expect(error.message).toContain('github.com/other/app');
    expect(parseTaskList((await t.app.inject({ url: TASKS })).body).tasks.length).toBe(before);
  });
});

// Until a workspace per repository, linking, a pull request per repository and their ordered merge
// are built, a task of several repositories must end at once, never run on its library alone.
describe('a multi-repo task run by the scheduler', () => {
  let t: TestRuntime;
  let library: FixtureRepo;
  let consumer: FixtureRepo;
  beforeAll(async () => {
    const files = {
      'README.md': '# fixture\n',
      '.autodev.toml': 'language = "python"\n\n[commands]\nsetup = "true"\ntest = "true"\nlint = "true"\n',
    };
    library = await createFixtureRepo({ files });
    consumer = await createFixtureRepo({ files });
    t = await startTestRuntime({ start: true });
  });
  afterAll(async () => {
    await t?.close();
    await library?.cleanup();
    await consumer?.cleanup();
  });

  it('prepares a workspace for each repository, the consumer steps named by it', async () => {
    const created = await submitTask(
      t.baseUrl,
      multiRepoTask([
        { repo: library.origin, role: 'library' },
        { repo: consumer.origin, role: 'consumer' },
      ]),
    );
    const task = await waitForTerminal(t.baseUrl, created.id, 60_000);
    expect(task.status).toBe('failed');
    const keys = task.steps.filter((s) => s.status === 'succeeded').map((s) => s.key);
    // The fixtures' origins share their last segment: the consumer is named by it and its place.
    const name = `${(consumer.origin.split('/').pop() ?? '').replace(/\.git$/, '')}-2`;
    expect(keys).toEqual(
      expect.arrayContaining([
        'prepare.git_clone#1',
        `prepare.git_clone@${name}#1`,
        `prepare.file_list@${name}#1`,
        `setup.setup@${name}#1`,
        `prepare.test@${name}#1`,
      ]),
    );
    expect(task.branch).toMatch(/^autodev\//);
    const events = await api(t.baseUrl, `${TASKS}/${created.id}/events`);
    const types = z.object({ events: z.array(z.object({ type: z.string() })) }).parse(events.body);
    expect(types.events.map((e) => e.type)).toContain('task.failed');
    expect(types.events.map((e) => e.type)).not.toContain('pr.opened');
  });
});

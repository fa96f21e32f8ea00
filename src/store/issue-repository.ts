import type { Kysely, Selectable } from 'kysely';
import type { Redact } from '../secrets/redact.js';
import type { Database, IssueCommentsTable, IssuesTable } from './tables.js';

/** An issue of the local forge. Its number is its id. */
export interface Issue {
  id: number;
  repo: string;
  repo_normalized: string;
  base_branch: string;
  title: string;
  body: string;
  labels: string[];
  author: string;
  state: 'open' | 'closed';
  created_at: string;
  updated_at: string;
}

export interface IssueComment {
  id: number;
  issue_id: number;
  body: string;
  author: string;
  created_at: string;
  updated_at: string;
}

export interface NewIssue {
  repo: string;
  repo_normalized: string;
  base_branch: string;
  title: string;
  body: string;
  labels: string[];
  author: string;
}

/** The local forge's issues and their comments; every text written passes the redactor. */
export interface IssueRepository {
  create(issue: NewIssue): Promise<Issue>;
  get(id: number): Promise<Issue | undefined>;
  /** Issues of one repo (normalized), newest first. */
  list(repoNormalized: string, limit: number): Promise<Issue[]>;
  setState(id: number, state: Issue['state']): Promise<void>;
  addComment(issueId: number, author: string, body: string): Promise<IssueComment>;
  /** Rewrites a comment in place (autodev's status comment is one comment kept current). */
  updateComment(id: number, body: string): Promise<void>;
  comments(issueId: number): Promise<IssueComment[]>;
}

export function createIssueRepository(db: Kysely<Database>, redact: Redact): IssueRepository {
  return {
    async create(issue) {
      const now = new Date().toISOString();
      const row = {
        repo: issue.repo,
        repo_normalized: issue.repo_normalized,
        base_branch: issue.base_branch,
        title: redact(issue.title),
        body: redact(issue.body),
        labels_json: JSON.stringify(issue.labels),
        author: issue.author,
        state: 'open',
        created_at: now,
        updated_at: now,
      };
      const { id } = await db.insertInto('issues').values(row).returning('id').executeTakeFirstOrThrow();
      return toIssue({ ...row, id });
    },
    async get(id) {
      const row = await db.selectFrom('issues').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toIssue(row);
    },
    async list(repoNormalized, limit) {
      const rows = await db
        .selectFrom('issues')
        .selectAll()
        .where('repo_normalized', '=', repoNormalized)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toIssue);
    },
    async setState(id, state) {
      await db
        .updateTable('issues')
        .set({ state, updated_at: new Date().toISOString() })
        .where('id', '=', id)
        .execute();
    },
    async addComment(issueId, author, body) {
      const now = new Date().toISOString();
      const row = { issue_id: issueId, author, body: redact(body), created_at: now, updated_at: now };
      const { id } = await db
        .insertInto('issue_comments')
        .values(row)
        .returning('id')
        .executeTakeFirstOrThrow();
      return { ...row, id };
    },
    async updateComment(id, body) {
      await db
        .updateTable('issue_comments')
        .set({ body: redact(body), updated_at: new Date().toISOString() })
        .where('id', '=', id)
        .execute();
    },
    async comments(issueId) {
      return db
        .selectFrom('issue_comments')
        .selectAll()
        .where('issue_id', '=', issueId)
        .orderBy('id')
        .execute() as Promise<Selectable<IssueCommentsTable>[]>;
    },
  };
}

function toIssue(row: Selectable<IssuesTable>): Issue {
  const { labels_json, state, ...rest } = row;
  return {
    ...rest,
    labels: JSON.parse(labels_json) as string[],
    state: state === 'closed' ? 'closed' : 'open',
  };
}

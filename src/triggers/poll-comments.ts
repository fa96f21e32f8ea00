import type { PollResult, TriggerEvent, TriggerIssue } from './types.js';

/** A comment as a forge's "comments of a repository since" list gives it. */
export interface PolledComment {
  id: number;
  body: string;
  author: string;
  /** The issue or pull request it is on (from its URL); undefined when the forge did not say. */
  issueNumber: number | undefined;
  /** The forge's timestamp, ISO 8601: the cursor. */
  updatedAt: string;
}

export interface CommentPollSource {
  /** `/autodev`: only comments starting with it are read further. */
  command: string;
  /** The repository's comments updated at or after `since` (inclusive, as the forges answer). */
  list(since: string): Promise<PolledComment[]>;
  issue(number: number): Promise<TriggerIssue>;
  /** Where the repository's tasks start: its clone URL and default branch. */
  repository(): Promise<{ repo: string; baseBranch: string }>;
  /** The key a webhook gives the same comment, so both take it once. */
  key(commentId: number): string;
}

/** With no comment on the repository yet, every comment from now on is new. */
const EPOCH = '1970-01-01T00:00:00Z';

/**
 * One poll of a repository's comments since `cursor`, as triggers. Without a cursor it only records
 * where to start: the requests already there are returned as history (taken, never acted on).
 */
export async function pollComments(
  source: CommentPollSource,
  cursor: string | undefined,
): Promise<PollResult> {
  const comments = await source.list(cursor ?? EPOCH);
  // Compared as instants, kept as UTC: Gitea answers in its server's time zone (`+01:00`).
  const latestMs = comments.reduce((max, c) => Math.max(max, Date.parse(c.updatedAt) || 0), 0);
  const latest = new Date(Math.max(latestMs, Date.parse(cursor ?? EPOCH) || 0)).toISOString();
  const requests = comments.filter((c) => c.body.trimStart().startsWith(source.command));
  if (cursor === undefined) {
    return { events: [], cursor: latest, history: requests.map((c) => source.key(c.id)) };
  }
  if (requests.length === 0) return { events: [], cursor: latest, history: [] };
  const where = await source.repository();
  const issues = new Map<number, TriggerIssue>();
  const events: TriggerEvent[] = [];
  for (const c of requests) {
    if (c.issueNumber === undefined) continue;
    let on = issues.get(c.issueNumber);
    if (!on) {
      on = await source.issue(c.issueNumber);
      issues.set(c.issueNumber, on);
    }
    events.push({
      kind: 'comment',
      key: source.key(c.id),
      ...where,
      actor: c.author,
      issue: on,
      comment: { id: String(c.id), body: c.body },
    });
  }
  return { events, cursor: latest, history: [] };
}

import { z } from 'zod';
import type { PollResult, TriggerEvent, TriggerIssue } from './types.js';

const user = z.object({ username: z.string().min(1).max(255) });
const stamp = z.string().max(40);

/** An issue as GitLab's project issue list gives it (labels as names). */
export const gitlabPolledIssue = z.object({
  iid: z.number().int().positive(),
  title: z.string().max(1024),
  description: z.string().max(1_000_000).nullish(),
  labels: z.array(z.string().max(255)).max(500).nullish(),
  assignees: z.array(user).max(100).nullish(),
  author: user,
  created_at: stamp,
  updated_at: stamp,
});
export type GitlabPolledIssue = z.infer<typeof gitlabPolledIssue>;

/** A merge request as GitLab's project merge request list gives it. */
export const gitlabPolledMergeRequest = z.object({
  iid: z.number().int().positive(),
  title: z.string().max(1024),
  description: z.string().max(1_000_000).nullish(),
  labels: z.array(z.string().max(255)).max(500).nullish(),
  updated_at: stamp,
});
export type GitlabPolledMergeRequest = z.infer<typeof gitlabPolledMergeRequest>;

/** A note on an issue: a comment, or a system note (GitLab's record of an assignment). */
export const gitlabPolledNote = z.object({
  id: z.number().int().positive(),
  body: z.string().max(1_000_000),
  author: user,
  created_at: stamp,
  system: z.boolean().default(false),
});
export type GitlabPolledNote = z.infer<typeof gitlabPolledNote>;

/** Who added or removed a label, and when (GitLab's resource label events). */
export const gitlabLabelEvent = z.object({
  user: user.nullish(),
  created_at: stamp,
  action: z.string().max(20),
  label: z.object({ name: z.string().max(255) }).nullish(),
});
export type GitlabLabelEvent = z.infer<typeof gitlabLabelEvent>;

/** The GitLab reads one poll makes, for one project. */
export interface GitlabPollSource {
  /** `[autodev.triggers]` label, command and bot account (lower case), as the webhook path reads them. */
  label: string;
  command: string;
  bot: string | undefined;
  /** The project's most recently updated issue's time, or undefined when it has no issue. */
  newestUpdate(): Promise<string | undefined>;
  /** Issues updated at or after `since` (inclusive, as GitLab answers), oldest update first. */
  issuesSince(since: string): Promise<GitlabPolledIssue[]>;
  /** An issue's notes created at or after `sinceMs` (comments and system notes), any order. */
  notesSince(iid: number, sinceMs: number): Promise<GitlabPolledNote[]>;
  /** Merge requests updated at or after `since`, oldest update first. */
  mergeRequestsSince(since: string): Promise<GitlabPolledMergeRequest[]>;
  /** A merge request's notes created at or after `sinceMs`, any order. */
  mergeRequestNotesSince(iid: number, sinceMs: number): Promise<GitlabPolledNote[]>;
  /** The most items one list answers: a full list may have more after its newest. */
  pageSize: number;
  labelEvents(iid: number): Promise<GitlabLabelEvent[]>;
  /** Where the project's tasks start (its clone URL and default branch) and its path (for keys). */
  project(): Promise<{ repo: string; baseBranch: string; path: string }>;
}

/** With no issue in the project yet, everything from now on is new. */
const EPOCH = '1970-01-01T00:00:00Z';

/** One act on an issue that is a trigger, before the project's place is known. */
interface Act {
  at: number;
  event: (where: { repo: string; baseBranch: string; path: string }) => TriggerEvent;
}

/**
 * One poll of a GitLab project's issues and merge requests since `cursor` (GitLab lists notes per
 * issue only, so the issues and merge requests updated since the cursor are read, then each one's new
 * notes): `/autodev` notes, the trigger label added and the bot assigned become the triggers the
 * webhooks give, under the same
 * keys, so an act both deliver is taken once. The actor is who acted (the note's author, the label
 * event's user, the assignment system note's author): their permission is asked of the forge.
 * Without a cursor it starts at the newest update and returns what is there as history.
 */
export async function pollGitlabIssues(
  source: GitlabPollSource,
  cursor: string | undefined,
): Promise<PollResult> {
  const since = cursor ?? (await source.newestUpdate()) ?? EPOCH;
  const sinceMs = Date.parse(since) || 0;
  const issues = await source.issuesSince(since);
  const mergeRequests = await source.mergeRequestsSince(since);
  const acts: Act[] = [];
  for (const issue of issues) acts.push(...(await actsOn(source, issue, sinceMs)));
  for (const mr of mergeRequests) {
    acts.push(
      ...commandNotes(source, toMergeRequest(mr), await source.mergeRequestNotesSince(mr.iid, sinceMs)),
    );
  }
  const next = new Date(nextCursor(sinceMs, [issues, mergeRequests], source.pageSize)).toISOString();
  if (acts.length === 0) return { events: [], cursor: next, history: [] };
  const where = await source.project();
  const events = acts.sort((a, b) => a.at - b.at).map((act) => act.event(where));
  if (cursor === undefined) return { events: [], cursor: next, history: events.map((e) => e.key) };
  return { events, cursor: next, history: [] };
}

/**
 * The newest update read, but never past the newest of a full list (oldest first, one page): what
 * that list holds after its page was not read yet and must be at or after the next cursor.
 */
function nextCursor(sinceMs: number, lists: { updated_at: string }[][], pageSize: number): number {
  const newest = (list: { updated_at: string }[]) =>
    list.reduce((max, item) => Math.max(max, Date.parse(item.updated_at) || 0), sinceMs);
  const latest = Math.max(...lists.map(newest));
  const bounds = lists.filter((list) => list.length >= pageSize).map(newest);
  return Math.min(latest, ...bounds);
}

/** The `/autodev` notes among `notes` (system notes are GitLab's, never a request). */
function commandNotes(source: GitlabPollSource, on: TriggerIssue, notes: GitlabPolledNote[]): Act[] {
  return notes
    .filter((note) => !note.system && note.body.trimStart().startsWith(source.command))
    .map((note) => ({
      at: Date.parse(note.created_at) || 0,
      event: ({ repo, baseBranch }) => ({
        kind: 'comment',
        // The note's own id, as the Note Hook's key: a note both deliver is one trigger.
        key: `gitlab:note:${note.id}`,
        repo,
        baseBranch,
        actor: note.author.username,
        issue: on,
        comment: { id: String(note.id), body: note.body },
      }),
    }));
}

async function actsOn(source: GitlabPollSource, issue: GitlabPolledIssue, sinceMs: number): Promise<Act[]> {
  const on = toIssue(issue);
  const notes = await source.notesSince(issue.iid, sinceMs);
  const acts = commandNotes(source, on, notes);
  const assigner = source.bot ? lastAssignment(notes, source.bot) : undefined;
  if (assigner && (issue.assignees ?? []).some((a) => a.username.toLowerCase() === source.bot)) {
    const assignee = source.bot;
    acts.push({
      at: Date.parse(assigner.created_at) || 0,
      event: ({ repo, baseBranch, path }) => ({
        kind: 'issue',
        action: 'assigned',
        key: `gitlab:assigned:${path}#${issue.iid}`,
        assignee,
        repo,
        baseBranch,
        actor: assigner.author.username,
        issue: on,
      }),
    });
  }
  if (on.labels.includes(source.label)) {
    const labelled = await labelling(source, issue);
    if (labelled && labelled.at >= sinceMs) {
      acts.push({
        at: labelled.at,
        event: ({ repo, baseBranch, path }) => ({
          kind: 'issue',
          action: labelled.opened ? 'opened' : 'labeled',
          // Opened with the label or given it later: the issue carrying the label is one trigger.
          key: `gitlab:labeled:${path}#${issue.iid}`,
          label: source.label,
          repo,
          baseBranch,
          actor: labelled.by,
          issue: on,
        }),
      });
    }
  }
  return acts;
}

/** GitLab records labels given at opening as events by the issue's author, as it is created. */
const OPENED_WITHIN_MS = 1000;

/** When, and by whom, the trigger label was last added; the author at opening if GitLab has no event. */
async function labelling(
  source: GitlabPollSource,
  issue: GitlabPolledIssue,
): Promise<{ at: number; by: string; opened: boolean } | undefined> {
  const created = Date.parse(issue.created_at) || 0;
  const added = (await source.labelEvents(issue.iid)).filter(
    (e) => e.action === 'add' && e.label?.name === source.label && e.user,
  );
  const last = added.reduce<GitlabLabelEvent | undefined>(
    (latest, e) => (!latest || Date.parse(e.created_at) >= Date.parse(latest.created_at) ? e : latest),
    undefined,
  );
  if (!last?.user)
    return added.length === 0 ? { at: created, by: issue.author.username, opened: true } : undefined;
  const at = Date.parse(last.created_at) || 0;
  const by = last.user.username;
  const opened = by === issue.author.username && Math.abs(at - created) < OPENED_WITHIN_MS;
  return { at, by, opened };
}

/**
 * The newest system note assigning the issue to `bot`. GitLab keeps no assignment events; its system
 * note reads `assigned to @a, @b and @c and unassigned @d` (or `reassigned to @a`, older versions).
 */
function lastAssignment(notes: GitlabPolledNote[], bot: string): GitlabPolledNote | undefined {
  const mention = `@${bot}`;
  let last: GitlabPolledNote | undefined;
  for (const note of notes) {
    if (!note.system) continue;
    const body = note.body.trim();
    const prefix = ['assigned to ', 'reassigned to '].find((p) => body.startsWith(p));
    if (!prefix) continue;
    const added = body.slice(prefix.length).split(' and unassigned ')[0] ?? '';
    const named = added.split(/[\s,]+/).map((word) => word.toLowerCase());
    if (!named.includes(mention)) continue;
    if (!last || Date.parse(note.created_at) >= Date.parse(last.created_at)) last = note;
  }
  return last;
}

function toIssue(issue: GitlabPolledIssue): TriggerIssue {
  return {
    number: issue.iid,
    title: issue.title,
    body: issue.description ?? '',
    labels: issue.labels ?? [],
    isPullRequest: false,
  };
}

function toMergeRequest(mr: GitlabPolledMergeRequest): TriggerIssue {
  return {
    number: mr.iid,
    title: mr.title,
    body: mr.description ?? '',
    labels: mr.labels ?? [],
    isPullRequest: true,
  };
}

import type { ForgeReviewItem, PullRequestActivity } from './types.js';
import type { GitlabMergeRequest, GitlabNote } from './gitlab-schema.js';

export interface GitlabActivityInput {
  mr: GitlabMergeRequest;
  approvers: string[];
  discussions: { notes: GitlabNote[] }[];
}

const APPROVED_NOTE = /^approved this merge request$/;

/**
 * A merge request's state and review acts on GitLab. GitLab (CE) has no "changes requested" review
 * state, so the rule is: a diff note (a comment on a line) that opens a resolvable discussion still
 * unresolved asks for changes; once resolved, or a plain note, it is a comment. Approvals come from the
 * approvals API (who approves now), timed by GitLab's "approved this merge request" system note when
 * there is one. autodev's own keyed comments are not review acts.
 */
export function gitlabActivity(input: GitlabActivityInput): PullRequestActivity {
  const { mr } = input;
  const items: ForgeReviewItem[] = [];
  const notes = input.discussions.flatMap((d) =>
    d.notes.map((note, index) => ({ note, first: index === 0 })),
  );
  for (const { note, first } of notes) {
    if (note.system || note.body.includes('<!-- autodev:')) continue;
    const onLine = note.type === 'DiffNote' && note.position?.new_path;
    const asksChanges = first && onLine && note.resolvable === true && note.resolved !== true;
    items.push({
      id: `gitlab-note-${note.id}`,
      kind: asksChanges ? 'changes_requested' : 'comment',
      by: note.author.username,
      body: note.body,
      created_at: note.created_at,
      ...(onLine && note.position?.new_path ? { path: note.position.new_path } : {}),
      ...(note.position?.new_line ? { line: note.position.new_line } : {}),
      ...(note.position?.head_sha ? { commit: note.position.head_sha } : {}),
    });
  }
  for (const approver of input.approvers) {
    const systemNote = notes
      .map((n) => n.note)
      .filter((n) => n.system && n.author.username === approver && APPROVED_NOTE.test(n.body))
      .at(-1);
    items.push({
      id: `gitlab-approval-${approver}`,
      kind: 'approval',
      by: approver,
      body: '',
      created_at: systemNote?.created_at ?? mr.updated_at ?? '',
    });
  }
  items.sort((a, b) => a.created_at.localeCompare(b.created_at));
  const mergeCommit = mr.merge_commit_sha ?? mr.squash_commit_sha;
  return {
    state:
      mr.state === 'merged' ? 'merged' : mr.state === 'opened' || mr.state === 'locked' ? 'open' : 'closed',
    headCommit: mr.sha ?? '',
    ...(mr.state === 'merged' && mergeCommit ? { mergeCommit } : {}),
    ...(mr.author?.username ? { author: mr.author.username } : {}),
    items,
  };
}

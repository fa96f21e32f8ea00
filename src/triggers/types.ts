import type { WebhookRequest } from '../forges/types.js';

/** The issue (or pull request) a trigger is on, as the forge describes it: untrusted text. */
export interface TriggerIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  /** A comment on a pull request rather than an issue. */
  isPullRequest: boolean;
}

interface TriggerBase {
  /**
   * Unique per act on the forge (a comment's id, a webhook delivery's id): the intake acts on a key
   * once, so a delivery sent again or seen by both a webhook and a poll starts nothing twice.
   */
  key: string;
  /** The repo as a task takes it (clone URL or path), from where the issue lives. */
  repo: string;
  /** The branch the task starts from: the repository's default branch. */
  baseBranch: string;
  /** The forge login of who acted: its permission is asked of the forge, never read from the text. */
  actor: string;
  issue: TriggerIssue;
}

/** An issue opened or labelled with the trigger label, or assigned to the bot account. */
export interface IssueTrigger extends TriggerBase {
  kind: 'issue';
  action: 'opened' | 'labeled' | 'assigned';
  /** The label added (labeled) or the account assigned (assigned). */
  label?: string;
  assignee?: string;
}

/** A comment on an issue or pull request; only `<command> ...` comments are acted on. */
export interface CommentTrigger extends TriggerBase {
  kind: 'comment';
  comment: { id: string; body: string };
}

export type TriggerEvent = IssueTrigger | CommentTrigger;

/**
 * Where autodev answers on an issue. The status comment is posted once and then edited, so the issue
 * carries one comment that says where its task stands; a refusal is one more comment.
 */
export interface IssueChannel {
  /**
   * Posts a comment; the forge's id of it (to edit it later). `onPullRequest`: the number is a pull
   * (merge) request's, which GitLab numbers apart from its issues.
   */
  postComment(repo: string, issueNumber: number, body: string, onPullRequest?: boolean): Promise<string>;
  updateComment(repo: string, issueNumber: number, commentId: string, body: string): Promise<void>;
  /** The forge closes issues from the pull request's closing keyword; the local forge on merge, here. */
  closeIssue(repo: string, issueNumber: number): Promise<void>;
}

/** One forge's side of triggers: its webhook events read as triggers, and its issue channel. */
export interface TriggerSource {
  /** The forge id (`[autodev] provider`). */
  readonly forge: string;
  /** The triggers a verified webhook carries (none for events that are not about issues). */
  fromWebhook(request: WebhookRequest): TriggerEvent[];
  readonly channel: IssueChannel;
  /** The line the pull request body carries so that merging it closes the issue (`Closes #12`). */
  closingLine(issueNumber: number): string;
  /** Everyone may trigger unless `allowed_users` is set (the local forge: authors are API callers). */
  readonly everyoneAllowed: boolean;
  /**
   * For forges whose webhooks cannot reach autodev: the comments on one repository's issues and pull
   * requests updated since `cursor` (the forge's own timestamp, so no clock skew matters), read as
   * triggers, and the cursor to ask from next. Without a cursor it reads only where to start: the
   * comments already there are history, not requests.
   */
  poll?(repo: string, cursor: string | undefined): Promise<PollResult>;
}

export interface PollResult {
  events: TriggerEvent[];
  cursor: string;
  /**
   * Keys of the requests already there at the first poll: recorded as taken, never acted on (the
   * forge's `since` is inclusive, so the next poll reads the newest of them again).
   */
  history: string[];
}

import { AutodevError } from '../errors.js';
import { callerLabel, type Caller } from '../governance/identity.js';
import type { Store } from '../store/index.js';
import type { Issue, IssueComment } from '../store/issue-repository.js';
import { parseRepoRef } from '../workspace/repo-ref.js';
import type { TriggerIntake, TriggerOutcome } from './intake.js';

export interface NewLocalIssue {
  repo: string;
  title: string;
  body: string;
  labels: string[];
  author: string;
  base_branch: string;
  caller: Caller;
}

/** The local forge's issues (POST/GET /issues, POST /issues/{id}/comments): stored, then triggers. */
export interface LocalIssueService {
  create(input: NewLocalIssue): Promise<{ issue: Issue; trigger: TriggerOutcome }>;
  list(repo: string, limit: number): Promise<Issue[]>;
  show(id: number): Promise<{ issue: Issue; comments: IssueComment[] }>;
  comment(
    id: number,
    input: { body: string; author: string; caller: Caller },
  ): Promise<{ comment: IssueComment; trigger: TriggerOutcome }>;
}

/**
 * A named user's issues and comments carry their name; anyone else's the name they gave marked
 * `unverified:`, which `[autodev.triggers] allowed_users` never matches, so a list of users cannot be
 * passed by claiming a name.
 */
function authorOf(caller: Caller, claimed: string): string {
  return caller.kind === 'user' ? caller.name : `unverified:${claimed || callerLabel(caller)}`;
}

export function createLocalIssueService(deps: {
  store: Store;
  provider: string;
  /** The local forge's trigger intake; undefined when another forge is configured. */
  triggers: TriggerIntake | undefined;
}): LocalIssueService {
  const { store } = deps;
  const requireLocal = () => {
    if (deps.provider !== 'local' || deps.triggers?.source.forge !== 'local') {
      throw new AutodevError(
        'ISSUES_NOT_LOCAL',
        `the issues API is the local forge's; this autodev's [autodev] provider is ${deps.provider}, whose issues live on the forge`,
        { details: { provider: deps.provider } },
      );
    }
    return deps.triggers;
  };
  const load = async (id: number) => {
    const issue = await store.issues.get(id);
    if (!issue) throw new AutodevError('ISSUE_NOT_FOUND', `no issue with id ${id}`, { details: { id } });
    return issue;
  };

  return {
    async create(input) {
      const triggers = requireLocal();
      const ref = parseRepoRef(input.repo);
      const issue = await store.issues.create({
        repo: input.repo,
        repo_normalized: ref.normalized,
        base_branch: input.base_branch,
        title: input.title,
        body: input.body,
        labels: input.labels,
        author: authorOf(input.caller, input.author),
      });
      const trigger = await triggers.handle({
        kind: 'issue',
        action: 'opened',
        key: `local:issue:${issue.id}:opened`,
        repo: input.repo,
        baseBranch: issue.base_branch,
        actor: issue.author,
        issue: {
          number: issue.id,
          title: issue.title,
          body: issue.body,
          labels: issue.labels,
          isPullRequest: false,
        },
      });
      return { issue, trigger };
    },
    list: (repo, limit) => store.issues.list(parseRepoRef(repo).normalized, limit),
    async show(id) {
      const issue = await load(id);
      return { issue, comments: await store.issues.comments(id) };
    },
    async comment(id, input) {
      const triggers = requireLocal();
      const issue = await load(id);
      const comment = await store.issues.addComment(id, authorOf(input.caller, input.author), input.body);
      const trigger = await triggers.handle({
        kind: 'comment',
        key: `local:comment:${comment.id}`,
        repo: issue.repo,
        baseBranch: issue.base_branch,
        actor: comment.author,
        issue: {
          number: issue.id,
          title: issue.title,
          body: issue.body,
          labels: issue.labels,
          isPullRequest: false,
        },
        comment: { id: String(comment.id), body: comment.body },
      });
      return { comment, trigger };
    },
  };
}

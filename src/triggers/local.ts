import type { Store } from '../store/index.js';
import type { TriggerSource } from './types.js';

/**
 * The local forge's issues live in autodev's store (POST /api/v1/autodev/issues): its triggers come
 * from that API rather than a webhook, and its authors are API callers, so every author may trigger
 * unless `allowed_users` is set.
 */
export function createLocalTriggerSource(store: Store): TriggerSource {
  return {
    forge: 'local',
    everyoneAllowed: true,
    fromWebhook: () => [],
    closingLine: (n) => `Closes #${n}`,
    channel: {
      async postComment(_repo, issueNumber, body) {
        const comment = await store.issues.addComment(issueNumber, 'autodev', body);
        return String(comment.id);
      },
      async updateComment(_repo, _issueNumber, commentId, body) {
        await store.issues.updateComment(Number(commentId), body);
      },
      // No forge closes it from the keyword: the merge of its task does, here.
      async closeIssue(_repo, issueNumber) {
        await store.issues.setState(issueNumber, 'closed');
      },
    },
  };
}

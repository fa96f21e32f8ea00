import type { ConversationTurn } from '../domain/task.js';
import type { ChatMessage } from '../llm/types.js';
import type { ConversationRepository } from '../store/conversation-repository.js';

/** Where a codegen round starts in the task's one conversation. */
export interface RoundStart {
  /** Everything to send: earlier rounds, this round's finished turns, and this round's opening message. */
  messages: ChatMessage[];
  /** How many of `messages` are checkpointed already. */
  recordedMessages: number;
  /** Turns this round took before a restart or retry. */
  turnsTaken: number;
  /** The workspace commit of this round's last finished turn: the round resumes from its files. */
  resumeCommit?: string;
  /** That turn's seq: a multi-repo task's consumers' files of the turn are kept under its number. */
  resumeSeq?: number;
  /** This round's loop had ended (its last turn carries a stop reason): no model call is needed. */
  finished?: ConversationTurn;
  /** The seq of the next turn to record. */
  nextSeq: number;
}

export interface RoundOpening {
  round: number;
  /** The first round's system and user messages (prompt.ts buildCodingMessages). */
  initial: () => ChatMessage[];
  /** The message that opens a later round (a repair's failing output, a review's requests). */
  followUp: () => ChatMessage | undefined;
}

/**
 * One linear conversation per task: round 1 opens it, each later round appends its opening message
 * (the failing test output, a reviewer's requests) and continues it, and a round cut short by a
 * restart or a transient model error picks up after its last finished turn. Turns of later rounds
 * than this one (a round re-run after a crash past it) are ignored.
 */
export async function startRound(
  conversations: ConversationRepository | undefined,
  taskId: string | undefined,
  opening: RoundOpening,
): Promise<RoundStart> {
  const all = conversations && taskId ? await conversations.list(taskId) : [];
  const turns = all.filter((turn) => turn.round <= opening.round);
  const current = turns.filter((turn) => turn.round === opening.round);
  const history = turns.flatMap((turn) => turn.messages);
  const nextSeq = (all.at(-1)?.seq ?? 0) + 1;
  const last = current.at(-1);
  if (last !== undefined) {
    return {
      messages: history,
      recordedMessages: history.length,
      turnsTaken: current.length,
      resumeCommit: last.workspace_commit,
      resumeSeq: last.seq,
      ...(last.stop_reason === null ? {} : { finished: last }),
      nextSeq,
    };
  }
  const follow = history.length > 0 ? opening.followUp() : undefined;
  const opened = history.length === 0 ? opening.initial() : follow === undefined ? [] : [follow];
  return {
    messages: [...history, ...opened],
    recordedMessages: history.length,
    turnsTaken: 0,
    nextSeq,
  };
}

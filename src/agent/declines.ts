import { AutodevError } from '../errors.js';
import { createRedactor } from '../secrets/redact.js';

/**
 * How a model says it will not do the task: the openings of a refusal, matched at the start of a
 * sentence of a reply that holds no edit and no tool call (the coding loop checks that part). The
 * list is short on purpose: a reply that merely mentions one of these inside an explanation of a fix
 * ("the parser cannot handle ...") is not a refusal, because a fix comes with an edit.
 */
export const DECLINE_PHRASES = [
  "I'm not able to",
  'I am not able to',
  "I'm unable to",
  'I am unable to',
  'I cannot',
  "I can't",
  'I can not',
  "I won't",
  'I will not',
  "I'm sorry, but",
  'I am sorry, but',
  'Sorry, but I',
  'As an AI',
] as const;

function normalize(text: string): string {
  return text.replace(/[\u2018\u2019]/g, "'").toLowerCase();
}

const SENTENCE_STARTS = DECLINE_PHRASES.map((phrase) => normalize(phrase));

/** True when a sentence of `text` opens with one of DECLINE_PHRASES (case and curly quotes ignored). */
export function declines(text: string): boolean {
  const sentences = normalize(text)
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim().replace(/^[*_>\-\s]+/, ''));
  return sentences.some((sentence) => SENTENCE_STARTS.some((phrase) => sentence.startsWith(phrase)));
}

// What the model last said, quoted in the task's error: enough to see why, never a whole essay.
const QUOTED_REPLY_CHARS = 300;
const redactPatterns = createRedactor([]);

/**
 * A model that keeps answering in prose (no tool call, no edit) is not going to make the change:
 * the round ends after `idle` such replies in a row instead of after max_turns calls. The quote is
 * bounded and passed through the secret patterns (a model may echo what it read in the repository).
 */
export function noProgress(idle: number, turns: number, lastText: string): AutodevError {
  // Redacted before the whitespace is folded: a private key's pattern needs its line breaks.
  const text = redactPatterns(lastText).trim().replace(/\s+/g, ' ');
  const quote = text.length > QUOTED_REPLY_CHARS ? `${text.slice(0, QUOTED_REPLY_CHARS)}…` : text;
  return new AutodevError(
    'MODEL_NO_PROGRESS',
    `the model answered ${idle} time(s) in a row without a tool call or an edit ([autodev.llm] max_idle_turns); it last said: "${quote}"`,
    { details: { turns, idleTurns: idle, lastReply: quote } },
  );
}

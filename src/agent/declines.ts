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

/** What a `/autodev ...` comment asks for. */
export type TriggerCommand =
  | { kind: 'cancel' }
  | { kind: 'retry' }
  | { kind: 'revert' }
  /** Start (or add to) a task; the instruction may be empty (the issue says it all). */
  | { kind: 'run'; instruction: string };

/** Longest instruction kept from one comment; the rest of a comment is the business. */
const MAX_INSTRUCTION_CHARS = 10_000;

/**
 * The command in a comment, or undefined when the comment is not one: it must start with `command`
 * followed by a space, a newline or its end (`/autodevx` is not one). Plain string work, no regex
 * over the untrusted text.
 */
export function parseTriggerCommand(body: string, command: string): TriggerCommand | undefined {
  const text = body.trimStart();
  if (!text.startsWith(command)) return undefined;
  const rest = text.slice(command.length);
  if (rest.length > 0 && rest[0] !== ' ' && rest[0] !== '\n' && rest[0] !== '\r' && rest[0] !== '\t') {
    return undefined;
  }
  const instruction = rest.trim().slice(0, MAX_INSTRUCTION_CHARS);
  const word = instruction.toLowerCase();
  if (word === 'cancel' || word === 'retry' || word === 'revert') return { kind: word };
  return { kind: 'run', instruction };
}

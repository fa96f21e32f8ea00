/** The constraints autodev can check itself; any other text is given to the model and listed unchecked. */
export const CONSTRAINT_KINDS = ['no_new_dependencies', 'no_public_api_change', 'unchecked'] as const;
export type ConstraintKind = (typeof CONSTRAINT_KINDS)[number];

/** A task constraint and what the checks found (the shape of PolicyInput.constraints). */
export interface ConstraintCheck {
  text: string;
  kind: ConstraintKind;
  /** Undefined when nothing checked it (unrecognised, or its checker did not run). */
  violated?: boolean;
  details?: string[];
}

const NEGATION = String.raw`(?:do not|don't|dont|never|must not|mustn't|should not|shouldn't|cannot|can't|no|without|avoid|zero)`;

/*
 * Phrasings, matched on lower-cased text with punctuation turned to spaces. Each names both the
 * prohibition and its object, so "Add a dependency on serde" or "Change the API docs" stay unchecked:
 * a wrong match would check (and deny) something the user did not ask for.
 */
const NO_NEW_DEPENDENCIES: readonly RegExp[] = [
  new RegExp(
    String.raw`\b${NEGATION}\b(?: \w+){0,3} (?:new|additional|extra|more|further|external|third party|3rd party)(?: \w+){0,2} (?:dependency|dependencies|deps|packages|crates|libraries|modules)\b`,
  ),
  new RegExp(
    String.raw`\b${NEGATION} (?:add|adding|introduce|introducing|pull in|pulling in|bring in)(?: \w+){0,3} (?:dependency|dependencies|deps|packages|crates|libraries)\b`,
  ),
  /\b(?:dependency free|dependencies unchanged|keep (?:the )?dependencies (?:as they are|unchanged)|only (?:use )?existing dependencies)\b/,
];

const API_OBJECT = String.raw`(?:public|exported|external)(?: \w+){0,2} (?:api|apis|interface|interfaces|signature|signatures|functions|types)`;
const NO_PUBLIC_API_CHANGE: readonly RegExp[] = [
  new RegExp(
    String.raw`\b${NEGATION} (?:modify|modifying|change|changing|alter|altering|break|breaking|touch|touching|edit|editing|rename|renaming|remove|removing)(?: \w+){0,3} ${API_OBJECT}\b`,
  ),
  new RegExp(
    String.raw`\b${NEGATION}(?: \w+){0,2} (?:breaking )?(?:changes|modifications) (?:to|of|in) (?:the )?${API_OBJECT}\b`,
  ),
  new RegExp(String.raw`\b${NEGATION}(?: public)? api (?:changes|breaks|breakage)\b`),
  new RegExp(
    String.raw`\b(?:keep|leave|preserve)(?: \w+){0,2} ${API_OBJECT} (?:unchanged|stable|intact|as (?:it is|they are))\b`,
  ),
  new RegExp(
    String.raw`\b${API_OBJECT} (?:must|should|has to|have to) (?:stay|remain|be kept) (?:unchanged|stable|intact|the same)\b`,
  ),
  new RegExp(String.raw`\b${NEGATION} breaking changes\b`),
];

/** Which check a constraint text asks for, by its phrasing (case, punctuation and spacing ignored). */
export function classifyConstraint(text: string): ConstraintKind {
  const normalized = ` ${text
    .toLowerCase()
    .replace(/[’`]/g, "'")
    .replace(/[^a-z0-9']+/g, ' ')
    .trim()} `.replace(/'(?!t)/g, ' ');
  if (NO_PUBLIC_API_CHANGE.some((re) => re.test(normalized))) return 'no_public_api_change';
  if (NO_NEW_DEPENDENCIES.some((re) => re.test(normalized))) return 'no_new_dependencies';
  return 'unchecked';
}

/** One line for the pull request body: the constraint and whether autodev checked it, and the outcome. */
export function describeConstraintCheck(check: ConstraintCheck): string {
  const details = check.details?.length ? `\n${check.details.map((d) => `  - ${d}`).join('\n')}` : '';
  if (check.kind === 'unchecked')
    return `${check.text} — unchecked (not a constraint autodev can check; given to the model)`;
  if (check.violated === undefined) return `${check.text} — not checked (${check.kind})`;
  return check.violated
    ? `${check.text} — VIOLATED (${check.kind})${details}`
    : `${check.text} — checked, holds (${check.kind})`;
}

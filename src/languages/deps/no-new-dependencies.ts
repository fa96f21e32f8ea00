/**
 * Task constraints that forbid new dependencies, in the phrasings people write them: "No new external
 * dependencies", "Do not add dependencies", "don't introduce new packages"...
 */
const PHRASINGS: readonly RegExp[] = [
  /\bno\s+(?:new\s+)?(?:external\s+|third[-\s]party\s+)?(?:dependenc(?:y|ies)|packages|libraries|crates)\b/i,
  /\b(?:do\s+not|don't|dont|must\s+not|never|without)\s+(?:add(?:ing)?|introduc(?:e|ing)|pull(?:ing)?\s+in)\s+(?:any\s+)?(?:new\s+)?(?:external\s+|third[-\s]party\s+)?(?:dependenc(?:y|ies)|packages|libraries|crates)\b/i,
];

export interface DependencyConstraint {
  text: string;
  kind: 'no_new_dependencies';
  violated: boolean;
  /** The dependencies that violate it. */
  details: string[];
}

export function isNoNewDependenciesConstraint(text: string): boolean {
  // Constraints are at most 2000 characters (API schema); the patterns above are linear.
  return PHRASINGS.some((p) => p.test(text));
}

/** Each "no new dependencies" constraint of the task, checked against the dependencies the change added. */
export function checkDependencyConstraints(
  constraints: readonly string[],
  added: readonly string[],
): DependencyConstraint[] {
  return constraints.filter(isNoNewDependenciesConstraint).map((text) => ({
    text,
    kind: 'no_new_dependencies',
    violated: added.length > 0,
    details: [...added],
  }));
}

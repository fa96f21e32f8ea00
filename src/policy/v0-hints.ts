/** A line of a Rego policy OPA 1.x will not load as written, and what to write instead. */
export interface RegoHint {
  line: number;
  problem: string;
  fix: string;
}

const SOME_IN = /\bsome\s+[A-Za-z_][A-Za-z0-9_]*(\s*,\s*[A-Za-z_][A-Za-z0-9_]*)?\s+in\s/;
const IMPORTS_IN = /^\s*import\s+(future\.keywords(\.in)?|rego\.v1)\s*$/m;
const NOT_WILDCARD = /\bnot\s+([A-Za-z_][A-Za-z0-9_.]*)\[_\]/;

/**
 * The two changes the seed's policy.rego needs before OPA 1.x loads it in v0-compatible mode:
 * `some x in xs` without `import future.keywords.in`, and `not deny[_]` (an unsafe variable there;
 * `count(deny) == 0` says the same). Plain line scans: every regex is linear, comments are skipped.
 */
export function regoV0Hints(source: string): RegoHint[] {
  const hints: RegoHint[] = [];
  const importsIn = IMPORTS_IN.test(source);
  const lines = source.split('\n');
  lines.forEach((raw, index) => {
    const text = raw.replace(/#.*$/, '');
    const line = index + 1;
    if (!importsIn && SOME_IN.test(text)) {
      hints.push({
        line,
        problem: '`some ... in` is a future keyword in Rego v0',
        fix: 'add `import future.keywords.in` after the package line',
      });
    }
    const not = NOT_WILDCARD.exec(text);
    if (not) {
      hints.push({
        line,
        problem: `\`not ${not[1]}[_]\`: OPA 1.x rejects the unsafe variable _ here`,
        fix: `write \`count(${not[1]}) == 0\``,
      });
    }
  });
  return hints;
}

/** The policy's package (`package autodev.merge` → `autodev/merge`), for asking OPA about it. */
export function regoPackage(source: string): string | undefined {
  const match = /^\s*package\s+([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*$/m.exec(source);
  return match?.[1]?.replaceAll('.', '/');
}

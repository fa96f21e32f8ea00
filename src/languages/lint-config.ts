import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { LintWarning } from './types.js';

/** The content of a changed file before (`base`) or after (`head`) the change; undefined when absent. */
export type ReadSide = (side: 'base' | 'head', file: string) => Promise<string | undefined>;

export const LINT_CONFIG_CHANGED = 'lint-config-changed';

/** Files that are linter configuration as a whole. */
const WHOLE_FILES: readonly RegExp[] = [
  /^\.?ruff\.toml$/,
  /^\.?clippy\.toml$/,
  /^eslint\.config\.[cm]?[jt]s$/,
  /^\.eslintrc(\.(js|cjs|json|ya?ml))?$/,
  /^\.eslintignore$/,
  // tsc is the linter of a TypeScript project without ESLint: its strictness is its rule set.
  /^[tj]sconfig(\..+)?\.json$/,
  // ruff and autodev's default JavaScript lint skip what .gitignore lists, tracked files included:
  // a change that lists its own file there would go unchecked.
  /^\.gitignore$/,
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const k of keys) current = isRecord(current) ? current[k] : undefined;
  return current;
}

/** Manifests that hold a linter's section among other things: only that section counts. */
const SECTIONS: Record<string, { what: string; section: (text: string) => unknown }> = {
  'pyproject.toml': { what: '[tool.ruff]', section: (t) => field(parseToml(t), 'tool', 'ruff') },
  'Cargo.toml': {
    what: '[lints] or [workspace.lints]',
    section: (t) => {
      const toml = parseToml(t);
      return [field(toml, 'lints'), field(toml, 'workspace', 'lints')];
    },
  },
  'package.json': { what: 'eslintConfig', section: (t) => field(JSON.parse(t), 'eslintConfig') },
};

async function describeChange(file: string, read: ReadSide): Promise<string | undefined> {
  const name = path.posix.basename(file);
  if (WHOLE_FILES.some((p) => p.test(name))) return file;
  const rule = SECTIONS[name];
  if (!rule) return undefined;
  const [before, after] = await Promise.all([read('base', file), read('head', file)]);
  const view = (text: string | undefined) =>
    JSON.stringify((text === undefined ? undefined : rule.section(text)) ?? null);
  try {
    return view(before) === view(after) ? undefined : `${file} (${rule.what})`;
  } catch {
    // A manifest that no longer parses could configure anything: a human reads it.
    return before === after ? undefined : `${file} (unreadable, so its lint settings cannot be compared)`;
  }
}

/**
 * One `lint-config-changed` finding per changed file that configures a linter. The linter at HEAD
 * reads the worktree's configuration, so a change that relaxes it (`lint.select = []`, a new
 * `ignore`) would judge itself by its own rules: such a change is always an introduced finding.
 */
export async function lintConfigChanges(files: readonly string[], read: ReadSide): Promise<LintWarning[]> {
  const out: LintWarning[] = [];
  for (const file of files) {
    const what = await describeChange(file, read);
    if (what === undefined) continue;
    out.push({
      file,
      line: 0,
      rule: LINT_CONFIG_CHANGED,
      message: `the change edits linter configuration (${what}); whether it relaxes the checks is for a human to judge`,
      severity: 'error',
    });
  }
  return out;
}

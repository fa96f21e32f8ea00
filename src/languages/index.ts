import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { realPathInside } from '../workspace/real-path.js';
import { applyAutodevToml, parseAutodevToml, readAutodevToml } from './autodev-toml.js';
import { go } from './go/index.js';
import { node } from './node/index.js';
import { python } from './python/index.js';
import { rust } from './rust/index.js';
import type {
  BuildReport,
  DetectedProject,
  Language,
  LanguageId,
  LintReport,
  RunProjectCommandOptions,
  SetupOptions,
  SetupReport,
  TestReport,
} from './types.js';

export const LANGUAGES = { rust, node, python, go } as const satisfies Record<LanguageId, Language>;

export interface DetectOptions {
  /**
   * `.autodev.toml` as committed where the change cannot reach it (the task's base commit; `text`
   * undefined when it had none). Without it, the worktree's copy is read: fine before any change,
   * never to judge one, since the change could set `test = "true"`.
   */
  autodevToml?: { text: string | undefined };
}

/**
 * Every project in the repo, all languages, with `.autodev.toml` applied; sorted by folder
 * so the root comes first. Throws VALIDATION_FAILED naming the key of a bad `.autodev.toml`.
 */
export async function detectProjects(
  repoDir: string,
  options: DetectOptions = {},
): Promise<DetectedProject[]> {
  const found = (await Promise.all(Object.values(LANGUAGES).map((l) => l.detect(repoDir)))).flat();
  const toml = options.autodevToml
    ? options.autodevToml.text === undefined
      ? undefined
      : parseAutodevToml(options.autodevToml.text)
    : await readAutodevToml(repoDir);
  const projects = toml ? applyAutodevToml(found, toml) : found;
  // A root named in .autodev.toml may be a committed symlink (`up -> ../..`): its real path must stay
  // inside the repo, or nothing of the repo may run there.
  // A root that does not exist escapes nowhere; the sandbox refuses to enter it later.
  for (const project of projects) {
    if (await lstat(path.join(repoDir, project.root)).catch(() => undefined)) {
      await realPathInside(repoDir, project.root, { what: 'project root' });
    }
  }
  return projects.sort((a, b) =>
    a.root === b.root
      ? a.language.localeCompare(b.language)
      : a.root === '.'
        ? -1
        : b.root === '.'
          ? 1
          : a.root.localeCompare(b.root),
  );
}

export function runSetup(project: DetectedProject, options: SetupOptions): Promise<SetupReport> {
  return LANGUAGES[project.language].runSetup(project, options);
}

export function runTests(project: DetectedProject, options: RunProjectCommandOptions): Promise<TestReport> {
  return LANGUAGES[project.language].runTests(project, options);
}

export function runBuild(project: DetectedProject, options: RunProjectCommandOptions): Promise<BuildReport> {
  return LANGUAGES[project.language].runBuild(project, options);
}

export function runLint(project: DetectedProject, options: RunProjectCommandOptions): Promise<LintReport> {
  return LANGUAGES[project.language].runLint(project, options);
}

export { parseAutodevToml, readAutodevToml, applyAutodevToml, AUTODEV_TOML } from './autodev-toml.js';
export type * from './types.js';

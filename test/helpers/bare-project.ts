import type { DetectedProject } from '../../src/languages/types.js';

/** A project at the workspace's root with no commands of its own: what a sandbox test runs raw argv in. */
export function bareProject(
  language: DetectedProject['language'],
  toolchain: DetectedProject['toolchain'],
): DetectedProject {
  return { language, root: '.', toolchain, commands: {}, overridden: false };
}

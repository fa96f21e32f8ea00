export type * from './types.js';
export { createCatFilePool, type CatFilePool } from './cat-file-pool.js';
export {
  createGitRunner,
  createGitStarter,
  redactGitText,
  type GitResult,
  type GitRunOptions,
  type RunGit,
} from './run-git.js';
export { parseRepoRef, type RepoRef } from './repo-ref.js';
export { createMirrorStore, type MirrorStore } from './mirror.js';
export {
  createWorkspaceManager,
  type WorktreeManager,
  type WorktreeManagerDeps,
} from './worktree-manager.js';
export { createWorkspaceGit, type WorkspaceGitDeps } from './workspace-git.js';
export { isWithin, realPathInside, type RealPathInsideOptions } from './real-path.js';

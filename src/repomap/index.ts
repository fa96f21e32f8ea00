export {
  buildRepoMap,
  DEFAULT_REPO_MAP_LIMITS,
  type RepoMapDeps,
  type RepoMapLimits,
} from './build-repo-map.js';
export { estimateTokens } from './render.js';
export { createTagParser, type TagParser } from './tag-parser.js';
export type { FileTags, RankedFile, RepoMap, RepoMapInput, SkippedFile, SymbolDefinition } from './types.js';
export { warmRepoMap, type WarmRepoMapInput } from './warm-repo-map.js';

import semver from 'semver';
import { matchPath } from '../util/segment-glob.js';
import { z } from 'zod';
import type { RiskTier } from '../config/schema.js';
import {
  DEP_TYPES,
  RANGE_STRATEGIES,
  UPDATE_ECOSYSTEMS,
  UPDATE_TYPES,
  type RangeStrategy,
  type RiskByType,
  type UpdateCandidate,
} from './types.js';

// The tiers as config/schema.ts names them (not imported: that module imports this one).
const tier = z.enum(['low', 'medium', 'high']);
const packagePattern = z.string().min(1).max(214);

const groupRule = z.strictObject({
  /** The group's name: its branch, its pull request title and its key across scans. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'expected a short lower-case name such as "npm-dev"'),
  /** Package names or globs (`@types/*`); any package when absent. */
  match_packages: z.array(packagePattern).max(200).optional(),
  ecosystems: z.array(z.enum(UPDATE_ECOSYSTEMS)).optional(),
  update_types: z.array(z.enum(UPDATE_TYPES)).optional(),
  dep_types: z.array(z.enum(DEP_TYPES)).optional(),
});

const allowedRange = z.string().refine((range) => semver.validRange(range) !== null, {
  message: 'expected a version range such as "<3" or "^2.1.0"',
});

/**
 * `[updates]` in a repository's `.autodev.toml`, and the same keys under `[autodev.updates]` as the
 * defaults every repository gets. Each key the repository sets replaces the default.
 */
export const updateSettingsSchema = z.strictObject({
  /** Days a version must have been published before it is proposed. */
  minimum_release_age: z.number().int().min(0).max(3650).optional(),
  /** Update pull requests open at once per repository; groups past it wait for the next scan. */
  max_open_prs: z.number().int().min(0).max(100).optional(),
  range_strategy: z.enum(RANGE_STRATEGIES).optional(),
  /** When the updated dependency breaks the tests, the coding model repairs the code (else a person does). */
  repair: z.boolean().optional(),
  /** Package names or globs never proposed. */
  ignore: z.array(packagePattern).max(500).optional(),
  /** Per package name, the versions that may be proposed (a semver range). */
  allowed_versions: z.record(packagePattern, allowedRange).optional(),
  /** The task's risk tier per update type. */
  risk: z.strictObject({ patch: tier, minor: tier, major: tier }).partial().optional(),
  /** Group rules, first match wins; an update no rule matches gets a group of its own. */
  group: z.array(groupRule).max(50).optional(),
});
export type UpdateSettingsInput = z.infer<typeof updateSettingsSchema>;
export type GroupRule = z.infer<typeof groupRule>;

/** The settings a scan applies, every key filled. */
export interface UpdateSettings {
  minimumReleaseAgeDays: number;
  maxOpenPrs: number;
  rangeStrategy: RangeStrategy;
  repair: boolean;
  ignore: string[];
  allowedVersions: Record<string, string>;
  risk: RiskByType;
  groups: GroupRule[];
}

/** Patch and minor `medium` as the design's risk tiers say, major `high`; a team may lower patch to `low`. */
export const DEFAULT_RISK: RiskByType = { patch: 'medium', minor: 'medium', major: 'high' };

/** autodev's defaults, then `[autodev.updates]`, then the repository's `[updates]`. */
export function resolveUpdateSettings(
  defaults: UpdateSettingsInput,
  repo: UpdateSettingsInput | undefined,
): UpdateSettings {
  const pick = <K extends keyof UpdateSettingsInput>(key: K): UpdateSettingsInput[K] =>
    repo?.[key] ?? defaults[key];
  return {
    minimumReleaseAgeDays: pick('minimum_release_age') ?? 3,
    maxOpenPrs: pick('max_open_prs') ?? 5,
    rangeStrategy: pick('range_strategy') ?? 'bump',
    repair: pick('repair') ?? true,
    ignore: pick('ignore') ?? [],
    allowedVersions: pick('allowed_versions') ?? {},
    risk: { ...DEFAULT_RISK, ...defaults.risk, ...repo?.risk },
    groups: pick('group') ?? [],
  };
}

/**
 * Whether a package name matches one of the patterns (`*`, `?`, `[...]` within a segment of
 * `@scope/name`). The patterns can come from the repository's `.autodev.toml`: matched in time
 * bounded by pattern × name, never through a backtracking regex (picomatch's for `*a*a…*b` did not
 * answer in a minute).
 */
export function matchesAny(name: string, patterns: readonly string[]): boolean {
  const segments = name.split('/');
  return patterns.some((pattern) => matchPath(pattern.split('/'), segments));
}

/** The highest tier among the group's updates, by its settings. */
export function riskOf(settings: UpdateSettings, updates: readonly UpdateCandidate[]): RiskTier {
  const order: RiskTier[] = ['low', 'medium', 'high'];
  let index = 0;
  for (const update of updates) index = Math.max(index, order.indexOf(settings.risk[update.type]));
  return order[index] ?? 'high';
}

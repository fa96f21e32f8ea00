import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { AutodevError } from '../errors.js';
import { BENCH_FORMATS, type BenchFormat } from '../perf/types.js';
import { readText } from './scan.js';
import { LANGUAGE_IDS, type DetectedProject, type LanguageId, type ProjectCommands } from './types.js';

export const AUTODEV_TOML = '.autodev.toml';

// A string is a shell line (`make test`), an array is an argv run as is.
const Command = z.union([z.string().min(1), z.array(z.string()).min(1)]);
const Commands = z.strictObject({
  setup: Command.optional(),
  build: Command.optional(),
  test: Command.optional(),
  lint: Command.optional(),
});
const ProjectEntry = z.strictObject({
  /** Needed only to declare a project detection did not find. */
  language: z.enum(LANGUAGE_IDS).optional(),
  commands: Commands.optional(),
});
const Setup = z.strictObject({
  /** A repo whose tests run fine without its install (pure-source packages) may say so. */
  tolerate_failure: z.boolean().optional(),
});
const Bench = z.strictObject({
  command: Command,
  format: z.enum(BENCH_FORMATS),
  /** A file the command writes its results to (pytest-benchmark, hyperfine JSON); stdout when absent. */
  output: z
    .string()
    .min(1)
    .max(1024)
    .refine((p) => !path.posix.isAbsolute(p) && !p.split(/[\\/]/).includes('..'), {
      message: 'must be a path inside the repo',
    })
    .optional(),
});
const AutodevTomlSchema = z.strictObject({
  language: z.enum(LANGUAGE_IDS).optional(),
  setup: Setup.optional(),
  bench: Bench.optional(),
  commands: Commands.optional(),
  projects: z.record(z.string(), ProjectEntry).optional(),
  /** Dependency updates' settings: validated by src/updates/settings.ts when a scan reads them. */
  updates: z.unknown().optional(),
});

export interface ProjectOverride {
  language?: LanguageId;
  commands: ProjectCommands;
}

/**
 * `.autodev.toml` at the repo root:
 *
 *   [commands]                      # the root project, or the only project of the repo
 *   test = "make test"              # a string runs as ['sh', '-c', text]
 *   lint = ["ruff", "check", "."]   # an array is the argv
 *
 *   [projects."services/api".commands]   # a project in a subfolder of a repo with several
 *   test = ["go", "test", "./..."]
 *
 * `language = "go"` (top level, or in a `projects` entry) declares a project detection missed.
 */
/** `[bench]`: the repo's benchmarks, run on base and head to catch a slowdown (src/perf/). */
export interface BenchDeclaration {
  /** Run at the repo root; a string as `sh -c`. */
  argv: string[];
  format: BenchFormat;
  /** Repo-relative file the command writes; its stdout is read when absent. */
  output?: string;
}

export interface AutodevToml {
  /**
   *   [bench]
   *   command = "go test -run '^$' -bench . -benchtime 100ms ./..."
   *   format = "go"          # criterion | go | pytest-benchmark | hyperfine | lines
   *   output = "bench.json"  # optional: the file the command writes (else its stdout)
   */
  bench?: BenchDeclaration;
  /**
   * `[setup] tolerate_failure = true`: a failed install is reported and the task goes on (its tests
   * then tell whether it mattered); by default a failed install ends the task with SETUP_FAILED.
   */
  setupToleratesFailure: boolean;
  /** Applies to the project at '.', or to the only project when there is just one. */
  root?: ProjectOverride;
  projects: Record<string, ProjectOverride>;
}

function toArgv(command: string | string[]): string[] {
  return typeof command === 'string' ? ['sh', '-c', command] : command;
}

function toCommands(commands: z.infer<typeof Commands> | undefined): ProjectCommands {
  const out: ProjectCommands = {};
  for (const kind of ['setup', 'build', 'test', 'lint'] as const) {
    const command = commands?.[kind];
    if (command !== undefined) out[kind] = toArgv(command);
  }
  return out;
}

function invalid(key: string, message: string): AutodevError {
  return new AutodevError('VALIDATION_FAILED', `${AUTODEV_TOML}: ${key}: ${message}`, {
    details: { file: AUTODEV_TOML, key },
  });
}

function normalizeRoot(root: string): string {
  const normalized = path.posix.normalize(root.replace(/\\/g, '/')).replace(/\/$/, '');
  if (normalized.startsWith('..') || path.posix.isAbsolute(normalized)) {
    throw invalid(`projects."${root}"`, 'must be a folder inside the repo');
  }
  return normalized === '' ? '.' : normalized;
}

/** Parses and validates the file's text; errors name the offending key. */
export function parseAutodevToml(text: string): AutodevToml {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (error) {
    throw new AutodevError('VALIDATION_FAILED', `${AUTODEV_TOML}: not valid TOML: ${String(error)}`, {
      details: { file: AUTODEV_TOML },
      cause: error,
    });
  }
  const parsed = AutodevTomlSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // An unknown key is reported under its own name (commands.tset), not its parent's.
    const extra = issue?.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : [];
    const key = [...(issue?.path ?? []), ...extra].map(String).join('.');
    throw invalid(key || '(root)', issue?.message ?? 'invalid');
  }
  const data = parsed.data;
  const projects: Record<string, ProjectOverride> = {};
  for (const [root, entry] of Object.entries(data.projects ?? {})) {
    projects[normalizeRoot(root)] = {
      ...(entry.language ? { language: entry.language } : {}),
      commands: toCommands(entry.commands),
    };
  }
  const hasRoot = data.language !== undefined || data.commands !== undefined;
  return {
    setupToleratesFailure: data.setup?.tolerate_failure ?? false,
    ...(data.bench
      ? {
          bench: {
            argv: toArgv(data.bench.command),
            format: data.bench.format,
            ...(data.bench.output ? { output: data.bench.output } : {}),
          },
        }
      : {}),
    ...(hasRoot
      ? {
          root: {
            ...(data.language ? { language: data.language } : {}),
            commands: toCommands(data.commands),
          },
        }
      : {}),
    projects,
  };
}

/** Reads `.autodev.toml` from the repo root; undefined when there is none. */
export async function readAutodevToml(repoDir: string): Promise<AutodevToml | undefined> {
  const text = await readText(path.join(repoDir, AUTODEV_TOML));
  return text === undefined ? undefined : parseAutodevToml(text);
}

function merge(project: DetectedProject, override: ProjectOverride): DetectedProject {
  const set = Object.keys(override.commands).length > 0;
  return {
    ...project,
    commands: { ...project.commands, ...override.commands },
    overridden: project.overridden || set,
  };
}

function declared(root: string, override: ProjectOverride, key: string): DetectedProject {
  if (!override.language)
    throw invalid(
      key,
      `no project was detected at ${root}: set language = "rust" | "node" | "python" | "go"`,
    );
  return {
    language: override.language,
    root,
    toolchain: override.language,
    commands: override.commands,
    overridden: true,
  };
}

/**
 * Applies the overrides to the detected projects. `[commands]` goes to the root project, or
 * to the only project; with several and none at the root it is ambiguous and refused.
 */
export function applyAutodevToml(detected: DetectedProject[], toml: AutodevToml): DetectedProject[] {
  let projects = [...detected];
  for (const [root, override] of Object.entries(toml.projects)) {
    const matches = projects.filter(
      (p) => p.root === root && (!override.language || p.language === override.language),
    );
    if (matches.length === 0) projects.push(declared(root, override, `projects."${root}".language`));
    else projects = projects.map((p) => (matches.includes(p) ? merge(p, override) : p));
  }
  if (toml.root) {
    const atRoot = projects.filter(
      (p) => p.root === '.' && (!toml.root?.language || p.language === toml.root.language),
    );
    if (atRoot.length > 1) {
      throw invalid(
        'language',
        `several projects at the repo root (${atRoot.map((p) => p.language).join(', ')}): set language to say which one [commands] is for`,
      );
    }
    const targets = atRoot.length > 0 ? atRoot : projects.length === 1 ? projects : [];
    if (targets.length === 0 && projects.length > 1) {
      throw invalid(
        'commands',
        `the repo has several projects (${projects.map((p) => p.root).join(', ')}): use [projects."<folder>".commands]`,
      );
    }
    if (targets.length === 0) projects.push(declared('.', toml.root, 'language'));
    else projects = projects.map((p) => (targets.includes(p) && toml.root ? merge(p, toml.root) : p));
  }
  return projects;
}

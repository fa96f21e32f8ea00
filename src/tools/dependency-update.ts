import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AutodevError } from '../errors.js';
import { NO_REGISTRY_LOOKUPS } from '../updates/registry-access.js';
import { updaterFor } from '../updates/index.js';
import {
  DEP_TYPES,
  UPDATE_ECOSYSTEMS,
  UPDATE_TYPES,
  type RepoFiles,
  type UpdateCandidate,
  type Updater,
} from '../updates/types.js';
import { defineTool } from './define.js';
import { commandOptions } from './project-commands.js';
import { registerTool } from './register.js';
import type { ToolContext } from './types.js';
import { describeExit, runSandboxedCommand } from './sandboxed-command.js';

const commitId = z.string().regex(/^[0-9a-f]{7,64}$/, 'expected a commit id');
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
const LOCK_OUTPUT_BYTES = 256 * 1024;

const candidate = z.object({
  ecosystem: z.enum(UPDATE_ECOSYSTEMS),
  name: z.string().min(1).max(214),
  depType: z.enum(DEP_TYPES),
  from: z.string().min(1),
  to: z.string().min(1),
  type: z.enum(UPDATE_TYPES),
  // Empty for a name declared without a version (pip-tools' requirements.in): only its lock changes.
  fromRange: z.string().max(500),
  toRange: z.string().max(500),
  publishedAt: z.string().nullable(),
  ageDays: z.number().nullable(),
  manifest: z
    .string()
    .regex(/^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[\w./-]{1,200}$/, 'expected a repo-relative file')
    .optional(),
});

/** Reads a workspace file the sandbox may have written: never through a link, never unbounded. */
async function readWorkspaceFile(dir: string, file: string): Promise<string | undefined> {
  const handle = await open(path.join(dir, file), constants.O_RDONLY | constants.O_NOFOLLOW).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw new AutodevError(
        'UPDATE_LOCK_FAILED',
        `${file} cannot be read (${error.code ?? 'error'}): a link?`,
      );
    },
  );
  if (handle === undefined) return undefined;
  try {
    const { size } = await handle.stat();
    if (size > MAX_MANIFEST_BYTES) throw new AutodevError('UPDATE_LOCK_FAILED', `${file} is over 16 MiB`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

async function writeWorkspaceFile(dir: string, file: string, text: string): Promise<void> {
  const flags = constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW;
  const handle = await open(path.join(dir, file), flags).catch((error: NodeJS.ErrnoException) => {
    throw new AutodevError('UPDATE_EDIT_FAILED', `${file} cannot be written (${error.code ?? 'error'})`);
  });
  try {
    await handle.writeFile(text, 'utf8');
  } finally {
    await handle.close();
  }
}

/**
 * One ecosystem's edit and lock: the manifest's version texts changed (read from git's objects,
 * written in place), the lockfile regenerated in the sandbox and its versions checked. Answers
 * whether the base has the lockfile (only then may the commit change it).
 */
async function updateOne(
  ctx: ToolContext,
  updater: Updater,
  updates: UpdateCandidate[],
  onto: string,
  commands: string[],
): Promise<string[]> {
  const { git, config } = ctx.services;
  const dir = ctx.workspaceDir;
  // One file per manifest the updates name (Python's requirements files and pyproject.toml).
  const manifests = [...new Set(updates.map((u) => u.manifest ?? updater.manifest))];
  const edited = new Map<string, string>();
  for (const file of manifests) {
    const manifest = await git.fileAt(dir, onto, file, { maxBytes: MAX_MANIFEST_BYTES });
    if (manifest === undefined) {
      throw new AutodevError('UPDATE_EDIT_FAILED', `${file} is not in the base commit`);
    }
    const own = updates.filter((u) => (u.manifest ?? updater.manifest) === file);
    edited.set(file, updater.editManifest(manifest, own, file));
    await writeWorkspaceFile(dir, file, edited.get(file) ?? manifest);
  }
  // The lockfile each manifest is locked in (pip-tools compiles requirements.in to requirements.txt).
  const lockOf = (file: string): string | undefined => updater.lockfileOf?.(file) ?? updater.lockfile;
  const lockfiles: string[] = [];
  for (const file of new Set(manifests.map(lockOf))) {
    if (file === undefined) continue;
    const atBase = await git.fileAt(dir, onto, file, { maxBytes: MAX_MANIFEST_BYTES });
    if (atBase !== undefined) lockfiles.push(file);
  }
  const hadLock = lockfiles.length > 0;
  // The ecosystem's package cache where the offline tests look for what the lock step downloads
  // (cargo's CARGO_HOME, go's module cache), over the machine's registry settings as for setup.
  const lockRun = await updater.lockRun?.(commandOptions(ctx));
  const env = { ...ctx.services.registryEnv, ...lockRun?.env };
  // Install as well when the repository keeps no lockfile: the tests must see the new versions.
  for (const argv of updater.lockCommands(updates, hadLock)) {
    const run = await runSandboxedCommand(ctx, {
      argv,
      timeoutSecs: config.runner_timeout_secs,
      network: true,
      maxOutputBytes: LOCK_OUTPUT_BYTES,
      env,
      ...(lockRun ? { binds: lockRun.binds } : {}),
    });
    commands.push(argv.join(' '));
    if (run.exit_code !== 0 || run.timed_out) {
      throw new AutodevError(
        'UPDATE_LOCK_FAILED',
        `${argv.join(' ')} failed (${describeExit(run)}): ${`${run.stderr}\n${run.stdout}`.trim().slice(-2000)}`,
        { details: { command: argv } },
      );
    }
  }
  if (updater.rewritesManifest === true) {
    for (const [file, text] of edited) await writeWorkspaceFile(dir, file, text);
  }
  for (const lockfile of lockfiles) {
    const own = updates.filter((u) => lockOf(u.manifest ?? updater.manifest) === lockfile);
    const lock = await readWorkspaceFile(dir, lockfile);
    const manifest = edited.get(own[0]?.manifest ?? updater.manifest);
    const locked =
      lock === undefined
        ? new Map<string, string>()
        : updater.lockedVersions(
            lock,
            own.map((u) => u.name),
            manifest,
          );
    const wrong = own.filter((u) => locked.get(u.name) !== u.to);
    if (wrong.length > 0) {
      throw new AutodevError(
        'UPDATE_LOCK_FAILED',
        `${lockfile} resolves ${wrong.map((u) => `${u.name} to ${locked.get(u.name) ?? 'nothing'} (wanted ${u.to})`).join(', ')}`,
      );
    }
  }
  // The files the step may change: anything else the sandbox's tool left is not committed.
  return [...manifests, ...lockfiles];
}

/**
 * The mechanical half of a dependency update: the manifest's version texts changed (read from git's
 * objects, written in place), the lockfile regenerated by the ecosystem's own tool in the sandbox
 * with network to the configured registries only, its versions checked against the intended ones,
 * and the two files committed on top of `onto`. No model is involved. Safe to run again: the
 * worktree is reset to `onto` first and the commit date is fixed by the input.
 */
export const dependencyUpdateTool = registerTool(
  defineTool({
    name: 'dependency_update',
    description:
      'Update dependencies mechanically: edit the manifest versions, regenerate the lockfile in the sandbox (network to the configured registries only), commit.',
    inputSchema: z.object({
      ecosystem: z.enum(UPDATE_ECOSYSTEMS),
      updates: z.array(candidate).min(1).max(500),
      onto: commitId,
      message: z.string().min(1),
      commit_date: z.iso.datetime(),
    }),
    async invoke(input, ctx) {
      const { git, config } = ctx.services;
      const dir = ctx.workspaceDir;
      await git.resetTo(dir, input.onto);
      // A group rule may gather several ecosystems (every patch of the repository): each edits and
      // locks its own manifest, and the one commit holds them all.
      const ecosystems = [...new Set([input.ecosystem, ...input.updates.map((u) => u.ecosystem)])];
      const allowed = new Set<string>();
      const commands: string[] = [];
      for (const ecosystem of ecosystems) {
        const updates: UpdateCandidate[] = input.updates.filter((u) => u.ecosystem === ecosystem);
        if (updates.length === 0) continue;
        const generic = updaterFor(ecosystem, NO_REGISTRY_LOOKUPS);
        // The repository's own tooling as the base has it (npm, pnpm or yarn by the lockfile there).
        const atBase: RepoFiles = {
          read: (file) => git.fileAt(dir, input.onto, file, { maxBytes: MAX_MANIFEST_BYTES }),
        };
        const updater = (await generic.forRepository?.(atBase)) ?? generic;
        for (const file of await updateOne(ctx, updater, updates, input.onto, commands)) allowed.add(file);
      }
      const author = {
        name: config.git.git_author_name,
        email: config.git.git_author_email,
        date: input.commit_date,
      };
      const { commit, changed } = await git.commitAll(dir, input.message, author);
      if (!changed)
        throw new AutodevError('UPDATE_EDIT_FAILED', 'the update changes nothing: already applied?');
      const files = await git.changedFiles(dir, input.onto);
      // The sandbox's tool may write only the lockfile: anything else it left is not committed.
      const stray = files.filter((file) => !allowed.has(file));
      if (stray.length > 0) {
        await git.resetTo(dir, input.onto);
        throw new AutodevError(
          'UPDATE_LOCK_FAILED',
          `the lockfile step changed files besides ${[...allowed].join(' and ')}: ${stray.slice(0, 10).join(', ')}`,
        );
      }
      return { commit, files, lock_commands: commands };
    },
    summarize: (out) => `update commit ${out.commit.slice(0, 12)}: ${out.files.join(', ')}`,
  }),
);

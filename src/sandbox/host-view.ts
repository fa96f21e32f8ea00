import { existsSync, lstatSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isWithin } from '../workspace/real-path.js';
import { MountPlan } from './mount-plan.js';
import { sandboxAccountFiles } from './sandbox-accounts.js';

/**
 * What a sandboxed command sees of the host: the system's programs and libraries, a few files of
 * /etc, the toolchains in use, and nothing else. Not the host's HOME, /root, /home, /opt, /srv, /var,
 * /work or any other project: what a command reads can reach the model (its `run` tool) and the
 * logs. The workspace, the run's HOME and the caches are mounted on top by the caller.
 */

/** Top-level system folders; merged-/usr hosts have symlinks for all but /usr. */
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'] as const;

/**
 * Files and folders of /etc commands need; everything else there (shadow, ssh host keys, the
 * system git config with its credential helper, cron, sudoers) stays out.
 */
const ETC_ENTRIES = [
  // Name resolution and service names (setup's installs; Go's net package reads services).
  'resolv.conf',
  'hosts',
  'host.conf',
  'nsswitch.conf',
  'gai.conf',
  'services',
  'protocols',
  'networks',
  // TLS trust and OpenSSL's configuration (node reads /etc/ssl/openssl.cnf at start).
  'ssl',
  'ca-certificates',
  'ca-certificates.conf',
  'pki',
  'crypto-policies',
  // The dynamic linker, and Debian's alternatives (/usr/bin/cc -> /etc/alternatives/cc).
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'alternatives',
  // Time, locale and what system this is (platform tags of pip, npm's os checks).
  'localtime',
  'timezone',
  'locale.alias',
  'os-release',
  'lsb-release',
  'debian_version',
  'mime.types',
  'magic',
  'magic.mime',
  'inputrc',
  'shells',
  'terminfo',
  'perl',
  // The package clients' system-wide configuration: which registry mirror and CA to use.
  'pip.conf',
  'npmrc',
] as const;

/** /etc/python3, /etc/python3.11: the system interpreter's sitecustomize and config. */
const ETC_PATTERN = /^python3(\.\d+)?$/;

/** Variables whose value is a toolchain folder, shown read-only. */
const TOOLCHAIN_DIRS = ['RUSTUP_HOME', 'CARGO_HOME', 'PYENV_ROOT', 'GOROOT', 'GOPATH', 'GOMODCACHE'] as const;

/** Programs whose real location is a toolchain (a `/usr/local/bin/node` linked into /opt/node-20). */
const TOOLCHAIN_PROGRAMS = [
  'node',
  'npm',
  'npx',
  'python3',
  'python',
  'pip',
  'pip3',
  'go',
  'gofmt',
  'cargo',
  'rustc',
  'rustup',
] as const;

const SYSTEM_ROOTS = [...SYSTEM_DIRS, '/etc', '/proc', '/dev', '/sys', '/tmp'];

export interface HostViewInput {
  /** The command's environment: PATH and the toolchain variables say which toolchains are in use. */
  env: Readonly<Record<string, string>>;
  /** The server's HOME: never shown whole, only the toolchains inside it. */
  hostHome?: string;
  /** Host folders that stay hidden even where a toolchain or system folder holds them (the data dir). */
  hidden: readonly string[];
  /** The uid commands run as, for the generated /etc/passwd. */
  uid: number;
  /** Folders the caller mounts itself (workspace, HOME, caches): no toolchain mount for them. */
  mounted: readonly string[];
}

function realOrUndefined(dir: string): string | undefined {
  try {
    return realpathSync(dir);
  } catch {
    return undefined;
  }
}

/**
 * The folder a PATH entry's programs need: a `bin/` or `shims/` entry brings its parent (nvm's node
 * needs ../lib, pyenv's shims need ../libexec and ../versions), unless that parent is too broad to
 * show (the filesystem root, a top-level folder such as /work, the server's HOME or a folder holding
 * it): then the entry alone.
 */
function toolchainRootOf(
  entry: string,
  hostHome: string | undefined,
  goPath: string | undefined,
): string | undefined {
  const dir = path.normalize(entry);
  if (dir === '/' || (hostHome !== undefined && isWithin(hostHome, dir))) return undefined;
  if (!/\/(bin|shims)$/.test(dir)) return dir;
  const parent = path.dirname(dir);
  // A GOPATH holds other modules' sources and the host's module cache beside its bin/.
  const tooBroad =
    parent.split('/').filter((part) => part !== '').length < 2 ||
    parent === goPath ||
    (hostHome !== undefined && isWithin(hostHome, parent));
  return tooBroad ? dir : parent;
}

/** Where `program` really lives, found on PATH as execvp would find it. */
function realProgram(program: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(':')) {
    if (!path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, program);
    if (existsSync(candidate)) return realOrUndefined(candidate);
  }
  return undefined;
}

const toolchainCache = new Map<string, string[]>();

/**
 * The toolchain folders to show for an environment: its toolchain variables, its PATH entries, and
 * the real folders of the usual language programs found on that PATH, each by its given path and,
 * when a symlink leads elsewhere, by its real path too. Folders under /usr are shown anyway.
 */
export function toolchainDirs(env: Readonly<Record<string, string>>, hostHome: string | undefined): string[] {
  const key = JSON.stringify([hostHome, env.PATH, ...TOOLCHAIN_DIRS.map((name) => env[name])]);
  const cached = toolchainCache.get(key);
  if (cached !== undefined) return cached;
  const searchPath = env.PATH ?? '';
  const goPath = env.GOPATH ?? (hostHome === undefined ? undefined : path.join(hostHome, 'go'));
  const programDirs = TOOLCHAIN_PROGRAMS.map((program) => realProgram(program, searchPath))
    .filter((file): file is string => file !== undefined)
    .map((file) => path.dirname(file));
  const candidates = [...TOOLCHAIN_DIRS.map((name) => env[name]), ...searchPath.split(':'), ...programDirs]
    .filter((dir): dir is string => dir !== undefined && path.isAbsolute(dir))
    .map((dir) => toolchainRootOf(dir, hostHome, goPath))
    .filter((dir): dir is string => dir !== undefined && existsSync(dir));
  const withReal = candidates.flatMap((dir) => {
    const real = realOrUndefined(dir);
    const realRoot = real === undefined ? undefined : toolchainRootOf(real, hostHome, goPath);
    return realRoot === undefined || realRoot === dir ? [dir] : [dir, realRoot];
  });
  const outsideSystem = withReal.filter((dir) => !SYSTEM_ROOTS.some((root) => isWithin(dir, root)));
  const unique = [...new Set(outsideSystem)].sort();
  // A folder inside one already shown needs no mount of its own.
  const dirs = unique.filter((dir) => !unique.some((other) => other !== dir && isWithin(dir, other)));
  toolchainCache.set(key, dirs);
  return dirs;
}

function systemDirs(plan: MountPlan): void {
  for (const dir of SYSTEM_DIRS) {
    const info = lstatSync(dir, { throwIfNoEntry: false });
    if (info === undefined) continue;
    if (info.isSymbolicLink()) plan.symlink(readlinkSync(dir), dir);
    else if (info.isDirectory()) plan.bind(dir, dir);
  }
}

let etcNames: string[] | undefined;

function etcEntries(plan: MountPlan, uid: number): void {
  etcNames ??= [
    ...ETC_ENTRIES,
    ...readdirSync('/etc')
      .filter((name) => ETC_PATTERN.test(name))
      .sort(),
  ];
  plan.tmpfs('/etc');
  for (const name of etcNames)
    plan.bind(path.join('/etc', name), path.join('/etc', name), { optional: true });
  const accounts =
    uid === 0 || uid === process.getuid?.()
      ? sandboxAccountFiles(uid, uid === 0 ? 'root' : os.userInfo().username)
      : sandboxAccountFiles(uid);
  plan.bind(path.join(accounts, 'passwd'), '/etc/passwd');
  plan.bind(path.join(accounts, 'group'), '/etc/group');
  plan.symlink('../proc/self/mounts', '/etc/mtab');
}

/**
 * The bwrap arguments of the host view: system folders and /etc essentials read-only, a fresh /dev,
 * /proc and /tmp, the CPU topology of /sys (nothing else of it: /sys/class/net would name the host's
 * interfaces), the toolchains read-only, and a tmpfs over every hidden folder one of them holds.
 * Returns the plan, so the caller mounts the workspace, HOME and caches with the same bookkeeping.
 */
export function hostViewPlan(input: HostViewInput): MountPlan {
  const plan = new MountPlan();
  systemDirs(plan);
  etcEntries(plan, input.uid);
  plan.special('--dev', '/dev').special('--proc', '/proc').tmpfs('/tmp', '1777');
  // glibc's CPU count reads /sys/devices/system/cpu/online.
  plan.bind('/sys/devices/system/cpu', '/sys/devices/system/cpu', { optional: true });
  const toolchains = toolchainDirs(input.env, input.hostHome).filter(
    (dir) => !input.mounted.some((own) => isWithin(dir, own)),
  );
  for (const dir of toolchains) plan.bind(dir, dir, { optional: true });
  const hidden = [
    ...new Set(
      [...(input.hostHome ? [input.hostHome] : []), ...input.hidden]
        .filter((dir) => path.isAbsolute(dir) && dir !== '/')
        .map((dir) => path.normalize(dir)),
    ),
  ];
  const hiddenShown = hidden.filter((dir) => plan.showsHost(dir));
  for (const dir of hiddenShown) plan.tmpfs(dir);
  // A toolchain inside a hidden folder that a broader mount showed is shown again on top.
  for (const dir of toolchains) {
    if (hiddenShown.some((root) => isWithin(dir, root) && dir !== root))
      plan.bind(dir, dir, { optional: true });
  }
  return plan;
}

import path from 'node:path';
import { isWithin } from '../workspace/real-path.js';

type MountKind = 'bind' | 'tmpfs';

/**
 * bwrap arguments for a root that starts empty (a tmpfs): every mount is recorded, so the folders
 * bwrap must create on the way to a mount point are made 0755 first. bwrap makes them 0700, which
 * the sandbox user could not traverse. A folder inside a host bind already exists and is left alone
 * (and could not be changed: the bind is read-only).
 */
export class MountPlan {
  readonly args: string[] = [];
  private readonly mounts: { dest: string; kind: MountKind }[] = [];
  private readonly made = new Set<string>(['/']);

  /** Host folder or file `source` shown at `dest`; `optional` skips a source that does not exist. */
  bind(source: string, dest: string, options: { writable?: boolean; optional?: boolean } = {}): this {
    this.parents(dest);
    const flag = options.writable ? '--bind' : '--ro-bind';
    this.args.push(options.optional ? `${flag}-try` : flag, source, dest);
    this.record(dest, 'bind');
    return this;
  }

  /** An empty, writable tmpfs at `dest` (mode `perms`), hiding whatever a bind showed there. */
  tmpfs(dest: string, perms = '0755'): this {
    this.parents(dest);
    this.args.push('--perms', perms, '--tmpfs', dest);
    this.record(dest, 'tmpfs');
    return this;
  }

  symlink(target: string, dest: string): this {
    this.parents(dest);
    this.args.push('--symlink', target, dest);
    this.made.add(dest);
    return this;
  }

  /** Any other bwrap mount (`--dev`, `--proc`): its folder counts as made. */
  special(flag: '--dev' | '--proc', dest: string): this {
    this.parents(dest);
    this.args.push(flag, dest);
    this.record(dest, 'tmpfs');
    return this;
  }

  /** Whether `dir` is shown from the host by a bind (and not hidden again by a later tmpfs). */
  showsHost(dir: string): boolean {
    return this.deepestMount(dir)?.kind === 'bind';
  }

  /** Whether a mount (of any kind) covers `dir`. */
  covers(dir: string): boolean {
    return this.deepestMount(dir) !== undefined;
  }

  private record(dest: string, kind: MountKind): void {
    this.mounts.push({ dest, kind });
    this.made.add(dest);
  }

  /** The mount that decides what `dir` is: the deepest one holding it, the later on a tie. */
  private deepestMount(dir: string): { dest: string; kind: MountKind } | undefined {
    let found: { dest: string; kind: MountKind } | undefined;
    for (const mount of this.mounts) {
      if (isWithin(dir, mount.dest) && (found === undefined || mount.dest.length >= found.dest.length)) {
        found = mount;
      }
    }
    return found;
  }

  private parents(dest: string): void {
    const chain: string[] = [];
    for (let dir = path.dirname(dest); dir !== '/'; dir = path.dirname(dir)) chain.unshift(dir);
    for (const dir of chain) {
      if (this.made.has(dir) || this.showsHost(dir)) continue;
      this.args.push('--perms', '0755', '--dir', dir);
      this.made.add(dir);
    }
  }
}

import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { processTempDir } from '../util/process-temp-dir.js';

/** One folder of generated account files per uid, removed when the process exits. */
const folders = new Map<number, string>();
let cleanupHooked = false;

/**
 * A minimal /etc/passwd and /etc/group for the sandbox: root, the user commands run as, and nobody.
 * The host's own files would name every account on the machine; having none for the sandbox uid
 * breaks tools that look the user up (git's ident, Python's getpass, initdb).
 * Returns the folder holding `passwd` and `group`, readable by everyone.
 */
export function sandboxAccountFiles(uid: number, name = 'sandbox'): string {
  const existing = folders.get(uid);
  if (existing !== undefined) return existing;
  const dir = processTempDir('autodev-accounts-');
  const account = uid === 0 ? [] : [`${name}:x:${uid}:${uid}:autodev sandbox:/tmp:/bin/sh`];
  const group = uid === 0 ? [] : [`${name}:x:${uid}:`];
  writeFileSync(
    path.join(dir, 'passwd'),
    [
      'root:x:0:0:root:/root:/bin/sh',
      ...account,
      'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  writeFileSync(path.join(dir, 'group'), ['root:x:0:', ...group, 'nogroup:x:65534:', ''].join('\n'), {
    mode: 0o644,
  });
  // mkdtemp makes the folder 0700; bwrap reads it as root, but a non-root server's user namespace
  // reads it as itself, which owns it.
  folders.set(uid, dir);
  if (!cleanupHooked) {
    cleanupHooked = true;
    process.once('exit', () => {
      for (const folder of folders.values()) rmSync(folder, { recursive: true, force: true });
    });
  }
  return dir;
}

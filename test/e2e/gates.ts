import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Explicit triggers for the slow spots the durability suites kill or cancel in, instead of sleeps: a
 * fixture command stops at a gate (it writes `<name>.waiting` in a gate folder and waits for
 * `<name>.open`), and the test's keeper opens each gate unless the test holds it. A held step stays
 * running for as long as the test needs it to, however loaded the machine, and an unheld one costs
 * a poll interval instead of seconds.
 */

/** The gate folder inside a workspace (the sandbox writes only there); the fixtures ignore it in git. */
export const WORKSPACE_GATES = '.gates';
const POLL_MS = 50;

/**
 * Shell that stops at gate `name` in `dir` until it is opened, then clears it for the next run. Each
 * waiter has files of its own (`<name>.<pid>.waiting`): with one shared pair, a held waiter (a killed
 * server's push, still in the origin's hook) that goes on when opened removed the `waiting` file of
 * the next one to arrive, which then waited forever for a gate nobody saw.
 */
export function shellGate(dir: string, name: string): string {
  const at = `${dir}/${name}.$$`;
  return [
    `mkdir -p "${dir}"`,
    `touch "${at}.waiting"`,
    `until [ -e "${at}.open" ]; do sleep 0.05; done`,
    `rm -f "${at}.open" "${at}.waiting"`,
  ].join(' && ');
}

/** Python that stops at gate `name` in the workspace's gate folder (found from the file itself). */
export function pythonGate(name: string): string {
  return [
    'import os as _os, time as _time',
    `_gates = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), ${JSON.stringify(WORKSPACE_GATES)})`,
    '_os.makedirs(_gates, exist_ok=True)',
    `_at = _os.path.join(_gates, "${name}." + str(_os.getpid()))`,
    'open(_at + ".waiting", "w").close()',
    'while not _os.path.exists(_at + ".open"):',
    '    _time.sleep(0.05)',
    'for _f in (_at + ".open", _at + ".waiting"):',
    '    _os.remove(_f)',
    '',
  ].join('\n');
}

/** Makes the origin's pre-receive hook (it runs on this host) stop at gate `push` in `<origin>/gates`. */
export async function gatedOrigin(origin: string): Promise<string> {
  const dir = join(origin, 'gates');
  await mkdir(dir, { recursive: true });
  const hook = join(origin, 'hooks', 'pre-receive');
  await writeFile(hook, `#!/bin/sh\ncat >/dev/null\n${shellGate(dir, 'push')}\n`);
  await chmod(hook, 0o755);
  return dir;
}

/** The gate a waiter's files belong to: `push.1234` → `push`. */
function gateName(waiter: string): string {
  return waiter.split('.')[0] ?? waiter;
}

/** Whether some process is waiting at gate `name` in `dir`. */
export function gateWaiting(dir: string, name: string): boolean {
  try {
    return readdirSync(dir).some((e) => e.endsWith('.waiting') && gateName(e) === name);
  } catch {
    return false;
  }
}

export interface GateKeeper {
  /** Gate folders to watch from now on (a task's workspace gates, an origin's). */
  watch(dir: string): void;
  /** Open every gate from now on, held or not (the kill or cancel it was held for has happened). */
  openAll(): void;
  /** Gates that were waiting and opened so far, by name. */
  opened(): string[];
  stop(): Promise<void>;
}

/**
 * Opens every waiting gate in the watched folders unless `hold(name)` says to keep it shut, asked
 * each time the gate is found waiting (so a gate held for the second test run lets the first pass).
 */
export function startGateKeeper(
  hold: (name: string) => Promise<boolean> | boolean = () => false,
): GateKeeper {
  const dirs = new Set<string>();
  const opened: string[] = [];
  let holding = true;
  let stopped = false;

  const sweep = async (): Promise<void> => {
    for (const dir of dirs) {
      const entries = await readdir(dir).catch(() => [] as string[]);
      for (const entry of entries) {
        if (!entry.endsWith('.waiting')) continue;
        const waiter = entry.slice(0, -'.waiting'.length);
        const name = gateName(waiter);
        const open = join(dir, `${waiter}.open`);
        if (existsSync(open)) continue;
        // A failed question (the server being killed or restarting) keeps the gate shut until the
        // next sweep asks again.
        if (holding && (await Promise.resolve(hold(name)).catch(() => true))) continue;
        // The fixture may have cleared it since: a gate it is no longer at must not be left open.
        if (!existsSync(join(dir, entry))) continue;
        await writeFile(open, '');
        opened.push(name);
      }
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await sweep().catch(() => undefined);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();

  return {
    watch: (dir) => void dirs.add(dir),
    openAll: () => {
      holding = false;
    },
    opened: () => [...opened],
    async stop() {
      holding = false;
      await sweep();
      stopped = true;
      await loop;
    },
  };
}

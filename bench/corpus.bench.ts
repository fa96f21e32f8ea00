/**
 * The real-repository corpus (issue #14 part 4): 22 pinned libraries and workspaces from PyPI, the Cargo registry, the Go
 * module proxy and npm, each with one injected bug, and 9 real bug fixes from patch releases
 * (issue #28 part 4, bench/corpus/real-fix-instances.ts), replayed through a running `autodev serve`
 * twice: with the exact fix as the scripted model's reply (must be delivered, low risk merged) and
 * with an empty reply (must fail with a reason that does not blame the environment). The first run
 * of a repo has setup_network = true to fill its caches; the measured runs are offline, from them.
 * Each instance is also run by hand (bench/corpus/by-hand.ts): the same commands, the same caches,
 * no sandbox. `AUTODEV_CORPUS_ONLY=six,fnv` limits the run to some instances.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startScriptedModelServer, type ScriptedModelServer } from '../test/helpers/scripted-model-server.js';
import { startServerProcess, type ServerProcess } from '../test/helpers/server-process.js';
import { runByHand } from './corpus/by-hand.js';
import { fetchRelease } from './corpus/client-fetch.js';
import { fetchArchive } from './corpus/fetch.js';
import { startGitCounter, type GitCounter } from './corpus/git-count.js';
import { E2E_USERS, useOperatorToken } from '../test/helpers/api-client.js';
import { CORPUS } from './corpus/instances.js';
import { buildOrigin } from './corpus/origin.js';
import { replay, type ReplayResult } from './corpus/replay.js';
import { summarize, type InstanceOutcome } from './corpus/summary.js';
import type { CorpusInstance } from './corpus/types.js';
import type { BenchRow } from './types.js';

const CACHE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '.cache', 'corpus');
const MODEL_KEY = 'sk-corpus-model-key-0123456789abcdef';

function selected(): CorpusInstance[] {
  const only = process.env['AUTODEV_CORPUS_ONLY']?.split(',').filter(Boolean);
  if (!only) return CORPUS;
  const unknown = only.filter((name) => !CORPUS.some((i) => i.name === name));
  if (unknown.length > 0)
    throw new Error(`AUTODEV_CORPUS_ONLY names unknown instances: ${unknown.join(', ')}`);
  // In the order given: the cheap ones first when time is short.
  return only.flatMap((name) => CORPUS.filter((i) => i.name === name));
}

async function startServer(
  model: ScriptedModelServer,
  dataDir: string,
  network: boolean,
  gitCounter: GitCounter,
): Promise<ServerProcess> {
  const config = `
[autodev]
data_dir = "${dataDir}"
setup_network = ${String(network)}
max_step_retries = 1
# The corpus's repos are throwaway clones under the bench's cache: autodev acts on none unless listed.
allowlist_repos = ["**"]

[autodev.llm]
api_url = "${model.openaiUrl}"
api_key_env = "CORPUS_MODEL_KEY"
# An empty answer is asked again turn after turn: two turns per round bound what the empty-reply run consumes.
max_turns = 2

# setup_network = true is served only with tokens: the bench acts as an admin user.
[[autodev.auth.users]]
name = "operator"
token_env = "CORPUS_OPERATOR_TOKEN"
roles = ["admin"]
`;
  // CA bundle paths (no secret): behind a TLS-inspecting proxy the first, networked setup needs them,
  // and node's own fetch (corepack fetching yarn 2+) reads only NODE_EXTRA_CA_CERTS, not npm's cafile.
  const caBundles = Object.fromEntries(
    CA_BUNDLE_VARS.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
  );
  const server = await startServerProcess({
    config,
    env: {
      ...caBundles,
      // The counting git wrapper first: git processes per task are a figure of the table.
      PATH: `${gitCounter.binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      CORPUS_MODEL_KEY: MODEL_KEY,
      CORPUS_OPERATOR_TOKEN: E2E_USERS.operator.token,
    },
  });
  useOperatorToken(server.baseUrl);
  return server;
}

const CA_BUNDLE_VARS = [
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'NODE_EXTRA_CA_CERTS',
  'REQUESTS_CA_BUNDLE',
  'PIP_CERT',
];

function log(line: string): void {
  console.error(`corpus: ${line}`);
}

function describe(result: ReplayResult): string {
  return `${result.status}${result.error ? ` ${result.error.code}: ${result.error.message.slice(0, 300)}` : ''} (${Math.round(result.wallMs)} ms, ${result.modelCalls} model call(s))`;
}

export async function bench(): Promise<BenchRow[]> {
  const instances = selected();
  const dataDir = path.join(CACHE_DIR, 'data');
  await mkdir(path.join(dataDir, 'warm'), { recursive: true });
  const archives = new Map<string, string>();
  for (const instance of instances) {
    const { source, realFix } = instance;
    if (realFix) {
      // Both releases, by the ecosystem's own client; the later one is read beside the first.
      await fetchRelease(instance.ecosystem, source.name, realFix.next, CACHE_DIR);
      archives.set(
        instance.name,
        await fetchRelease(instance.ecosystem, source.name, source.version, CACHE_DIR),
      );
    } else {
      archives.set(instance.name, await fetchArchive(source, CACHE_DIR));
    }
  }
  const model = await startScriptedModelServer();
  const gitCounter = await startGitCounter();
  const outcomes: InstanceOutcome[] = [];
  // One server at a time on the data_dir (two would share its queue); restarted when the mode changes.
  let server: { process: ServerProcess; network: boolean } | undefined;
  const serverWith = async (network: boolean): Promise<ServerProcess> => {
    if (server?.network === network) return server.process;
    await server?.process.stop();
    server = { process: await startServer(model, dataDir, network, gitCounter), network };
    return server.process;
  };
  try {
    // Instance by instance, so an interrupted run still logged every finished one.
    for (const instance of instances) {
      const archive = archives.get(instance.name) ?? '';
      const warmMarker = path.join(dataDir, 'warm', instance.name);
      const origin = (await buildOrigin(instance, archive, CACHE_DIR)).origin;
      // The caches are per repo key, which comes from the origin's path: a marker names the origin it
      // warmed, so a cache folder copied or moved elsewhere is warmed again instead of running
      // offline against empty caches (SETUP_FAILED on every instance).
      if ((await readFile(warmMarker, 'utf8').catch(() => '')) !== origin) {
        // Fill the repo's caches once, with network; the marker keeps later bench runs offline-only.
        const built = await buildOrigin(instance, archive, CACHE_DIR);
        const result = await replay((await serverWith(true)).baseUrl, model, instance, built.origin, [
          built.fixReply,
        ]);
        log(`${instance.name} with network (cold caches): ${describe(result)}`);
        if (result.status !== 'failed') await writeFile(warmMarker, built.origin);
      }
      const offline = await serverWith(false);
      let built = await buildOrigin(instance, archive, CACHE_DIR);
      const gitBefore = await gitCounter.count();
      const fixed = await replay(offline.baseUrl, model, instance, built.origin, [built.fixReply]);
      const gitProcesses = (await gitCounter.count()) - gitBefore;
      log(
        `${instance.name} fix: ${describe(fixed)}, ${gitProcesses} git processes (${await gitCounter.subcommands(gitBefore)})`,
      );
      built = await buildOrigin(instance, archive, CACHE_DIR);
      const empty = await replay(offline.baseUrl, model, instance, built.origin, ['', '', '', '']);
      log(`${instance.name} empty reply: ${describe(empty)}`);
      built = await buildOrigin(instance, archive, CACHE_DIR);
      const scratch = await mkdtemp(path.join(tmpdir(), 'autodev-corpus-hand-'));
      const byHand = await runByHand(instance, built, dataDir, scratch);
      await rm(scratch, { recursive: true, force: true });
      log(
        `${instance.name} by hand: ${Math.round(byHand.totalMs)} ms, tests ok before/after ${String(byHand.testsOkBefore)}/${String(byHand.testsOkAfter)}, ${byHand.reproduced ? 'bug and fix reproduced' : `INVALID reference: ${byHand.notReproduced ?? ''}`} (${byHand.commands.join(' ; ')}); task ${Math.round(fixed.wallMs)} ms, repo commands ${Math.round(fixed.repoCommandsMs)} ms`,
      );
      outcomes.push({ instance, fixed, empty, byHand, gitProcesses });
    }
  } finally {
    await server?.process.stop();
    await model.close();
    await gitCounter.close();
  }
  const { table, rows } = summarize(outcomes);
  console.error(table);
  return rows;
}

import { mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { copyCheckout, type CopyLimits } from '../checkout-copy.js';
import { compareStates, trackedStateOf, type UntouchedProof } from '../tracked-state.js';
import type { RunGit } from '../../workspace/run-git.js';
import { cargoLinker } from './cargo.js';
import { goLinker } from './go.js';
import { linkFailed } from './manifest.js';
import { npmLinker } from './npm.js';
import { pipLinker } from './pip.js';
import { pnpmLinker } from './pnpm.js';
import { yarnLinker } from './yarn.js';
import type { LinkedBuild, LinkEcosystem, Linker } from './types.js';

/** The linkers by ecosystem, in the order a consumer's ecosystem is detected. */
export const LINKERS: Record<LinkEcosystem, Linker> = {
  // pnpm and yarn before npm: their lockfile tells them apart; npm is any other package.json.
  pnpm: pnpmLinker,
  yarn: yarnLinker,
  npm: npmLinker,
  cargo: cargoLinker,
  go: goLinker,
  pip: pipLinker,
};

export interface LinkConsumerInput {
  /** The consumer's checkout (its workspace): read, never written. */
  consumerCheckout: string;
  /** The changed library's checkout (its workspace): read, never written. */
  libraryCheckout: string;
  /** An empty or missing folder the link owns: the copies and the link's own files go there. */
  scratchDir: string;
  /** Chosen by detection (the first linker whose ecosystem the consumer is) when not given. */
  ecosystem?: LinkEcosystem;
  copyLimits?: CopyLimits;
}

export interface ConsumerLink {
  build: LinkedBuild;
  /** Proof that neither checkout changed since the link began: call it after the linked build ran. */
  verifyUntouched(): Promise<UntouchedProof[]>;
}

/**
 * Wires a consumer to the changed library: copies both checkouts into the scratch folder, finds
 * the consumer's ecosystem and returns its linker's commands, environment and build arguments for
 * the sandbox, which runs the consumer's setup, build and tests in the copy. The checkouts' state
 * is recorded first, so the caller proves afterwards that nothing that could be pushed changed.
 */
export async function linkConsumer(runGit: RunGit, input: LinkConsumerInput): Promise<ConsumerLink> {
  const checkouts = [input.consumerCheckout, input.libraryCheckout];
  const before = await Promise.all(
    checkouts.map(async (dir) => ({ dir, state: await trackedStateOf(runGit, dir) })),
  );
  await mkdir(input.scratchDir, { recursive: true });
  // Real paths: the sandbox binds by real path, and go.work and Cargo's patch name these folders.
  const scratchDir = await realpath(input.scratchDir);
  const consumerDir = path.join(scratchDir, 'consumer');
  const libraryDir = path.join(scratchDir, 'library');
  await copyCheckout(runGit, input.consumerCheckout, consumerDir, input.copyLimits);
  await copyCheckout(runGit, input.libraryCheckout, libraryDir, input.copyLimits);
  const linker = await chooseLinker(consumerDir, input.ecosystem);
  const copies = { consumerDir, libraryDir, scratchDir };
  const wiring = await linker.link(copies);
  return {
    build: { ecosystem: linker.id, ...copies, ...wiring },
    async verifyUntouched() {
      return Promise.all(
        before.map(async ({ dir, state }) => compareStates(dir, state, await trackedStateOf(runGit, dir))),
      );
    },
  };
}

async function chooseLinker(consumerDir: string, ecosystem: LinkEcosystem | undefined): Promise<Linker> {
  if (ecosystem !== undefined) {
    return LINKERS[ecosystem];
  }
  for (const linker of Object.values(LINKERS)) if (await linker.detect(consumerDir)) return linker;
  throw linkFailed(
    `the consumer is none of the ecosystems linking knows (${Object.keys(LINKERS).join(', ')}): no package.json, Cargo.toml, go.mod or Python manifest`,
  );
}

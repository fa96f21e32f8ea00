import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AllowList, parseAllowEntry } from '../network/allow-list.js';
import { createFilteringProxy } from '../network/filtering-proxy.js';
import { discoverRegistries } from '../network/registries/index.js';
import { FORWARDER_SOURCE } from './forwarder-source.js';
import type { HostEnv } from './env.js';

/** Where the proxy's folder (its socket and the relay program) appears inside the sandbox. */
export const SANDBOX_PROXY_DIR = '/tmp/.autodev-network';
/** The relay's port on the sandbox's own loopback; nothing else listens in that namespace. */
export const SANDBOX_PROXY_PORT = 3128;

const PROXY_URL = `http://127.0.0.1:${String(SANDBOX_PROXY_PORT)}`;

/**
 * Every variable npm, pip, cargo, go, git and curl read their proxy from. NO_PROXY is never set (the
 * sandbox's environment is an allowlist), so nothing bypasses the proxy; there is no other route.
 */
export const PROXY_ENV: Readonly<Record<string, string>> = {
  HTTP_PROXY: PROXY_URL,
  HTTPS_PROXY: PROXY_URL,
  ALL_PROXY: PROXY_URL,
  http_proxy: PROXY_URL,
  https_proxy: PROXY_URL,
  all_proxy: PROXY_URL,
  npm_config_proxy: PROXY_URL,
  npm_config_https_proxy: PROXY_URL,
  CARGO_HTTP_PROXY: PROXY_URL,
  YARN_HTTP_PROXY: PROXY_URL,
  YARN_HTTPS_PROXY: PROXY_URL,
};

/** One run's way out: the proxy listening on a socket in its own folder, bound into the sandbox. */
export interface SetupNetwork {
  /** Host folder to bind read-only at SANDBOX_PROXY_DIR. */
  hostDir: string;
  env: Readonly<Record<string, string>>;
  /** The command behind the relay, started by the host's node. */
  wrap(argv: readonly string[]): string[];
  /** A note for the run's output naming every refused connection, or undefined when none was. */
  report(): string | undefined;
  close(): Promise<void>;
}

export interface SetupNetworkFactory {
  open(): Promise<SetupNetwork>;
}

/**
 * Builds the allow-list once (the registries the host's package clients are configured for, plus
 * `extraAllow` from `setup_network_allow`), then opens one proxy per run.
 */
export function createSetupNetworkFactory(options: {
  hostEnv: HostEnv;
  extraAllow?: readonly string[];
  /** The node that runs the relay inside the sandbox (the host's, visible read-only there). */
  nodePath?: string;
}): SetupNetworkFactory {
  let allow: Promise<AllowList> | undefined;
  const nodePath = options.nodePath ?? process.execPath;

  async function buildAllowList(): Promise<AllowList> {
    const explicit = (options.extraAllow ?? []).flatMap(parseAllowEntry);
    const discovered = await discoverRegistries(options.hostEnv, options.hostEnv.HOME ?? '/');
    return new AllowList([...discovered.flatMap((client) => client.targets), ...explicit], explicit);
  }

  return {
    async open() {
      // Read once per sandbox; a failed read is retried by the next run rather than kept.
      allow ??= buildAllowList().catch((error: unknown) => {
        allow = undefined;
        throw error;
      });
      const list = await allow;
      const hostDir = await mkdtemp(path.join(os.tmpdir(), 'autodev-net-'));
      const proxy = createFilteringProxy({ allow: list });
      try {
        const forwarder = path.join(hostDir, 'forwarder.cjs');
        await writeFile(forwarder, FORWARDER_SOURCE, { mode: 0o644 });
        await proxy.listen({ path: path.join(hostDir, 'proxy.sock') });
        // The sandbox user (another uid when autodev is root) must reach the socket; the folder is
        // bound read-only, and a socket on a read-only mount still accepts connections.
        await chmod(path.join(hostDir, 'proxy.sock'), 0o666);
        await chmod(hostDir, 0o755);
      } catch (error) {
        await proxy.close();
        await rm(hostDir, { recursive: true, force: true });
        throw error;
      }
      return {
        hostDir,
        env: PROXY_ENV,
        wrap: (argv) => [
          nodePath,
          path.join(SANDBOX_PROXY_DIR, 'forwarder.cjs'),
          path.join(SANDBOX_PROXY_DIR, 'proxy.sock'),
          String(SANDBOX_PROXY_PORT),
          ...argv,
        ],
        report() {
          const refusals = proxy.refusals();
          if (refusals.length === 0) return undefined;
          const allowed = list.describe();
          return [
            "autodev: setup's network reaches only package registries; refused:",
            ...refusals.map((line) => `  ${line}`),
            `  allowed: ${allowed.length === 0 ? '(none)' : allowed.join(', ')} (more with setup_network_allow)`,
          ].join('\n');
        },
        async close() {
          await proxy.close();
          await rm(hostDir, { recursive: true, force: true });
        },
      };
    },
  };
}

import type { AllowedTarget } from '../allow-list.js';

/** Runs a package client on the host to read its configuration: stdout, or undefined when it fails. */
export type HostCommand = (argv: readonly string[]) => Promise<string | undefined>;

export interface RegistryProbeContext {
  run: HostCommand;
  /** The server's environment (the clients' own variables, such as PIP_INDEX_URL or CARGO_HOME). */
  hostEnv: Readonly<Record<string, string | undefined>>;
}

/**
 * One package client's registries, read from its own configuration on the host; never a hard-coded
 * address. A client that is not installed contributes nothing.
 */
export interface RegistryProbe {
  readonly client: string;
  targets(context: RegistryProbeContext): Promise<AllowedTarget[]>;
}

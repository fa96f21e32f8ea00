import type { Environment } from './load.js';

/**
 * The server's own environment, for the layers that start processes (git, the sandbox) to build their
 * allow-listed child environments from. They receive it as an argument; nothing else reads process.env.
 */
export function readHostEnvironment(): Environment {
  return { ...process.env };
}

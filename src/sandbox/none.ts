import { validateCommand, withHome } from './command.js';
import { buildSandboxEnv } from './env.js';
import { spawnCapped } from './spawn-capped.js';
import { withoutPyenvShim } from './toolchain-shims.js';
import type { Sandbox, SandboxCommand, SandboxFactoryOptions, SandboxResult } from './types.js';

/**
 * No isolation: the command runs on the host with the scrubbed environment, a private HOME,
 * the output caps and the process-tree kill. Only when configured explicitly; `network`
 * cannot be refused here and resource limits are not applied.
 */
export function createNoneSandbox(options: SandboxFactoryOptions): Sandbox {
  return {
    id: 'none',
    ensureAvailable: () => Promise.resolve(),
    async run(command: SandboxCommand): Promise<SandboxResult> {
      validateCommand(command);
      return withHome(command.homeDir, async (home) => {
        // A pyenv shim is resolved to its interpreter here, as the bubblewrap backend does.
        const direct = await withoutPyenvShim(
          command.argv,
          command.cwd,
          buildSandboxEnv({
            hostEnv: options.hostEnv,
            home,
            extras: command.env,
            inheritToolchains: true,
            network: command.network ?? false,
          }),
        );
        return spawnCapped({
          argv: direct.argv,
          cwd: command.cwd,
          env: direct.env,
          timeoutMs: command.timeoutMs,
          signal: command.signal,
          maxOutputBytes: command.maxOutputBytes,
        });
      });
    },
  };
}

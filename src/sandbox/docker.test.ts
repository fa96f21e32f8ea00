import { describe, expect, it } from 'vitest';
import { isAutodevError } from '../errors.js';
import { describeSandboxConformance } from './conformance.js';
import { createDockerSandbox, dockerArgv } from './docker.js';
import { DEFAULT_LIMITS } from './limits.js';

const engine = await createDockerSandbox({ hostEnv: process.env })
  .ensureAvailable()
  .then(
    () => true,
    () => false,
  );

describeSandboxConformance({
  title: engine ? 'docker sandbox' : 'docker sandbox (skipped: no Docker engine on this host)',
  skip: !engine,
  create: (hostEnv) => createDockerSandbox({ hostEnv, image: 'node:20-bookworm-slim' }),
  hostToolchains: false,
  hostEnv: process.env,
  isolated: true,
});

describe('docker sandbox without an engine', () => {
  it.skipIf(engine)('ensureAvailable fails with SANDBOX_UNAVAILABLE', async () => {
    await expect(createDockerSandbox({ hostEnv: process.env }).ensureAvailable()).rejects.toSatisfy((error) =>
      isAutodevError(error, 'SANDBOX_UNAVAILABLE'),
    );
  });

  it('fails with SANDBOX_UNAVAILABLE when the docker CLI itself is missing', async () => {
    const sandbox = createDockerSandbox({ hostEnv: { PATH: '/nonexistent' } });
    await expect(sandbox.ensureAvailable()).rejects.toSatisfy((error) =>
      isAutodevError(error, 'SANDBOX_UNAVAILABLE'),
    );
  });

  // The only check possible without an engine: the run is asked for with no network and limits.
  it('asks the engine for no network, no capabilities and the resource limits', () => {
    const plan = {
      name: 'autodev-x',
      image: 'img',
      cwd: '/w',
      home: '/h',
      env: { CI: 'true' },
      limits: DEFAULT_LIMITS,
      argv: ['cargo', 'test'],
    };
    const offline = dockerArgv({ ...plan, network: false }).join(' ');
    expect(offline).toContain('--network none');
    expect(offline).toContain('--cap-drop ALL');
    expect(offline).toContain(`--memory ${DEFAULT_LIMITS.memoryBytes}`);
    expect(offline).toContain(`--pids-limit ${DEFAULT_LIMITS.processes}`);
    expect(offline).toMatch(/img cargo test$/);
    expect(dockerArgv({ ...plan, network: true }).join(' ')).not.toContain('--network none');
  });
});

import { describe, expect, it } from 'vitest';
import { createSandbox } from './index.js';
import { SANDBOX_IDS } from './types.js';

describe('createSandbox', () => {
  it.each(SANDBOX_IDS)('picks the %s backend from config.sandbox', (id) => {
    const sandbox = createSandbox(
      {
        sandbox: id,
        sandbox_image: 'img',
        sandbox_uid: 64_000,
        dataDir: '/srv/autodev',
        setup_network_allow: [],
      },
      { hostEnv: {} },
    );
    expect(sandbox.id).toBe(id);
  });
});

import { describe, expect, it } from 'vitest';
import { createSandbox } from './index.js';
import { SANDBOX_IDS } from './types.js';

describe('createSandbox', () => {
  it.each(SANDBOX_IDS)('picks the %s backend from config.sandbox', (id) => {
    const sandbox = createSandbox(
      { sandbox: id, sandbox_image: 'img', dataDir: '/srv/autodev' },
      { hostEnv: {} },
    );
    expect(sandbox.id).toBe(id);
  });
});

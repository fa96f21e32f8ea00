import { describe, expect, it } from 'vitest';
import { uvRegistries } from './uv.js';

describe("uv's registries for the allow-list", () => {
  it("are the hosts of the machine's UV_DEFAULT_INDEX and UV_INDEX_URL; none without them", async () => {
    const run = () => Promise.resolve(undefined);
    const targets = await uvRegistries.targets({
      run,
      hostEnv: {
        UV_DEFAULT_INDEX: 'http://127.0.0.1:3141/simple/',
        UV_INDEX_URL: 'https://mirror.test/pypi/',
      },
    });
    expect(targets.map((t) => `${t.host}:${String(t.port)}`)).toEqual(['127.0.0.1:3141', 'mirror.test:443']);
    expect(await uvRegistries.targets({ run, hostEnv: { UV_DEFAULT_INDEX: '' } })).toEqual([]);
  });
});

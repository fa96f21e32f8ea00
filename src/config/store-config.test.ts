import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAutodevError } from '../errors.js';
import { loadConfig } from './load.js';
import { redactStoreUrl } from './store-schema.js';

const PASSWORD = 'pw-planted-4b1d7e0c9a';

function writeConfig(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'autodev-config-')), 'config.toml');
  writeFileSync(file, text);
  return file;
}

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isAutodevError(error, 'CONFIG_INVALID')) return error.message;
    throw error;
  }
  throw new Error('expected a CONFIG_INVALID error');
}

describe('[autodev.store]', () => {
  it('is SQLite under data_dir without a url, exactly as before', () => {
    const config = loadConfig({ env: {} });
    expect(config.store.url).toBeUndefined();
    expect(config.secrets.storePassword).toBeUndefined();
  });

  it('takes the PostgreSQL url from the file, and AUTODEV_STORE_URL over it', () => {
    const file = writeConfig(
      `[autodev.store]\nurl = "postgres://autodev:${PASSWORD}@db.internal:5433/autodev"\npool_size = 4\n`,
    );
    const fromFile = loadConfig({ file, env: {} });
    expect(fromFile.store).toMatchObject({
      url: `postgres://autodev:${PASSWORD}@db.internal:5433/autodev`,
      pool_size: 4,
    });
    expect(fromFile.secrets.storePassword).toBe(PASSWORD);
    const fromEnv = loadConfig({ file, env: { AUTODEV_STORE_URL: 'postgresql://other@10.0.0.9/autodev' } });
    expect(fromEnv.store).toMatchObject({ url: 'postgresql://other@10.0.0.9/autodev', pool_size: 4 });
    expect(fromEnv.secrets.storePassword).toBeUndefined();
  });

  it('names the key of a bad url and never shows its password', () => {
    const message = configError(() =>
      loadConfig({ env: { AUTODEV_STORE_URL: `mysql://autodev:${PASSWORD}@db.internal/autodev` } }),
    );
    expect(message).toContain('autodev.store.url');
    expect(message).toContain('expected a postgres:// or postgresql:// URL');
    expect(message).not.toContain(PASSWORD);
    const unparsable = configError(() => loadConfig({ env: { AUTODEV_STORE_URL: `not a url ${PASSWORD}` } }));
    expect(unparsable).toContain('autodev.store.url');
    expect(unparsable).not.toContain(PASSWORD);
  });

  it('names a bad pool_size', () => {
    const file = writeConfig('[autodev.store]\npool_size = 0\n');
    expect(configError(() => loadConfig({ file, env: {} }))).toMatch(/autodev\.store\.pool_size = 0/);
  });

  it('shows a url without its password, and with everything else', () => {
    const shown = redactStoreUrl(
      `postgres://autodev:${PASSWORD}@db.internal:5433/autodev?sslmode=require&password=${PASSWORD}`,
    );
    expect(shown).not.toContain(PASSWORD);
    expect(shown).toContain('autodev:REDACTED@db.internal:5433/autodev');
    expect(shown).toContain('sslmode=require');
  });
});

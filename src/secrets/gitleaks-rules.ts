import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * autodev's own gitleaks configuration: gitleaks' default rules, nothing from the repo. Given with
 * --config, it takes precedence over a `.gitleaks.toml` in the workspace, which the change under scan
 * may have added to allow-list its own secret.
 */
export const AUTODEV_GITLEAKS_CONFIG = `title = "autodev"

[extend]
useDefault = true
`;

export const GITLEAKS_CONFIG_FILE = 'gitleaks.toml';

/**
 * Runs `fn` with a fresh directory outside every workspace that holds only autodev's gitleaks config.
 * It serves as the config's home, as --gitleaks-ignore-path, and as gitleaks' source path: gitleaks
 * reads `<source>/.gitleaksignore` whatever the flags say, so the source must not be the workspace.
 */
export async function withGitleaksRules<T>(fn: (rulesDir: string) => Promise<T>): Promise<T> {
  const rulesDir = await mkdtemp(join(tmpdir(), 'autodev-gitleaks-'));
  try {
    await writeFile(join(rulesDir, GITLEAKS_CONFIG_FILE), AUTODEV_GITLEAKS_CONFIG);
    return await fn(rulesDir);
  } finally {
    await rm(rulesDir, { recursive: true, force: true });
  }
}

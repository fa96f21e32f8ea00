import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * autodev's own gitleaks configuration: gitleaks' default rules, nothing from the repo. Given with
 * --config, it takes precedence over a `.gitleaks.toml` in the workspace, which the change under scan
 * may have added to allow-list its own secret.
 */
export const AUTODEV_GITLEAKS_CONFIG = String.raw`title = "autodev"

[extend]
useDefault = true

# gitleaks has no rule for a password in a URL's userinfo (postgres://u:p@h, redis://:p@h); autodev's
# redactor has one. Templates (${'$'}{VAR}, <password>, {{ x }}) are not secrets.
[[rules]]
id = "autodev-url-password"
description = "Password in the userinfo of a connection URL"
regex = '''(?i)\b[a-z][a-z0-9+.\-]{1,20}://[^\s:@/'"]*:([^\s:@/'"$<{]{6,256})@[a-z0-9.\-\[]'''
secretGroup = 1
entropy = 2.5
keywords = ["://"]

# An AWS access key id is a key id whatever its entropy: gitleaks' aws-access-token rule asks for
# entropy 3, which a random 20-character id misses now and then (ASIA2SFA2I2DPAFAR72S: 2.9). The
# prefix and the base32 body are specific enough without it.
[[rules]]
id = "autodev-aws-access-key-id"
description = "AWS access key id, of any entropy"
regex = '''\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b'''
secretGroup = 1
keywords = ["a3t", "akia", "asia", "abia", "acca"]
[rules.allowlist]
stopwords = ["example"]

# A high-entropy value under a credential-like name in YAML/INI/env style, which gitleaks' generic
# rule misses for some names (client_secret: in YAML) and for every base64 value that starts with
# + or / (1 in 32 AWS secret access keys and Azure AccountKey= values). Entropy 3.5 as gitleaks'
# generic rule: a random 24-character password is below 3.8 now and then.
[[rules]]
id = "autodev-secret-assignment"
description = "High-entropy value assigned to a credential-like name"
regex = '''(?i)(?:\b|_)(?:client[_-]?secret|api[_-]?key|secret[_-]?(?:access[_-]?)?key|account[_-]?key|access[_-]?token|auth[_-]?token|private[_-]?token|password|passwd)["']?\s*[:=]\s*["']?([A-Za-z0-9_\-+/=.!#%]{16,256})'''
secretGroup = 1
entropy = 3.5
keywords = ["secret", "key", "token", "password", "passwd"]
# Vendors' documentation values (AWS's wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY) are not secrets.
[rules.allowlist]
stopwords = ["example"]
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

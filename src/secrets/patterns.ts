/**
 * Shapes of well-known credentials; anything matching is redacted wherever text leaves autodev.
 *
 * Every pattern runs over untrusted text of any size (model replies, command output), so each must be
 * linear in the input: it starts with a literal, uses no lookbehind (V8 evaluates a lookbehind at every
 * position and scans backwards from each, which made a run of spaces quadratic), and has no unbounded
 * lazy run that each start rescans to the end of the text. Context kept in front of a secret (the
 * `Bearer ` of a header, the `scheme://user:` of a URL) is the named group `keep`.
 * Private key blocks are not a pattern: see private-key.ts.
 *
 * A pattern whose value may end in a non-word character (`-`, `/`, `+`, `=`) ends with a negative
 * lookahead of its own alphabet, never `\b`: after `/` and before a newline there is no word boundary,
 * so `\b` made a fixed-length match fail outright (an AWS secret key ending in `/`, about 1 in 32) and
 * an open-ended one stop short, leaving its last characters in clear.
 */
export const SECRET_PATTERNS: readonly RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{20,255}\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])/g, // GitLab
  /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])/g, // OpenAI / Anthropic
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key id
  /\bxox[abprs]-[A-Za-z0-9-]{10,}(?![A-Za-z0-9-])/g, // Slack
  /\bAIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g, // Google API key
  /(?<keep>\b[Bb]earer\s+)[A-Za-z0-9._~+/=-]{16,}/g,
  /(?<keep>:\/\/[^/\s:@]*:)[^@\s/]+(?=@)/g, // password in a URL's userinfo
  // Found missing by the secrets corpus (test/secrets/corpus.test.ts): each starts with its literal prefix.
  /\b[rs]k_live_[A-Za-z0-9]{10,99}\b/g, // Stripe
  /\bSG\.[A-Za-z0-9_-]{20,24}\.[A-Za-z0-9_-]{39,50}(?![A-Za-z0-9_-])/g, // SendGrid
  /\bSK[0-9a-fA-F]{32}\b/g, // Twilio
  /\bnpm_[A-Za-z0-9]{36}\b/g,
  /\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}/g,
  /\bhf_[A-Za-z]{34}\b/g, // Hugging Face
  /\bhooks\.slack\.com\/services\/[A-Za-z0-9/]{20,}/g,
  /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b/g, // Shopify
  /\bdop_v1_[a-f0-9]{64}\b/g, // DigitalOcean
  /\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b/g, // Postman
  /\bdapi[a-f0-9]{32}\b/g, // Databricks
  /\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}\b/g, // Grafana
  /\bGOCSPX-[A-Za-z0-9_-]{28}(?![A-Za-z0-9_-])/g, // Google OAuth client secret
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g, // JWT with a signature
  /(?<keep>AccountKey=)[A-Za-z0-9+/=]{40,}/g, // Azure storage
  /(?<keep>aws_secret_access_key\s{0,8}[=:]\s{0,8}["']?)[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/gi,
];

/** Environment variable names that look like they hold a credential. */
export const SECRET_ENV_NAME =
  /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH)/i;

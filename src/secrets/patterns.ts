/**
 * Shapes of well-known credentials; anything matching is redacted wherever text leaves autodev.
 *
 * Every pattern runs over untrusted text of any size (model replies, command output), so each must be
 * linear in the input: it starts with a literal, uses no lookbehind (V8 evaluates a lookbehind at every
 * position and scans backwards from each, which made a run of spaces quadratic), and has no unbounded
 * lazy run that each start rescans to the end of the text. Context kept in front of a secret (the
 * `Bearer ` of a header, the `scheme://user:` of a URL) is the named group `keep`.
 * Private key blocks are not a pattern: see private-key.ts.
 */
export const SECRET_PATTERNS: readonly RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{20,255}\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g, // GitLab
  /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}\b/g, // OpenAI / Anthropic
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key id
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g, // Slack
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API key
  /(?<keep>\b[Bb]earer\s+)[A-Za-z0-9._~+/=-]{16,}/g,
  /(?<keep>:\/\/[^/\s:@]*:)[^@\s/]+(?=@)/g, // password in a URL's userinfo
];

/** Environment variable names that look like they hold a credential. */
export const SECRET_ENV_NAME =
  /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH)/i;

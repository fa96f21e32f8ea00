import { SECRET_PATTERNS } from './patterns.js';
import { redactPrivateKeys } from './private-key.js';

export const REDACTED = '[REDACTED]';

export type Redact = (text: string) => string;

/**
 * Builds the redactor used for logs, events, stored outputs and API responses: exact values of the
 * configured secrets first (they may have any shape), then the well-known credential patterns.
 */
export function createRedactor(secretValues: readonly (string | undefined)[]): Redact {
  const values = [
    ...new Set(secretValues.filter((v): v is string => typeof v === 'string' && v.length >= 4)),
  ].sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text;
    for (const value of values) out = out.split(value).join(REDACTED);
    out = redactPrivateKeys(out, REDACTED);
    for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, keepPrefix);
    return out;
  };
}

/** The replacement for a pattern match: the match's `keep` group, if any, then the marker. */
function keepPrefix(_match: string, ...rest: unknown[]): string {
  const groups = rest.at(-1);
  const keep =
    typeof groups === 'object' && groups !== null && 'keep' in groups && typeof groups.keep === 'string'
      ? groups.keep
      : '';
  return keep + REDACTED;
}

/** Applies `fn` to every string inside a JSON-like value, returning a copy. */
export function mapStrings<T>(value: T, fn: (text: string) => string): T {
  if (typeof value === 'string') return fn(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => mapStrings(v, fn)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapStrings(v, fn);
    return out as T;
  }
  return value;
}

/** Redacts every string inside a JSON-like value, returning a copy. */
export function redactDeep<T>(value: T, redact: Redact): T {
  return mapStrings(value, redact);
}

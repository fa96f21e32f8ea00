import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyInputJsonSchema, policyInputSchema } from './input-schema.js';

describe('the policy input document', () => {
  it('docs/policy-input.schema.json is the schema generated from the zod schema (regenerate it when this fails)', () => {
    const committed: unknown = JSON.parse(
      readFileSync(resolve(import.meta.dirname, '../../docs/policy-input.schema.json'), 'utf8'),
    );
    expect(committed).toEqual(policyInputJsonSchema());
  });

  it('rejects an input naming the field and what is expected', () => {
    const parsed = policyInputSchema.safeParse({
      risk_tier: 'extreme',
      tests_passed: true,
      clippy_warnings: -1,
    });
    expect(parsed.success).toBe(false);
    const paths = parsed.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['risk_tier', 'clippy_warnings']));
  });

  it('fills the seed fields a caller may leave out', () => {
    expect(policyInputSchema.parse({ risk_tier: 'low', tests_passed: true })).toEqual({
      risk_tier: 'low',
      tests_passed: true,
      clippy_warnings: 0,
      secrets_found: false,
      files_changed: [],
      new_dependencies: [],
    });
  });
});

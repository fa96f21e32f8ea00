import { z } from 'zod';
import {
  DENY_CODES,
  type Denial,
  type PolicyDecision,
  type PolicyEngine,
  type PolicyInput,
} from './types.js';

export const DEFAULT_OPA_MAX_RESPONSE_BYTES = 1024 * 1024;

export interface OpaPolicyOptions {
  /** OPA's base URL, e.g. http://127.0.0.1:8181 ([autodev] opa_url or OPA_URL). */
  url: string;
  /** The Rego package, `autodev/merge` or `autodev.merge`. */
  policyPackage: string;
  timeoutMs: number;
  maxResponseBytes?: number;
  /** Decides when OPA cannot; its decision is marked fallback and never merges. */
  fallback: PolicyEngine;
}

const denyMessage = z.string().max(4096);

/**
 * One denial as a policy may state it: autodev's `{code, message}` object, whose code is one of
 * DENY_CODES (the code is the metric label, so a policy cannot invent unbounded ones), or the seed's
 * plain text message, which becomes a POLICY_DENY denial with that message.
 */
const opaDenial = z.preprocess(
  (value) => (typeof value === 'string' ? { code: 'POLICY_DENY', message: value } : value),
  z.object({ code: z.enum(DENY_CODES), message: denyMessage }),
);

/**
 * The answer of OPA's Data API for the package: `allow` a boolean and `deny` a set of denials (see
 * opaDenial). Anything else is not an answer autodev can trust, and the decision falls back.
 */
const opaAnswerSchema = z.object({
  result: z
    .object({
      allow: z.boolean(),
      deny: z.array(opaDenial).max(1000).default([]),
    })
    .optional(),
});

/** Why OPA gave no usable decision; the text goes to the decision's `reason` and the audit trail. */
class NoOpaDecision extends Error {}

function describeFetchFailure(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const code = cause && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  return code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** Reads the body up to `limit` bytes: a hostile or broken server cannot make autodev hold more. */
async function readCapped(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new NoOpaDecision(`OPA's answer is larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const CODE_ORDER = new Map(DENY_CODES.map((code, index) => [code, index]));

function byCode(a: Denial, b: Denial): number {
  return (CODE_ORDER.get(a.code) ?? 0) - (CODE_ORDER.get(b.code) ?? 0) || a.message.localeCompare(b.message);
}

/**
 * Asks an Open Policy Agent server: `POST {url}/v1/data/{package}` with `{input}`. Fails closed:
 * unreachable, slow, non-2xx, malformed or undefined answers leave the decision to the fallback
 * rules, marked `fallback` with the reason, and denied with POLICY_FALLBACK so nothing merges on it.
 */
export function createOpaPolicy(options: OpaPolicyOptions): PolicyEngine {
  const packagePath = options.policyPackage.replaceAll('.', '/');
  const base = new URL(options.url);
  const endpoint = new URL(`v1/data/${packagePath}`, base.href.endsWith('/') ? base.href : `${base.href}/`);
  // For messages: the origin only, never credentials a URL may carry.
  const where = `OPA at ${base.origin}`;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_OPA_MAX_RESPONSE_BYTES;
  const engine = `opa:${packagePath}`;

  async function ask(input: PolicyInput, signal: AbortSignal | undefined): Promise<PolicyDecision> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let text: string;
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ input }),
        signal: combined,
        redirect: 'error',
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw new NoOpaDecision(`${where} answered HTTP ${response.status}`);
      }
      text = await readCapped(response, maxBytes);
    } catch (error) {
      if (signal?.aborted) throw error;
      if (error instanceof NoOpaDecision) throw error;
      if (timeout.aborted) throw new NoOpaDecision(`${where} did not answer within ${options.timeoutMs} ms`);
      throw new NoOpaDecision(`${where} unreachable: ${describeFetchFailure(error)}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new NoOpaDecision(`${where} answered something that is not JSON`);
    }
    const parsed = opaAnswerSchema.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.map(String).join('.') || '(document)'}: ${i.message}`);
      throw new NoOpaDecision(`${where} answered an unexpected document (${problems.join('; ')})`);
    }
    const result = parsed.data.result;
    if (!result) {
      throw new NoOpaDecision(
        `${where} left the decision undefined: no package ${packagePath} or no rules in it`,
      );
    }
    const deny = [...result.deny].sort(byCode);
    // A policy that allows while it denies is contradicting itself: deny wins.
    return { allow: result.allow && deny.length === 0, deny, engine };
  }

  return {
    id: 'opa',
    async evaluate(input, signal) {
      try {
        return await ask(input, signal);
      } catch (error) {
        if (!(error instanceof NoOpaDecision)) throw error;
        const decided = await options.fallback.evaluate(input, signal);
        return {
          allow: false,
          deny: [
            ...decided.deny,
            {
              code: 'POLICY_FALLBACK',
              message: `OPA could not decide (${error.message}); the ${decided.engine} rules decided, and nothing merges without review`,
            },
          ],
          engine: decided.engine,
          fallback: true,
          reason: error.message,
        };
      }
    },
  };
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookRequest } from './types.js';

/** One header's value; a repeated header is refused rather than guessed between. */
export function singleHeader(request: WebhookRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
}

/** Constant-time equality of two strings (a length difference is not secret: the secret's is fixed). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Whether `signature` is the lowercase hex HMAC-SHA256 of the raw body under `secret`. */
export function isHmacSha256Hex(rawBody: Buffer, secret: string, signature: string | undefined): boolean {
  if (!secret || signature === undefined) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest('hex');
  return safeEqual(expected, signature.trim().toLowerCase());
}

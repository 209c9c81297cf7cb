import { createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/**
 * Whether `header` (X-Hub-Signature: `sha256=<hex>`) is the HMAC-SHA256 of the exact bytes
 * received, keyed with the webhook secret. Digests are compared in constant time, so the answer
 * time tells nothing about how much of a forged signature was right. No secret: nothing passes.
 */
export function verifyJiraSignature(
  secret: string | null,
  rawBody: Buffer | undefined,
  header: string | undefined,
): boolean {
  if (!secret || !rawBody || !header) return false;
  const presented = SIGNATURE.exec(header.trim())?.[1];
  if (!presented) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(presented, 'hex'));
}

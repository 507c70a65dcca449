import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Outgoing webhook signatures. Every delivery carries
 *   X-Scrm-Event: customer.added        X-Scrm-Event-Id: timeline:123 (stable across retries: dedupe on it)
 *   X-Scrm-Timestamp: 1765000000        (unix seconds; refuse old ones, e.g. > 5 minutes)
 *   X-Scrm-Signature: sha256=<hex>      HMAC-SHA256 with the endpoint's secret over `${timestamp}.${rawBody}`
 * A receiver recomputes the HMAC over the raw body bytes it received and compares in constant time.
 */
export const SIGNATURE_HEADER = 'x-scrm-signature';
export const TIMESTAMP_HEADER = 'x-scrm-timestamp';
export const EVENT_HEADER = 'x-scrm-event';
export const EVENT_ID_HEADER = 'x-scrm-event-id';

export function sign(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does (and the tests do): true when the signature matches and the timestamp is recent. */
export function verify(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, timestamp, body));
  const given = Buffer.from(headers.signature ?? '');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

import { Type } from 'typebox';
import type { Database } from '../../db/database.js';
import type { SecretBox } from '../../db/secret-box.js';
import type { Outcome } from '../../worker/runner.js';
import { defineJob } from '../jobs/define.js';
import type { IntegrationRepo } from './repo.js';
import { EVENT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, sign, TIMESTAMP_HEADER } from './signature.js';

/** Waits between attempts: 10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h; then the delivery has failed (8 attempts). */
export const DELIVERY_BACKOFF_MS = [10_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 10_800_000];
const TIMEOUT_MS = 10_000;

/**
 * The `webhook_deliver` job: POSTs one event to one endpoint, signed, and records the attempt in the delivery log.
 * A 2xx answer delivers it; anything else (an error status, a timeout, a refused connection) is retried with backoff.
 * Delivery is at least once: a receiver that answered too late gets the event again, with the same X-Scrm-Event-Id.
 */
export function createDeliverJob(deps: {
  db: Database;
  repo: IntegrationRepo;
  box: SecretBox;
  now: () => number;
  fetch?: typeof fetch;
}) {
  const { db, repo } = deps;
  const doFetch = deps.fetch ?? ((input: string, init: RequestInit) => globalThis.fetch(input, init));

  return defineJob(
    'webhook_deliver',
    Type.Object({ deliveryId: Type.Integer() }),
    async (_job, { deliveryId }): Promise<Outcome> => {
      const delivery = await repo.delivery(db, deliveryId);
      if (!delivery) return { kind: 'ignored', reason: 'delivery deleted' };
      if (delivery.status !== 'pending') return { kind: 'done', result: `already ${delivery.status}` };
      const endpoint = await repo.endpoint(db, delivery.corpId, delivery.endpointId);
      if (!endpoint || !endpoint.enabled) {
        await repo.updateDelivery(db, delivery.id, {
          status: 'failed',
          lastError: endpoint ? 'Webhook 已停用' : 'Webhook 已删除',
          updatedAt: deps.now(),
        });
        return { kind: 'done', result: 'endpoint gone' };
      }

      const attempt = delivery.attempts + 1;
      const body = JSON.stringify(delivery.payload);
      const timestamp = Math.floor(deps.now() / 1000);
      let status: number | null = null;
      let error: string | null = null;
      try {
        const res = await doFetch(endpoint.url, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(TIMEOUT_MS),
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'user-agent': 'wecom-scrm-webhooks/1',
            [EVENT_HEADER]: delivery.eventType,
            [EVENT_ID_HEADER]: delivery.eventId,
            [TIMESTAMP_HEADER]: String(timestamp),
            [SIGNATURE_HEADER]: sign(deps.box.open(endpoint.secretSealed), timestamp, body),
          },
          body,
        });
        status = res.status;
        await res.body?.cancel().catch(() => undefined);
        if (status < 200 || status >= 300) error = `HTTP ${status}`;
      } catch (err) {
        const name = err instanceof Error ? err.name : '';
        error = name === 'TimeoutError' || name === 'AbortError' ? `超时（${TIMEOUT_MS / 1000} 秒无应答）` : '连接失败';
      }

      const at = deps.now();
      if (error === null) {
        await repo.updateDelivery(db, delivery.id, {
          status: 'delivered',
          attempts: attempt,
          lastStatus: status,
          lastError: null,
          deliveredAt: at,
          updatedAt: at,
        });
        return { kind: 'done', result: `delivered (HTTP ${status})` };
      }
      const wait = DELIVERY_BACKOFF_MS[attempt - 1];
      await repo.updateDelivery(db, delivery.id, {
        status: wait === undefined ? 'failed' : 'pending',
        attempts: attempt,
        lastStatus: status,
        lastError: wait === undefined ? `${error}（已尝试 ${attempt} 次，放弃）` : error,
        updatedAt: at,
      });
      if (wait === undefined) return { kind: 'done', result: `failed after ${attempt} attempts: ${error}` };
      return { kind: 'retry', delayMs: wait, error };
    },
    { maxAttempts: DELIVERY_BACKOFF_MS.length + 2 },
  );
}

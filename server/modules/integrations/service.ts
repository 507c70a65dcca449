import { createHash, randomBytes } from 'node:crypto';
import type { Static } from 'typebox';
import type {
  CreatedIntegration,
  CreatedWebhook,
  CreateWebhookBody,
  Integration as IntegrationSchema,
  IntegrationBirthdayBody,
  OrderBody,
  OrderResult,
  UpdateWebhookBody,
  WebhookDelivery as WebhookDeliverySchema,
  WebhookEndpoint as WebhookEndpointSchema,
  WebhookEventType,
} from '../../../shared/schemas/automations.js';

type Integration = Static<typeof IntegrationSchema>;
type WebhookEndpoint = Static<typeof WebhookEndpointSchema>;
type WebhookDelivery = Static<typeof WebhookDeliverySchema>;
import type { Database, Executor } from '../../db/database.js';
import type { SecretBox } from '../../db/secret-box.js';
import { BadRequestError, ConflictError, NotFoundError, UnauthorizedError } from '../../errors.js';
import { FEED_SETTLE_MS, type FeedCursors } from '../feed-cursors.js';
import type { JobDefinition } from '../jobs/define.js';
import type { JobService } from '../jobs/service.js';
import type { DeliveryRow, EndpointRow, IntegrationRepo, IntegrationRow, OrderRow } from './repo.js';

/** What the automations do with integration data (late-bound: the automations module is built after this one). */
export interface IntegrationHooks {
  /** In the order's transaction: a repeat purchase → thank-you task and tag. */
  afterOrder(tx: Executor, corpId: string, order: OrderRow, repeat: boolean): Promise<void>;
  setBirthday(
    tx: Executor,
    corpId: string,
    externalUserId: string,
    birthday: { month: number; day: number; year: number | null },
    source: string,
  ): Promise<void>;
}

export interface DeliverPayload {
  deliveryId: number;
}

const TOKEN_PREFIX = 'scrm_int_';
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
/** Customer timeline kinds that are webhook events. */
const TIMELINE_EVENTS: Record<string, WebhookEventType> = {
  added: 'customer.added',
  lost: 'customer.lost',
  tagged: 'customer.tagged',
  stage_changed: 'customer.stage_changed',
};
const FEED = 'webhooks:timeline';

/** Digits of a phone number, without a +86 / 0086 prefix. */
export function phoneDigits(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length > 11 && digits.startsWith('86') ? digits.slice(2) : digits.replace(/^0086/, '');
}

/**
 * Integrations: systems that push orders (and birthdays) with a token of their own, and outgoing webhooks that tell
 * other systems what happened to customers. Orders are idempotent on (integration, order id); webhook events are
 * delivered at least once with a stable event id, signed (signature.ts), retried with backoff, logged.
 */
export function createIntegrationService(deps: {
  db: Database;
  repo: IntegrationRepo;
  cursors: FeedCursors;
  box: SecretBox;
  jobs: Pick<JobService, 'enqueue'>;
  deliverJob: () => JobDefinition<DeliverPayload>;
  hooks: () => IntegrationHooks;
  now: () => number;
}) {
  const { db, repo } = deps;

  const integrationView = (r: IntegrationRow): Integration => ({
    id: r.id,
    name: r.name,
    tokenPrefix: r.tokenPrefix,
    createdAt: r.createdAt,
    lastUsedAt: r.lastUsedAt,
    revokedAt: r.revokedAt,
  });
  const endpointView = (e: EndpointRow): WebhookEndpoint => ({
    id: e.id,
    name: e.name,
    url: e.url,
    events: e.events,
    enabled: e.enabled,
    createdAt: e.createdAt,
  });
  const deliveryView = (d: DeliveryRow): WebhookDelivery => ({
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    createdAt: d.createdAt,
    deliveredAt: d.deliveredAt,
  });

  /** The customer an integration means, and the rep who follows them (the one whose mobile matched, or the latest). */
  async function matchCustomer(
    corpId: string,
    ids: { externalUserId?: string; unionId?: string; phone?: string },
  ): Promise<{ externalUserId: string; matchedBy: OrderResult['matchedBy']; userId: string | null }> {
    if (!ids.externalUserId && !ids.unionId && !ids.phone) {
      throw new BadRequestError('请提供 externalUserId、unionId 或 phone 之一，用于找到客户');
    }
    const repOf = async (externalUserId: string) => {
      const follows = (await repo.followsOf(db, corpId, externalUserId)).filter((f) => f.status === 'active');
      return follows.sort((a, b) => b.addedAt - a.addedAt)[0]?.userId ?? null;
    };
    if (ids.externalUserId && (await repo.contactExists(db, corpId, ids.externalUserId))) {
      return {
        externalUserId: ids.externalUserId,
        matchedBy: 'external_user_id',
        userId: await repOf(ids.externalUserId),
      };
    }
    if (ids.unionId) {
      const found = await repo.contactByUnionId(db, corpId, ids.unionId);
      if (found) return { externalUserId: found, matchedBy: 'unionid', userId: await repOf(found) };
    }
    if (ids.phone) {
      const digits = phoneDigits(ids.phone);
      if (digits.length >= 5) {
        const matches = (await repo.followsWithMobile(db, corpId, digits)).filter((f) =>
          f.remarkMobiles.some((m) => phoneDigits(m) === digits),
        );
        const customers = new Set(matches.map((m) => m.externalUserId));
        if (customers.size > 1) {
          throw new ConflictError('该手机号对应多位客户，请改用 externalUserId 或 unionId');
        }
        const best = matches.sort(
          (a, b) => Number(b.status === 'active') - Number(a.status === 'active') || b.addedAt - a.addedAt,
        )[0];
        if (best) {
          return {
            externalUserId: best.externalUserId,
            matchedBy: 'phone',
            userId: best.status === 'active' ? best.userId : await repOf(best.externalUserId),
          };
        }
      }
    }
    throw new NotFoundError('未找到对应的客户（按 externalUserId、unionId、手机号均未匹配到）');
  }

  /** Deliveries of one event to every enabled endpoint that wants it; in the caller's transaction. */
  async function emit(
    tx: Executor,
    corpId: string,
    type: WebhookEventType,
    eventId: string,
    data: Record<string, unknown>,
    occurredAt: number,
    endpoints?: EndpointRow[],
  ): Promise<number> {
    const targets = (endpoints ?? (await repo.endpoints(tx, corpId))).filter(
      (e) => e.enabled && e.events.includes(type),
    );
    let queued = 0;
    for (const endpoint of targets) {
      const id = await repo.insertDelivery(tx, {
        corpId,
        endpointId: endpoint.id,
        eventId,
        eventType: type,
        payload: { id: eventId, type, occurredAt, corpId, data },
        at: deps.now(),
      });
      if (id === null) continue;
      await deps.jobs.enqueue(tx, deps.deliverJob(), { deliveryId: id }, { corpId, dedupeKey: `delivery:${id}` });
      queued += 1;
    }
    return queued;
  }

  return {
    emit,

    /** The integration a bearer token belongs to (401 otherwise); its last use is noted. */
    async authenticate(header: string | undefined): Promise<IntegrationRow> {
      const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
      const row = token ? await repo.integrationByTokenHash(db, hashToken(token)) : undefined;
      if (!row) throw new UnauthorizedError('需要有效的集成令牌 (Authorization: Bearer <集成令牌>)');
      await repo.touchIntegration(db, row.id, deps.now());
      return row;
    },

    // ---- admin
    async listIntegrations(corpId: string): Promise<Integration[]> {
      return (await repo.integrations(db, corpId)).map(integrationView);
    },

    async createIntegration(corpId: string, name: string): Promise<Static<typeof CreatedIntegration>> {
      const token = TOKEN_PREFIX + randomBytes(24).toString('base64url');
      const row = await repo.insertIntegration(db, {
        corpId,
        name,
        tokenHash: hashToken(token),
        tokenPrefix: token.slice(0, TOKEN_PREFIX.length + 4),
        at: deps.now(),
      });
      return { integration: integrationView(row), token };
    },

    async revokeIntegration(corpId: string, id: number): Promise<void> {
      if (!(await repo.revokeIntegration(db, corpId, id, deps.now()))) throw new NotFoundError('集成不存在或已停用');
    },

    // ---- inbound
    async recordOrder(integration: IntegrationRow, body: OrderBody): Promise<OrderResult> {
      const corpId = integration.corpId;
      const existing = await repo.order(db, corpId, integration.id, body.orderId);
      if (existing) return orderAnswer(existing, false, false);
      const customer = await matchCustomer(corpId, body);
      const now = deps.now();
      return db.tx(async (tx) => {
        const order = await repo.insertOrder(tx, {
          corpId,
          integrationId: integration.id,
          orderId: body.orderId,
          externalUserId: customer.externalUserId,
          userId: customer.userId,
          matchedBy: customer.matchedBy,
          amountCents: Math.round(body.amount * 100),
          currency: body.currency ?? 'CNY',
          items: body.items ?? [],
          orderedAt: body.orderedAt ?? now,
          createdAt: now,
        });
        if (!order) {
          // The same order id arrived twice at once: the other request recorded it.
          const other = await repo.order(tx, corpId, integration.id, body.orderId);
          return orderAnswer(other!, false, false);
        }
        const repeat = (await repo.orderCount(tx, corpId, order.externalUserId)) >= 2;
        await emit(
          tx,
          corpId,
          'order.created',
          `order:${order.id}`,
          {
            orderId: order.orderId,
            externalUserId: order.externalUserId,
            userId: order.userId,
            amount: order.amountCents / 100,
            currency: order.currency,
            items: order.items,
            orderedAt: order.orderedAt,
            repeat,
            integration: integration.name,
          },
          order.orderedAt,
        );
        await deps.hooks().afterOrder(tx, corpId, order, repeat);
        return orderAnswer(order, true, repeat);
      });
    },

    async setBirthday(integration: IntegrationRow, body: IntegrationBirthdayBody): Promise<{ externalUserId: string }> {
      const customer = await matchCustomer(integration.corpId, body);
      await db.tx((tx) =>
        deps
          .hooks()
          .setBirthday(
            tx,
            integration.corpId,
            customer.externalUserId,
            { month: body.month, day: body.day, year: body.year ?? null },
            `integration:${integration.id}`,
          ),
      );
      return { externalUserId: customer.externalUserId };
    },

    // ---- webhook endpoints
    async listEndpoints(corpId: string): Promise<WebhookEndpoint[]> {
      return (await repo.endpoints(db, corpId)).map(endpointView);
    },

    async createEndpoint(
      corpId: string,
      body: Static<typeof CreateWebhookBody>,
    ): Promise<Static<typeof CreatedWebhook>> {
      const secret = `whsec_${randomBytes(24).toString('base64url')}`;
      const at = deps.now();
      const row = await repo.insertEndpoint(db, {
        corpId,
        name: body.name,
        url: body.url,
        secretSealed: deps.box.seal(secret),
        events: [...new Set(body.events)],
        at,
      });
      // Events start from now: the timeline feed begins where it is, not at the beginning of history.
      if ((await deps.cursors.get(db, corpId, FEED)) === null) {
        await deps.cursors.set(db, corpId, FEED, await repo.lastTimelineId(db));
      }
      return { endpoint: endpointView(row), secret };
    },

    async updateEndpoint(corpId: string, id: number, body: Static<typeof UpdateWebhookBody>): Promise<WebhookEndpoint> {
      const patch: Partial<EndpointRow> = { updatedAt: deps.now() };
      if (body.name !== undefined) patch.name = body.name;
      if (body.url !== undefined) patch.url = body.url;
      if (body.events !== undefined) patch.events = [...new Set(body.events)];
      if (body.enabled !== undefined) patch.enabled = body.enabled;
      const row = await repo.updateEndpoint(db, corpId, id, patch);
      if (!row) throw new NotFoundError('Webhook 不存在');
      return endpointView(row);
    },

    async removeEndpoint(corpId: string, id: number): Promise<void> {
      if (!(await repo.deleteEndpoint(db, corpId, id))) throw new NotFoundError('Webhook 不存在');
    },

    async listDeliveries(corpId: string, endpointId: number, limit: number): Promise<WebhookDelivery[]> {
      if (!(await repo.endpoint(db, corpId, endpointId))) throw new NotFoundError('Webhook 不存在');
      return (await repo.deliveries(db, corpId, endpointId, limit)).map(deliveryView);
    },

    /**
     * Customer events for the webhooks, read from the customer timeline (added, lost, tagged, stage changed) after
     * the feed's cursor; each becomes one delivery per endpoint, keyed `timeline:<item id>`.
     */
    async pollTimeline(corpId: string): Promise<number> {
      const endpoints = (await repo.endpoints(db, corpId)).filter(
        (e) => e.enabled && e.events.some((t) => t.startsWith('customer.')),
      );
      let cursor = await deps.cursors.get(db, corpId, FEED);
      if (endpoints.length === 0 || cursor === null) {
        await deps.cursors.set(db, corpId, FEED, await repo.lastTimelineId(db));
        return 0;
      }
      const cutoff = (await deps.cursors.databaseNow(db)) - FEED_SETTLE_MS;
      const limit = 500;
      let queued = 0;
      for (let batch = 0; batch < 20; batch++) {
        const rows = await repo.timelineAfter(db, corpId, cursor, Object.keys(TIMELINE_EVENTS), limit);
        if (rows.length > 0) {
          queued += await db.tx(async (tx) => {
            let n = 0;
            for (const r of rows) {
              const type = TIMELINE_EVENTS[r.kind]!;
              n += await emit(
                tx,
                corpId,
                type,
                `timeline:${r.id}`,
                {
                  externalUserId: r.externalUserId,
                  userId: r.userId,
                  text: r.content,
                  detail: r.payload,
                },
                r.occurredAt,
                endpoints,
              );
            }
            return n;
          });
        }
        const settled = await deps.cursors.settledMax(
          db,
          db.t.timelineItems,
          { id: db.t.timelineItems.id, createdAt: db.t.timelineItems.createdAt },
          cursor,
          cutoff,
        );
        const next = rows.length === limit ? Math.min(settled, rows[rows.length - 1]!.id) : settled;
        if (next > cursor) await deps.cursors.set(db, corpId, FEED, next);
        if (rows.length < limit) break;
        cursor = rows[rows.length - 1]!.id;
      }
      return queued;
    },
  };
}
export type IntegrationService = ReturnType<typeof createIntegrationService>;

function orderAnswer(o: OrderRow, created: boolean, repeat: boolean): OrderResult {
  return {
    id: o.id,
    orderId: o.orderId,
    externalUserId: o.externalUserId,
    userId: o.userId,
    matchedBy: o.matchedBy,
    created,
    repeat,
  };
}

import { and, asc, desc, eq, gt, inArray, isNull, max, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/database.js';
import { notIndexed } from '../feed-cursors.js';

export type IntegrationRow = Database['t']['integrations']['$inferSelect'];
export type OrderRow = Database['t']['orders']['$inferSelect'];
export type EndpointRow = Database['t']['webhookEndpoints']['$inferSelect'];
export type DeliveryRow = Database['t']['webhookDeliveries']['$inferSelect'];
export type NewOrder = Database['t']['orders']['$inferInsert'];

/** Integrations, orders, webhook endpoints and deliveries; customer look-ups for orders (drizzle only). */
export function createIntegrationRepo(db: Database) {
  const { integrations, orders, webhookEndpoints, webhookDeliveries, contacts, follows, timelineItems } = db.t;

  return {
    // ---- integrations
    async insertIntegration(
      ex: Executor,
      r: { corpId: string; name: string; tokenHash: string; tokenPrefix: string; at: number },
    ): Promise<IntegrationRow> {
      const [row] = await ex
        .insert(integrations)
        .values({ ...r, createdAt: r.at, updatedAt: r.at })
        .returning();
      return row!;
    },
    async integrations(ex: Executor, corpId: string): Promise<IntegrationRow[]> {
      return ex.select().from(integrations).where(eq(integrations.corpId, corpId)).orderBy(asc(integrations.id));
    },
    async integrationByTokenHash(ex: Executor, tokenHash: string): Promise<IntegrationRow | undefined> {
      const [row] = await ex
        .select()
        .from(integrations)
        .where(and(eq(integrations.tokenHash, tokenHash), isNull(integrations.revokedAt)))
        .limit(1);
      return row;
    },
    async touchIntegration(ex: Executor, id: number, at: number): Promise<void> {
      await ex.update(integrations).set({ lastUsedAt: at }).where(eq(integrations.id, id));
    },
    async revokeIntegration(ex: Executor, corpId: string, id: number, at: number): Promise<boolean> {
      const rows = await ex
        .update(integrations)
        .set({ revokedAt: at, updatedAt: at })
        .where(and(eq(integrations.corpId, corpId), eq(integrations.id, id), isNull(integrations.revokedAt)))
        .returning({ id: integrations.id });
      return rows.length === 1;
    },

    // ---- customers, for matching
    async contactExists(ex: Executor, corpId: string, externalUserId: string): Promise<boolean> {
      const [row] = await ex
        .select({ id: contacts.externalUserId })
        .from(contacts)
        .where(and(eq(contacts.corpId, corpId), eq(contacts.externalUserId, externalUserId)))
        .limit(1);
      return Boolean(row);
    },
    async contactByUnionId(ex: Executor, corpId: string, unionId: string): Promise<string | undefined> {
      const [row] = await ex
        .select({ id: contacts.externalUserId })
        .from(contacts)
        .where(and(eq(contacts.corpId, corpId), eq(contacts.unionId, unionId)))
        .limit(1);
      return row?.id;
    },
    /**
     * Follows whose remark mobiles (备注手机号) mention `digits`: a text filter over the JSON, refined by the caller.
     * Phone is the last resort of matching and reads the corp's follows that have remark mobiles.
     */
    async followsWithMobile(ex: Executor, corpId: string, digits: string) {
      return ex
        .select({
          userId: follows.userId,
          externalUserId: follows.externalUserId,
          remarkMobiles: follows.remarkMobiles,
          status: follows.status,
          addedAt: follows.addedAt,
        })
        .from(follows)
        .where(and(eq(follows.corpId, corpId), sql`CAST(${follows.remarkMobiles} AS TEXT) LIKE ${`%${digits}%`}`))
        .limit(50);
    },
    async followsOf(ex: Executor, corpId: string, externalUserId: string) {
      return ex
        .select({ userId: follows.userId, status: follows.status, addedAt: follows.addedAt })
        .from(follows)
        .where(and(eq(follows.corpId, corpId), eq(follows.externalUserId, externalUserId)));
    },

    // ---- orders
    async insertOrder(ex: Executor, o: NewOrder): Promise<OrderRow | undefined> {
      const [row] = await ex.insert(orders).values(o).onConflictDoNothing().returning();
      return row;
    },
    async order(ex: Executor, corpId: string, integrationId: number, orderId: string): Promise<OrderRow | undefined> {
      const [row] = await ex
        .select()
        .from(orders)
        .where(and(eq(orders.corpId, corpId), eq(orders.integrationId, integrationId), eq(orders.orderId, orderId)))
        .limit(1);
      return row;
    },
    async orderCount(ex: Executor, corpId: string, externalUserId: string): Promise<number> {
      const [row] = await ex
        .select({ n: sql<number>`count(*)` })
        .from(orders)
        .where(and(eq(orders.corpId, corpId), eq(orders.externalUserId, externalUserId)));
      return Number(row?.n ?? 0);
    },

    // ---- webhook endpoints
    async insertEndpoint(
      ex: Executor,
      e: { corpId: string; name: string; url: string; secretSealed: string; events: string[]; at: number },
    ): Promise<EndpointRow> {
      const [row] = await ex
        .insert(webhookEndpoints)
        .values({
          corpId: e.corpId,
          name: e.name,
          url: e.url,
          secretSealed: e.secretSealed,
          events: e.events,
          createdAt: e.at,
          updatedAt: e.at,
        })
        .returning();
      return row!;
    },
    async endpoints(ex: Executor, corpId: string): Promise<EndpointRow[]> {
      return ex
        .select()
        .from(webhookEndpoints)
        .where(eq(webhookEndpoints.corpId, corpId))
        .orderBy(asc(webhookEndpoints.id));
    },
    async endpoint(ex: Executor, corpId: string, id: number): Promise<EndpointRow | undefined> {
      const [row] = await ex
        .select()
        .from(webhookEndpoints)
        .where(and(eq(webhookEndpoints.corpId, corpId), eq(webhookEndpoints.id, id)))
        .limit(1);
      return row;
    },
    async updateEndpoint(ex: Executor, corpId: string, id: number, patch: Partial<EndpointRow>) {
      const [row] = await ex
        .update(webhookEndpoints)
        .set(patch)
        .where(and(eq(webhookEndpoints.corpId, corpId), eq(webhookEndpoints.id, id)))
        .returning();
      return row;
    },
    async deleteEndpoint(ex: Executor, corpId: string, id: number): Promise<boolean> {
      const rows = await ex
        .delete(webhookEndpoints)
        .where(and(eq(webhookEndpoints.corpId, corpId), eq(webhookEndpoints.id, id)))
        .returning({ id: webhookEndpoints.id });
      return rows.length === 1;
    },

    // ---- deliveries
    async insertDelivery(
      ex: Executor,
      d: {
        corpId: string;
        endpointId: number;
        eventId: string;
        eventType: string;
        payload: Record<string, unknown>;
        at: number;
      },
    ): Promise<number | null> {
      const [row] = await ex
        .insert(webhookDeliveries)
        .values({ ...d, createdAt: d.at, updatedAt: d.at })
        .onConflictDoNothing()
        .returning({ id: webhookDeliveries.id });
      return row?.id ?? null;
    },
    async delivery(ex: Executor, id: number): Promise<DeliveryRow | undefined> {
      const [row] = await ex.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id)).limit(1);
      return row;
    },
    async updateDelivery(ex: Executor, id: number, patch: Partial<DeliveryRow>): Promise<void> {
      await ex.update(webhookDeliveries).set(patch).where(eq(webhookDeliveries.id, id));
    },
    async deliveries(ex: Executor, corpId: string, endpointId: number, limit: number): Promise<DeliveryRow[]> {
      return ex
        .select()
        .from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.corpId, corpId), eq(webhookDeliveries.endpointId, endpointId)))
        .orderBy(desc(webhookDeliveries.id))
        .limit(limit);
    },

    // ---- the timeline as a change feed
    async timelineAfter(ex: Executor, corpId: string, afterId: number, kinds: string[], limit: number) {
      return ex
        .select({
          id: timelineItems.id,
          externalUserId: timelineItems.externalUserId,
          userId: timelineItems.userId,
          kind: timelineItems.kind,
          content: timelineItems.content,
          payload: timelineItems.payload,
          occurredAt: timelineItems.occurredAt,
          createdAt: timelineItems.createdAt,
        })
        .from(timelineItems)
        .where(
          and(
            gt(timelineItems.id, afterId),
            sql`${notIndexed(timelineItems.corpId)} = ${corpId}`,
            inArray(timelineItems.kind, kinds),
          ),
        )
        .orderBy(asc(timelineItems.id))
        .limit(limit);
    },
    async lastTimelineId(ex: Executor): Promise<number> {
      const [row] = await ex.select({ id: max(timelineItems.id) }).from(timelineItems);
      return Number(row?.id ?? 0);
    },
  };
}
export type IntegrationRepo = ReturnType<typeof createIntegrationRepo>;

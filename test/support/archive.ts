import { and, eq, inArray } from 'drizzle-orm';
import type { App } from '../../server/app.js';
import { ensureStandInSdk } from '../../server/archive/index.js';
import type { Config } from '../../server/config.js';
import type { ChatInput } from '../../server/emulator/archive-messages.js';
import { DEMO_CORP } from '../../server/emulator/index.js';
import { sealCallback } from '../../server/wecom/crypto.js';
import { buildXml } from '../../server/wecom/xml.js';
import { startApp, testConfig, waitFor } from './app.js';
import { syncCorp } from './sidebar.js';

/** Helpers for the chat archive's integration tests: the app with the stand-in SDK fed by its own emulator. */

export const CORP = DEMO_CORP.corpId;

/** A test app whose archive is the stand-in SDK (built once) reading the app's emulator; corp mirrors synced. */
export async function startArchiveApp(
  overrides: Partial<Config['archive']> = {},
  config: Config = testConfig(),
): Promise<App> {
  await ensureStandInSdk();
  const app = await startApp({ ...config, archive: { ...config.archive, ...overrides } });
  await syncCorp(app);
  return app;
}

/** A rep and two of their customers from the emulator's seed, and a customer of another rep. */
export function people(app: App) {
  const customers = app.emulator!.snapshot().customers.filter((c) => c.follow_user.length > 0);
  const rep = customers[0]!.follow_user[0]!.userid;
  const mine = customers.filter((c) => c.follow_user.some((f) => f.userid === rep)).map((c) => c.external_userid);
  const other = customers.find((c) => !c.follow_user.some((f) => f.userid === rep))!;
  return {
    rep,
    customer: mine[0]!,
    customer2: mine[1]!,
    otherRep: other.follow_user[0]!.userid,
    otherCustomer: other.external_userid,
  };
}

/** Archives one message in the emulator (no msgaudit_notify unless asked). */
export function chat(app: App, input: Partial<ChatInput> & { from: string }) {
  return app.emulator!.archive.chat({
    msgtype: 'text',
    text: '你好',
    corrupt: false,
    notify: false,
    ...input,
  } as ChatInput);
}

/** WeCom's msgaudit_notify, sealed and posted to the callback URL as WeCom does. */
export async function deliverNotify(app: App, createTime = Math.floor(Date.now() / 1000)): Promise<number> {
  const xml = buildXml({
    ToUserName: CORP,
    FromUserName: 'sys',
    CreateTime: String(createTime),
    MsgType: 'event',
    AgentID: String(DEMO_CORP.agentId),
    Event: 'msgaudit_notify',
  });
  const sealed = sealCallback(
    { token: DEMO_CORP.token, encodingAesKey: DEMO_CORP.encodingAesKey, receiveId: CORP },
    xml,
  );
  const body = buildXml({ ToUserName: CORP, Encrypt: sealed.encrypt, AgentID: String(DEMO_CORP.agentId) });
  const res = await app.inject({
    method: 'POST',
    url: `/wecom/callback/${CORP}?msg_signature=${sealed.msgSignature}&timestamp=${sealed.timestamp}&nonce=${sealed.nonce}`,
    payload: body,
    headers: { 'content-type': 'text/xml' },
  });
  return res.statusCode;
}

/** Jobs of the given kinds not yet settled. */
async function unsettled(app: App, kinds: string[]): Promise<number> {
  const { jobs } = app.db.t;
  const rows = await app.db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(inArray(jobs.kind, kinds), inArray(jobs.status, ['pending', 'running'])));
  return rows.length;
}

/** Waits until every archive job (pulls, media, consent checks) has settled. */
export async function archiveSettled(app: App, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    async () =>
      (await unsettled(app, ['archive_pull', 'archive_media', 'archive_consent_check', 'archive_redecrypt'])) === 0,
    'the archive jobs',
    timeoutMs,
  );
}

/** Queues a pull (as the admin API does) and waits for it and what it started. */
export async function pullNow(app: App, timeoutMs = 30_000): Promise<void> {
  await app.modules.archive.service.requestPull(CORP, 'test');
  await archiveSettled(app, timeoutMs);
}

export async function messageRows(app: App) {
  const { messages } = app.db.t;
  return app.db.select().from(messages).where(eq(messages.corpId, CORP)).orderBy(messages.id);
}

export async function cursorOf(app: App): Promise<number> {
  return (await app.modules.archive.repo.cursor(app.db, CORP)).lastSeq;
}

export async function archiveErrors(app: App) {
  const { archiveErrors: t } = app.db.t;
  return app.db.select().from(t).where(eq(t.corpId, CORP)).orderBy(t.id);
}

export async function jobsOfKind(app: App, kind: string) {
  const { jobs } = app.db.t;
  return app.db.select().from(jobs).where(eq(jobs.kind, kind)).orderBy(jobs.id);
}

/** Any callback event WeCom could send, sealed and posted (`fields`: the inner XML's elements). */
export async function deliverEvent(app: App, fields: Record<string, string>): Promise<number> {
  const xml = buildXml({
    ToUserName: CORP,
    FromUserName: 'sys',
    CreateTime: String(Math.floor(Date.now() / 1000)),
    MsgType: 'event',
    ...fields,
  });
  const sealed = sealCallback(
    { token: DEMO_CORP.token, encodingAesKey: DEMO_CORP.encodingAesKey, receiveId: CORP },
    xml,
  );
  const body = buildXml({ ToUserName: CORP, Encrypt: sealed.encrypt, AgentID: String(DEMO_CORP.agentId) });
  const res = await app.inject({
    method: 'POST',
    url: `/wecom/callback/${CORP}?msg_signature=${sealed.msgSignature}&timestamp=${sealed.timestamp}&nonce=${sealed.nonce}`,
    payload: body,
    headers: { 'content-type': 'text/xml' },
  });
  return res.statusCode;
}

export interface SseEvent {
  event: string;
  id: string | null;
  data: unknown;
  /** performance.now() when it arrived. */
  at: number;
}

/** Opens a server-sent event stream over HTTP and collects its events as they arrive. */
export async function openStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const events: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  const done = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map<string, string>();
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const i = line.indexOf(':');
            if (i > 0) fields.set(line.slice(0, i), line.slice(i + 1).trimStart());
          }
          if (!fields.has('data')) continue;
          events.push({
            event: fields.get('event') ?? 'message',
            id: fields.get('id') ?? null,
            data: JSON.parse(fields.get('data')!),
            at: performance.now(),
          });
          for (const wake of waiters.splice(0)) wake();
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    status: res.status,
    events,
    async next(predicate: (e: SseEvent) => boolean, timeoutMs = 10_000): Promise<SseEvent> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(predicate);
        if (found) return found;
        if (Date.now() > until) throw new Error(`no matching event within ${timeoutMs} ms: ${JSON.stringify(events)}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    },
    async close() {
      controller.abort();
      await done;
    },
  };
}

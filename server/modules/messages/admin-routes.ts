import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../../../shared/schemas/common.js';
import {
  MessageExportQuery,
  MessageSearchPage,
  MessageSearchQuery,
  type MessageHit,
} from '../../../shared/schemas/messages.js';
import type { MessageService } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody };

const CSV_COLUMNS = [
  'id',
  'msgid',
  'sent_at',
  'type',
  'direction',
  'sender',
  'sender_name',
  'user_id',
  'user_name',
  'external_user_id',
  'customer_name',
  'room_id',
  'text',
  'recalled',
  'source',
] as const;

/** One CSV field: quoted when needed; a leading = + - @ is defused so a spreadsheet never runs it as a formula. */
export function csvField(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(m: MessageHit): string {
  const values: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    id: m.id,
    msgid: m.msgid,
    sent_at: new Date(m.sentAt).toISOString(),
    type: m.type,
    direction: m.direction,
    sender: m.sender.id,
    sender_name: m.sender.name,
    user_id: m.userId,
    user_name: m.userName,
    external_user_id: m.externalUserId,
    customer_name: m.customerName,
    room_id: m.roomId,
    text: m.text,
    recalled: m.recalled,
    source: m.source,
  };
  return `${CSV_COLUMNS.map((c) => csvField(values[c])).join(',')}\r\n`;
}

/**
 * Messages in CSV (with a BOM, so spreadsheet programs read the Chinese as UTF-8) or JSON Lines, produced a page at a
 * time while the client reads: memory stays constant however many messages match.
 */
export function exportStream(pages: AsyncIterable<MessageHit[]>, format: 'csv' | 'jsonl'): Readable {
  return Readable.from(
    (async function* () {
      if (format === 'csv') yield `\uFEFF${CSV_COLUMNS.join(',')}\r\n`;
      for await (const page of pages) {
        yield page.map((m) => (format === 'csv' ? csvRow(m) : `${JSON.stringify(m)}\n`)).join('');
      }
    })(),
  );
}

/** The managers' message search and export (admin token; the console comes later). */
export const messageAdminRoutes: FastifyPluginAsyncTypebox<{ service: MessageService; corpId: () => string }> = async (
  app,
  { service, corpId },
) => {
  app.addHook('onRequest', app.requireAdmin);

  app.get(
    '/api/messages',
    { schema: { querystring: MessageSearchQuery, response: { 200: MessageSearchPage, ...errors } } },
    async (request) => service.search(corpId(), request.query),
  );

  app.get(
    '/api/messages/export',
    { schema: { querystring: MessageExportQuery, response: errors } },
    async (request, reply) => {
      const { format, ...filters } = request.query;
      const stamp = new Date().toISOString().slice(0, 10);
      return reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="messages-${stamp}.${format}"`)
        .header('cache-control', 'no-store')
        .send(exportStream(service.scan(corpId(), filters), format) as never);
    },
  );
};

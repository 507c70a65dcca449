import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../../../shared/schemas/common.js';
import {
  MediaParams,
  MessageHistoryQuery,
  MessagePage,
  MessageParams,
  MessageStreamQuery,
  SendTextBody,
  SentMessage,
} from '../../../shared/schemas/messages.js';
import { AppError } from '../../errors.js';
import type { LiveHub } from './live.js';
import type { MessageService } from './service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

class NotAcceptableError extends AppError {
  constructor(message: string) {
    super(406, 'not_acceptable', message);
  }
}
const HEARTBEAT_MS = 15_000;
/** File types a browser may show inline; anything else downloads (an HTML file must never render on our origin). */
const INLINE = /^(image\/(png|jpeg|gif|webp)|audio\/|video\/|application\/pdf$)/;

/** The rep's chat history, its live stream, sends from the sidebar, and media downloads. */
export const messageRoutes: FastifyPluginAsyncTypebox<{
  service: MessageService;
  live: LiveHub;
  adminCorpId: () => string;
}> = async (app, { service, live, adminCorpId }) => {
  const streams = new Set<() => void>();
  // Open streams would keep the server from closing: end them first.
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });

  app.get(
    '/api/customers/:externalUserId/messages',
    {
      onRequest: app.requireUser,
      schema: { params: MessageParams, querystring: MessageHistoryQuery, response: { 200: MessagePage, ...errors } },
    },
    async (request) => service.history(request.currentUser(), request.params.externalUserId, request.query),
  );

  app.post(
    '/api/customers/:externalUserId/messages',
    {
      onRequest: app.requireUser,
      schema: { params: MessageParams, body: SendTextBody, response: { 201: SentMessage, ...errors } },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await service.sendText(request.currentUser(), request.params.externalUserId, request.body.text)),
  );

  app.get(
    '/api/customers/:externalUserId/messages/stream',
    {
      onRequest: app.requireUser,
      schema: { params: MessageParams, querystring: MessageStreamQuery, response: { ...errors, 406: ErrorBody } },
    },
    async (request, reply) => {
      const user = request.currentUser();
      const conversation = await service.ensureConversation(user, request.params.externalUserId);
      // A stream only for a client that reads one (EventSource sends this Accept); anything else gets an answer.
      if (!/text\/event-stream/.test(request.headers.accept ?? ''))
        throw new NotAcceptableError('实时消息需要以 EventSource 连接（Accept: text/event-stream）');
      const lastEventId = Number(request.headers['last-event-id']);
      let since =
        request.query.since ??
        (Number.isSafeInteger(lastEventId) && lastEventId >= 0 ? lastEventId : conversation.version);

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      });
      let closed = false;
      const write = (text: string) => {
        if (!closed) res.write(text);
      };
      write(`retry: 2000\nevent: ready\ndata: ${JSON.stringify({ version: since })}\n\n`);

      let busy = false;
      let again = false;
      const drain = async (): Promise<void> => {
        if (busy) {
          again = true;
          return;
        }
        busy = true;
        try {
          do {
            again = false;
            const changes = await service.changes(user.corpId, conversation.id, since);
            for (const m of changes) {
              write(`id: ${m.rev}\nevent: message\ndata: ${JSON.stringify(m)}\n\n`);
              since = Math.max(since, m.rev);
            }
            if (changes.length === 200) again = true;
          } while (again && !closed);
        } catch (err) {
          request.log.warn({ err }, 'message stream: could not read changes');
        } finally {
          busy = false;
        }
      };
      const unwatch = live.watch(conversation.id, () => void drain());
      const heartbeat = setInterval(() => write(': ping\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      const end = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        unwatch();
        streams.delete(end);
        res.end();
      };
      streams.add(end);
      res.on('close', end);
      // What changed between the page the client read (`since`) and now.
      await drain();
    },
  );

  app.get(
    '/api/media/:hash',
    { onRequest: app.requireUserOrAdmin, schema: { params: MediaParams, response: errors } },
    async (request, reply) => {
      const viewer = request.user
        ? { corpId: request.user.corpId, userId: request.user.userId }
        : { corpId: adminCorpId(), userId: null };
      const file = await service.media(viewer, request.params.hash);
      const inline = INLINE.test(file.mime);
      const name = encodeURIComponent(file.name || request.params.hash);
      return reply
        .header('content-type', file.mime)
        .header('content-length', String(file.size))
        .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${name}`)
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(file.stream as never);
    },
  );
};

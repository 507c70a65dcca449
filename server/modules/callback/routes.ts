import type { IncomingMessage } from 'node:http';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorCodes } from 'fastify';
import { Type } from 'typebox';
import { AppError, BadRequestError } from '../../errors.js';
import { ErrorBody } from '../../../shared/schemas/common.js';
import { CallbackParams, CallbackPostQuery, CallbackVerifyQuery } from '../../../shared/schemas/callback.js';
import { scanEnvelopeEncrypt, WecomXmlError } from '../../wecom/xml.js';
import type { CallbackService } from './service.js';

/** WeCom posts at most a few KB; anything near this is not WeCom. */
export const CALLBACK_BODY_LIMIT = 256 * 1024;

/** WeCom sends `text/xml`; Fastify's content-type parsing costs ~0.5 µs per parameter, so a 16 KB header is refused. */
export const CALLBACK_CONTENT_TYPE_LIMIT = 256;

/**
 * A body may arrive in at most this many pieces, or more if they average at least MIN_AVERAGE_PIECE bytes. Node's
 * HTTP parser calls into JavaScript once per piece (~2 µs): a 256 KB body sent as 1-byte chunks cost ~600 ms to read,
 * while real senders' pieces (TCP segments, chunks) are kilobytes.
 */
export const CALLBACK_BODY_PIECES = 64;
const MIN_AVERAGE_PIECE = 256;

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 413: ErrorBody, 415: ErrorBody };

/** Where a body that came in several pieces is put together: one buffer, reused, as a fresh 256 KB costs ~0.7 ms. */
let assembly: Buffer | undefined;

/**
 * Reads a body of this scope, whatever its content type (WeCom's vary), within the byte limit and the piece bound, and
 * answers the `<Encrypt>` text of the envelope: the bounded scan of its bytes (scanEnvelopeEncrypt), done here while
 * the bytes are at hand, so that no body is ever decoded to a string or parsed. What follows, and is slow, depends on
 * the signature over that text.
 */
function readEncrypt(
  request: { headers: IncomingMessage['headers'] },
  payload: IncomingMessage,
  done: (err: Error | null, encrypt?: string) => void,
) {
  if (Number(request.headers['content-length']) > CALLBACK_BODY_LIMIT) {
    done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    return;
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  const stop = (err: Error | null) => {
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', stop);
    if (err) {
      payload.pause();
      done(err);
    }
  };
  const onData = (chunk: Buffer | string) => {
    const piece = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += piece.length;
    if (bytes > CALLBACK_BODY_LIMIT) {
      stop(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    } else if (chunks.length >= CALLBACK_BODY_PIECES && bytes < (chunks.length + 1) * MIN_AVERAGE_PIECE) {
      stop(new BadRequestError('请求体分块过多'));
    } else {
      chunks.push(piece);
    }
  };
  const onEnd = () => {
    stop(null);
    let body = chunks[0] ?? Buffer.alloc(0);
    if (chunks.length > 1) {
      assembly ??= Buffer.allocUnsafe(CALLBACK_BODY_LIMIT);
      let at = 0;
      for (const chunk of chunks) at += chunk.copy(assembly, at);
      body = assembly.subarray(0, at);
    }
    let encrypt: string;
    try {
      encrypt = scanEnvelopeEncrypt(body);
    } catch (err) {
      done(err instanceof WecomXmlError ? new BadRequestError('回调消息体格式错误') : (err as Error));
      return;
    }
    done(null, encrypt);
  };
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', stop);
}

export const callbackRoutes: FastifyPluginAsyncTypebox<{ service: CallbackService }> = async (app, { service }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, payload, done) => readEncrypt(request, payload as IncomingMessage, done));

  // Before any body is read (one hook, as the callback hot path pays for every hook): a request for a corp this
  // deployment does not serve, or one whose headers alone would cost work, is answered at once, with the connection
  // closed so that the unread body is not parsed either.
  app.addHook('preParsing', (request, reply, payload, done) => {
    const { headers } = request;
    const chunked = headers['transfer-encoding'] !== undefined;
    let rejection: Error | undefined;
    if (headers['content-type'] !== undefined && headers['content-type'].length > CALLBACK_CONTENT_TYPE_LIMIT) {
      rejection = new AppError(415, 'unsupported_media_type', '不支持的内容类型');
    } else if (request.method === 'GET' && (chunked || Number(headers['content-length']) > 0)) {
      rejection = new BadRequestError('URL 验证请求不应带请求体');
    } else {
      try {
        service.assertKnownCorp((request.params as { corpId: string }).corpId);
      } catch (err) {
        rejection = err as Error;
      }
    }
    if (rejection) {
      if (chunked || Number(headers['content-length']) > 0) reply.header('connection', 'close');
      done(rejection);
      return;
    }
    done(null, payload);
  });

  app.addHook('onError', async (request, _reply, err) => {
    // Rejections are logged with the corp and the reason only: never the body, token or key.
    const params = request.params as { corpId?: string };
    request.log.warn({ corpId: params.corpId, reason: err.message }, 'callback rejected');
  });

  app.get(
    '/wecom/callback/:corpId',
    {
      schema: { params: CallbackParams, querystring: CallbackVerifyQuery, response: { 200: Type.String(), ...errors } },
    },
    async (request, reply) => {
      const plain = service.verifyUrl(request.params.corpId, request.query);
      return reply.type('text/plain; charset=utf-8').send(plain);
    },
  );

  app.post(
    '/wecom/callback/:corpId',
    {
      schema: { params: CallbackParams, querystring: CallbackPostQuery, response: { 200: Type.String(), ...errors } },
    },
    async (request, reply) => {
      // The body parser above answers the envelope's <Encrypt> text; no body at all is the empty text.
      const encrypt = typeof request.body === 'string' ? request.body : '';
      const { duplicate, eventType } = await service.receive(request.params.corpId, request.query, encrypt);
      request.log.debug({ corpId: request.params.corpId, eventType, duplicate }, 'callback accepted');
      // An empty 200 tells WeCom "received"; a passive reply is not needed for customer-contact events.
      return reply.type('text/plain; charset=utf-8').send('');
    },
  );
};

import type { IncomingMessage } from 'node:http';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorCodes } from 'fastify';
import { Type } from 'typebox';
import { BadRequestError } from '../../errors.js';
import { ErrorBody } from '../../../shared/schemas/common.js';
import { CallbackParams, CallbackPostQuery, CallbackVerifyQuery } from '../../../shared/schemas/callback.js';
import type { EncryptedText } from '../../wecom/crypto.js';
import { scanEnvelopeEncryptBytes, WecomXmlError } from '../../wecom/xml.js';
import type { CallbackService } from './service.js';

/** WeCom posts at most a few KB; anything near this is not WeCom. */
export const CALLBACK_BODY_LIMIT = 256 * 1024;

/**
 * A body may arrive in at most this many pieces, or more if they average at least MIN_AVERAGE_PIECE bytes. Node's
 * HTTP parser calls into JavaScript once per piece (~2 µs): a 256 KB body sent as 1-byte chunks cost ~600 ms to read,
 * while real senders' pieces (TCP segments, chunks) are kilobytes.
 */
export const CALLBACK_BODY_PIECES = 64;
const MIN_AVERAGE_PIECE = 256;

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 413: ErrorBody };

/** Longer `<Encrypt>` texts are handed over as bytes (see onBodyEnd). */
const LONG_ENCRYPT = 64 * 1024;

/** Where a body that came in several pieces is put together: one buffer, reused, instead of 256 KB allocated per body. */
let assembly: Buffer | undefined;

type Done = (err: Error | null, encrypt?: EncryptedText) => void;

/** A body being read. The listeners below are shared: no function is created per request (see readEncrypt). */
interface BodyRead {
  chunks: Buffer[];
  bytes: number;
  done: Done;
}
const reading = new WeakMap<IncomingMessage, BodyRead>();

function stopReading(payload: IncomingMessage, err: Error | null): void {
  const read = reading.get(payload);
  payload.removeListener('data', onBodyData);
  payload.removeListener('end', onBodyEnd);
  payload.removeListener('error', onBodyError);
  reading.delete(payload);
  if (err && read) {
    payload.pause();
    read.done(err);
  }
}

function onBodyData(this: IncomingMessage, chunk: Buffer | string): void {
  const read = reading.get(this)!;
  const piece = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  read.bytes += piece.length;
  if (read.bytes > CALLBACK_BODY_LIMIT) {
    stopReading(this, new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
  } else if (read.chunks.length >= CALLBACK_BODY_PIECES && read.bytes < (read.chunks.length + 1) * MIN_AVERAGE_PIECE) {
    stopReading(this, new BadRequestError('请求体分块过多'));
  } else {
    read.chunks.push(piece);
  }
}

function onBodyError(this: IncomingMessage, err: Error): void {
  stopReading(this, err);
}

function onBodyEnd(this: IncomingMessage): void {
  const { chunks, done } = reading.get(this)!;
  stopReading(this, null);
  let body = chunks[0] ?? Buffer.alloc(0);
  if (chunks.length > 1) {
    assembly ??= Buffer.allocUnsafe(CALLBACK_BODY_LIMIT);
    let at = 0;
    for (const chunk of chunks) at += chunk.copy(assembly, at);
    body = assembly.subarray(0, at);
  }
  let value: Buffer;
  try {
    value = scanEnvelopeEncryptBytes(body);
  } catch (err) {
    done(err instanceof WecomXmlError ? new BadRequestError('回调消息体格式错误') : (err as Error));
    return;
  }
  // Every real <Encrypt> is a short string; a long one stays bytes (a string over ~128 KB costs V8 ~1.3 ms), copied
  // out of the assembly buffer, which the next body reuses.
  if (value.length <= LONG_ENCRYPT) done(null, value.toString('latin1'));
  else done(null, body === chunks[0] ? value : Buffer.from(value));
}

/**
 * Reads a body of this scope, whatever its content type (WeCom's vary), and answers the `<Encrypt>` text of the
 * envelope. Nothing is read for a corp this deployment does not serve (`knownCorp` throws NotFoundError; Fastify then
 * closes the connection, so the unread body is not parsed either); the body is read within the byte limit and the
 * piece bound, and scanned as bytes (scanEnvelopeEncryptBytes) while they are at hand, so that no body is ever decoded to a
 * string or parsed. What follows, and is slow, depends on the signature over that text.
 *
 * This is the callback hot path: no Fastify hook (one costs every callback a few microseconds) and no closure per
 * request (run through tsx, each function expression is also renamed with defineProperty each time it is created).
 */
function readEncrypt(
  knownCorp: (corpId: string) => void,
  request: { headers: IncomingMessage['headers']; params: unknown },
  payload: IncomingMessage,
  done: Done,
): void {
  try {
    knownCorp((request.params as { corpId: string }).corpId);
  } catch (err) {
    done(err as Error);
    return;
  }
  if (Number(request.headers['content-length']) > CALLBACK_BODY_LIMIT) {
    done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    return;
  }
  reading.set(payload, { chunks: [], bytes: 0, done });
  payload.on('data', onBodyData);
  payload.on('end', onBodyEnd);
  payload.on('error', onBodyError);
}

export const callbackRoutes: FastifyPluginAsyncTypebox<{ service: CallbackService }> = async (app, { service }) => {
  app.removeAllContentTypeParsers();
  const knownCorp = (corpId: string) => service.assertKnownCorp(corpId);
  app.addContentTypeParser('*', (request, payload, done) =>
    readEncrypt(knownCorp, request, payload as IncomingMessage, done),
  );

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
      // The body parser above answers the envelope's <Encrypt> text (string or bytes); no body at all is the empty text.
      const body = request.body;
      const encrypt = typeof body === 'string' || Buffer.isBuffer(body) ? body : '';
      const { duplicate, eventType } = await service.receive(request.params.corpId, request.query, encrypt);
      request.log.debug({ corpId: request.params.corpId, eventType, duplicate }, 'callback accepted');
      // An empty 200 tells WeCom "received"; a passive reply is not needed for customer-contact events.
      return reply.type('text/plain; charset=utf-8').send('');
    },
  );
};

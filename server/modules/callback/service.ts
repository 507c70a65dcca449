import { WecomCryptoError, openCallback, type EncryptedText } from '../../wecom/crypto.js';
import { eventTypeOf, idempotencyKey, parseEvent } from '../../wecom/events.js';
import { WecomXmlError } from '../../wecom/xml.js';
import { BadRequestError, NotFoundError, UnauthorizedError } from '../../errors.js';
import type { CorpService } from '../corps/service.js';
import type { NewInboxEvent } from '../events/repo.js';
import { laneOf, laneOrderOf } from '../events/lane.js';
import { groupCommit } from '../events/group-commit.js';
import type { CallbackPostQuery, CallbackVerifyQuery } from '../../../shared/schemas/callback.js';

/**
 * Turns WeCom's encrypted callbacks into inbox rows. Nothing slow happens here: verify, decrypt,
 * parse, one INSERT, and the caller answers 200 once that insert has committed.
 *
 * Anyone can post here, so a rejection must cost next to nothing whatever the body: the corp is known before the
 * body is read (assertKnownCorp, called by the route's body parser first), the body parser takes the envelope's `<Encrypt>`
 * text by a bounded scan (scanEnvelopeEncrypt), and nothing is parsed before the signature over it matches.
 */
export function createCallbackService(deps: {
  corps: Pick<CorpService, 'find'>;
  /** Stores a batch of events durably; per event, false for a duplicate. */
  store: (rows: NewInboxEvent[]) => Promise<boolean[]>;
  onAccepted: () => void;
  /** Every POST that reaches the service, accepted or not (storm detection). */
  onReceived?: () => void;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  const insert = groupCommit(deps.store);

  function credentialsOf(corpId: string) {
    const corp = deps.corps.find(corpId);
    if (!corp) throw new NotFoundError('企业不存在');
    return { token: corp.token, encodingAesKey: corp.encodingAesKey, receiveId: corp.corpId };
  }

  function open(
    corpId: string,
    q: { msg_signature: string; timestamp: string; nonce: string },
    encrypted: EncryptedText,
  ) {
    const cred = credentialsOf(corpId);
    try {
      return openCallback(cred, { msgSignature: q.msg_signature, timestamp: q.timestamp, nonce: q.nonce }, encrypted);
    } catch (err) {
      if (err instanceof WecomCryptoError) {
        if (err.failure === 'signature') throw new UnauthorizedError('回调签名不匹配');
        throw new BadRequestError(`回调消息无法解密（${err.failure}）`);
      }
      throw err;
    }
  }

  return {
    /** Throws NotFoundError for a corp this deployment does not serve: the route's body parser asks before reading. */
    assertKnownCorp(corpId: string): void {
      credentialsOf(corpId);
    },

    /** URL verification: the decrypted echostr, to be answered as bare text. */
    verifyUrl(corpId: string, q: CallbackVerifyQuery): string {
      return open(corpId, q, q.echostr);
    },

    /**
     * Verifies and decrypts the envelope's `<Encrypt>` text and stores the event under its idempotency key;
     * `duplicate` is true for a retried delivery.
     */
    async receive(
      corpId: string,
      q: CallbackPostQuery,
      encrypted: EncryptedText,
    ): Promise<{ duplicate: boolean; eventType: string }> {
      deps.onReceived?.();
      if (encrypted.length === 0) {
        credentialsOf(corpId); // an unknown corp is 404, body or not
        throw new BadRequestError('回调消息体格式错误');
      }
      const plain = open(corpId, q, encrypted);
      let event;
      try {
        event = parseEvent(plain);
      } catch (err) {
        if (err instanceof WecomXmlError) throw new BadRequestError('回调事件 XML 格式错误');
        throw err;
      }
      const eventType = eventTypeOf(event);
      const inserted = await insert({
        corpId,
        idempotencyKey: idempotencyKey(event),
        eventType,
        rawXml: plain,
        // The typed event; its non-enumerable `raw` fields are stored as the XML beside it.
        payload: event,
        lane: laneOf(corpId, event),
        occurredAt: laneOrderOf(event),
        receivedAt: now(),
      });
      if (inserted) deps.onAccepted();
      return { duplicate: !inserted, eventType };
    },
  };
}
export type CallbackService = ReturnType<typeof createCallbackService>;

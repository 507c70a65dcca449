import { sealCallback } from '../wecom/crypto.js';
import { buildXml } from '../wecom/xml.js';
import type { EmulatorCore } from './core.js';
import { sleepUnlessAborted } from './sleep.js';
import { EMULATOR_USER_AGENT } from './traffic-log.js';

/** One HTTP attempt to deliver a callback. */
export interface DeliveryAttempt {
  /** 1-based index of the delivery (a simulate call may deliver the same event several times). */
  delivery: number;
  /** 1 for the first try, 2..4 for WeCom's up to three retries. */
  attempt: number;
  /** HTTP status, or null when the attempt timed out or could not connect. */
  status: number | null;
  ms: number;
  error?: string;
}

export interface DeliveryOptions {
  timeoutMs: number;
  retryDelayMs: number;
  /** WeCom retries three times ("总共重试三次", wecom-protocol.md §1.7). */
  maxRetries?: number;
  signal: AbortSignal;
}

/**
 * POSTs one callback the way WeCom does: a 200 within the timeout is success; anything else (other status,
 * timeout — the request is aborted — or a connection error) is retried, up to three times.
 */
export async function deliverCallback(
  url: string,
  xml: string,
  delivery: number,
  options: DeliveryOptions,
): Promise<DeliveryAttempt[]> {
  const attempts: DeliveryAttempt[] = [];
  const maxAttempts = 1 + (options.maxRetries ?? 3);
  for (let attempt = 1; attempt <= maxAttempts && !options.signal.aborted; attempt++) {
    if (attempt > 1) await sleepUnlessAborted(options.retryDelayMs, options.signal);
    const started = performance.now();
    // A timer of our own rather than AbortSignal.any([AbortSignal.timeout(…), …]): on this Node 20 the combined
    // signal did not fire its timeout, and an attempt waited for the receiver's late answer.
    const attemptAbort = new AbortController();
    const timer = setTimeout(
      () => attemptAbort.abort(new DOMException(`timeout after ${options.timeoutMs} ms`, 'TimeoutError')),
      options.timeoutMs,
    );
    const stop = () => attemptAbort.abort(options.signal.reason);
    options.signal.addEventListener('abort', stop, { once: true });
    let status: number | null = null;
    let error: string | undefined;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', 'user-agent': EMULATOR_USER_AGENT },
        body: xml,
        signal: attemptAbort.signal,
      });
      await res.arrayBuffer();
      status = res.status;
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      error =
        e.name === 'TimeoutError' || (e.name === 'AbortError' && !options.signal.aborted)
          ? `timeout after ${options.timeoutMs} ms`
          : options.signal.aborted
            ? 'emulator closed'
            : (e.cause?.code ?? e.message);
    } finally {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', stop);
    }
    attempts.push({
      delivery,
      attempt,
      status,
      ms: Math.round(performance.now() - started),
      ...(error ? { error } : {}),
    });
    if (status === 200) break;
  }
  return attempts;
}

/**
 * Sends one event to our server as WeCom does: sealed (freshly encrypted and signed) with the corp's Token,
 * EncodingAESKey and corpid, in the `<xml><ToUserName/><Encrypt/><AgentID/></xml>` envelope, POSTed to the
 * callback URL and retried like WeCom retries.
 */
export function sendEncryptedCallback(
  core: EmulatorCore,
  eventXml: string,
  delivery: number,
): Promise<DeliveryAttempt[]> {
  const cred = { token: core.corp.token, encodingAesKey: core.corp.encodingAesKey, receiveId: core.corp.corpId };
  const sealed = sealCallback(cred, eventXml, String(core.clock.nowSeconds()));
  const envelope = buildXml({
    ToUserName: core.corp.corpId,
    Encrypt: sealed.encrypt,
    AgentID: String(core.corp.agentId),
  });
  const url = new URL(core.callbackUrl());
  url.searchParams.set('msg_signature', sealed.msgSignature);
  url.searchParams.set('timestamp', sealed.timestamp);
  url.searchParams.set('nonce', sealed.nonce);
  return deliverCallback(url.toString(), envelope, delivery, {
    timeoutMs: core.deliveryTimeoutMs,
    retryDelayMs: core.retryDelayMs,
    signal: core.shutdown.signal,
  });
}

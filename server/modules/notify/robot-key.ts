import { createHash } from 'node:crypto';
import { BadRequestError } from '../../errors.js';

const KEY = /^[A-Za-z0-9-]{8,64}$/;

/**
 * The key of a group robot from what an admin pastes: the webhook address WeCom shows
 * (`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`, or the emulator's) or the key alone. The key is the
 * robot's only credential: it is sealed at rest, never logged and never returned by the API.
 */
export function robotKeyOf(input: string): string {
  const text = input.trim();
  if (KEY.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BadRequestError('机器人 Webhook 地址无效：应为企业微信群机器人的 Webhook 地址或其 key', 'webhookUrl');
  }
  const key = url.searchParams.get('key') ?? '';
  if (!url.pathname.endsWith('/cgi-bin/webhook/send') || !KEY.test(key)) {
    throw new BadRequestError('机器人 Webhook 地址无效：应为 …/cgi-bin/webhook/send?key=… 形式的地址', 'webhookUrl');
  }
  return key;
}

/** Finds a robot added twice without opening every sealed key. */
export const robotKeyHash = (key: string) => createHash('sha256').update(`robot:${key}`).digest('hex');

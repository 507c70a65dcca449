import * as ww from '@wecom/jssdk';
import type { JsapiSignature, Signatures } from '../api/types';
import { CHAT_ENTRIES, WecomError, type ChatEntry, type ChatMessage, type WecomAdapter } from './adapter';

export interface RealAdapterOptions {
  corpId: string;
  agentId: number;
  /** `POST /api/jsapi/signatures`: both signatures for one page URL. */
  fetchSignatures: (url: string) => Promise<Signatures>;
}

/** The APIs the sidebar uses; all of them need the app identity (agentConfig), wecom-protocol.md §5.1. */
const JS_API_LIST = ['getContext', 'getCurExternalContact', 'sendChatMessage'];

/** A JS-SDK call that never answers (a broken client, a webview outside WeCom) must still end in an error state. */
const CALL_TIMEOUT_MS = 10_000;

function errMsgOf(err: unknown): string {
  if (err && typeof err === 'object' && typeof (err as { errMsg?: unknown }).errMsg === 'string') {
    return (err as { errMsg: string }).errMsg;
  }
  return err instanceof Error ? err.message : String(err);
}

/** The SDK rejects with `{ errMsg: 'api:fail reason' }`: turn it into a WecomError a rep can act on. */
function toWecomError(api: string, err: unknown): WecomError {
  if (err instanceof WecomError) return err;
  const errMsg = errMsgOf(err);
  if (/cancel/i.test(errMsg)) return new WecomError('cancelled', '已取消发送', errMsg);
  if (/without context/i.test(errMsg)) {
    return new WecomError('no_external_contact', '请从客户单聊的工具栏打开侧边栏', errMsg);
  }
  if (/no permission|permission denied|invalid signature|config/i.test(errMsg)) {
    return new WecomError(
      'no_permission',
      '应用没有调用该接口的权限：请管理员检查可信域名、客户联系权限和应用可见范围',
      errMsg,
    );
  }
  if (api === 'sendChatMessage') return new WecomError('send_failed', '发送到聊天窗口失败，请重试', errMsg);
  return new WecomError('config_failed', '企业微信接口调用失败，请关闭侧边栏后重新打开', errMsg);
}

async function call<T>(api: string, run: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new WecomError('timeout', '企业微信没有响应，请关闭侧边栏后重新打开', `${api}: timeout`)),
      CALL_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([run(), timeout]);
  } catch (err) {
    throw toWecomError(api, err);
  } finally {
    clearTimeout(timer);
  }
}

/** The JS-SDK inside the WeCom client (聊天工具栏). */
export function createRealAdapter(options: RealAdapterOptions): WecomAdapter {
  // config and agentConfig ask for a signature of the same URL one after the other: one request answers both.
  const signatures = new Map<string, Promise<Signatures>>();
  function signaturesFor(url: string): Promise<Signatures> {
    const key = url.split('#')[0] ?? url; // the signature covers the URL without its fragment
    let pending = signatures.get(key);
    if (!pending) {
      pending = options.fetchSignatures(key);
      pending.catch(() => signatures.delete(key));
      signatures.set(key, pending);
    }
    return pending;
  }
  const pick = (s: JsapiSignature) => ({ timestamp: s.timestamp, nonceStr: s.nonceStr, signature: s.signature });

  return {
    kind: 'real',
    async init() {
      // The SDK's own check, used only to explain the failure; choosing the mock is never automatic.
      if (!ww.env.isWeCom) throw new WecomError('not_in_wecom', '请在企业微信客户聊天的侧边栏中打开');
      ww.register({
        corpId: options.corpId,
        agentId: options.agentId,
        jsApiList: JS_API_LIST,
        getConfigSignature: async (url) => pick((await signaturesFor(url)).config),
        getAgentConfigSignature: async (url) => pick((await signaturesFor(url)).agentConfig),
      });
    },
    async getContext() {
      const { entry } = await call('getContext', () => ww.getContext());
      if (!(CHAT_ENTRIES as readonly string[]).includes(entry)) {
        throw new WecomError('unsupported_entry', '请从客户聊天的工具栏打开侧边栏', `entry=${entry}`);
      }
      return { entry: entry as ChatEntry };
    },
    async getCurExternalContact() {
      const { userId } = await call('getCurExternalContact', () => ww.getCurExternalContact());
      return { userId };
    },
    async sendChatMessage(message: ChatMessage) {
      await call('sendChatMessage', () => ww.sendChatMessage(message));
    },
  };
}

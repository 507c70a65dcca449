import { BadRequestError, ForbiddenError, UnauthorizedError, UpstreamError } from '../../errors.js';
import type { WecomApi } from '../../wecom/api.js';
import { WecomApiError, WecomNetworkError } from '../../wecom/errors.js';
import type { DirectoryService } from '../directory/service.js';
import { checkStateCookie, DEFAULT_RETURN_TO, newOAuthState, safeReturnTo, stateCookieValue } from './oauth-state.js';
import type { SessionService, SessionUser } from './session-service.js';

type AuthApi = Pick<WecomApi, 'getUserInfoByCode'>;

/** 40029 invalid code (wrong, used or older than 5 minutes); 41008 missing code. */
const BAD_CODE_ERRCODES = new Set([40029, 41008]);
/** WeCom member status: 2 disabled, 5 resigned. */
const INACTIVE_MEMBER_STATUSES = new Set([2, 5]);

export interface CorpInfo {
  corpId: string;
  agentId: number;
}

/** Signs reps in with WeCom OAuth2 (wecom-protocol.md §4.14) and opens server-side sessions. */
export function createAuthService(deps: {
  sessions: Pick<SessionService, 'create' | 'destroy' | 'issueOAuthState' | 'consumeOAuthState'>;
  directory: Pick<DirectoryService, 'ensureReps' | 'findRep'>;
  api: (corpId: string) => AuthApi;
  /** The corp reps sign in to. */
  loginCorp: () => CorpInfo;
  corp: (corpId: string) => CorpInfo | undefined;
  /** `https://open.weixin.qq.com`, or the emulator's address in demo mode. */
  oauthBase: () => string;
  /** Where browsers reach this server (the OAuth redirect_uri is built on it). */
  publicOrigin: () => string;
  demo: boolean;
}) {
  async function userIdForCode(corpId: string, code: string): Promise<string> {
    let answer;
    try {
      answer = await deps.api(corpId).getUserInfoByCode(code);
    } catch (err) {
      if (err instanceof WecomApiError && BAD_CODE_ERRCODES.has(err.errcode)) {
        throw new UnauthorizedError('登录凭证无效或已过期，请重新打开页面登录');
      }
      if (err instanceof WecomApiError) {
        throw new UpstreamError(`企业微信登录失败：错误码 ${err.errcode}`, { errcode: err.errcode });
      }
      if (err instanceof WecomNetworkError) throw new UpstreamError('暂时无法连接企业微信，请稍后重试');
      throw err;
    }
    // A non-member (a WeChat user opening the link) gets an openid, never a userid.
    if (!answer.userid) throw new ForbiddenError('仅企业成员可以登录');
    return answer.userid;
  }

  return {
    /**
     * Where to send the browser to sign in, and the cookie binding this attempt to it. `returnTo` must be a page
     * of this server (/sidebar/… or /console/…).
     */
    async beginLogin(returnTo: string | undefined): Promise<{ location: string; stateCookie: string }> {
      const target = returnTo === undefined || returnTo === '' ? DEFAULT_RETURN_TO : safeReturnTo(returnTo);
      if (!target) throw new BadRequestError('returnTo 只能是本站 /sidebar/ 或 /console/ 下的相对路径', 'returnTo');
      const { corpId, agentId } = deps.loginCorp();
      const state = newOAuthState();
      await deps.sessions.issueOAuthState(state);
      // WeCom documents this parameter order and the #wechat_redirect fragment.
      const query = new URLSearchParams({
        appid: corpId,
        redirect_uri: `${deps.publicOrigin()}/api/auth/callback`,
        response_type: 'code',
        scope: 'snsapi_base',
        state,
        agentid: String(agentId),
      });
      const location = `${deps.oauthBase().replace(/\/+$/, '')}/connect/oauth2/authorize?${query.toString()}#wechat_redirect`;
      return { location, stateCookie: stateCookieValue(state, target) };
    },

    /**
     * Checks the state against the cookie (this browser started this sign-in) and spends it on the server (it was
     * issued and is used once), exchanges the code for the member and opens a new session. The session the browser
     * came with, if any, is ended: a sign-in never continues a session that existed before it.
     */
    async completeLogin(input: {
      code: string | undefined;
      state: string | undefined;
      stateCookie: string | undefined;
      previousSession?: string | undefined;
    }): Promise<{ token: string; expiresAt: number; returnTo: string }> {
      const state = input.state ?? '';
      const returnTo = checkStateCookie(input.stateCookie, state);
      if (!returnTo) throw new BadRequestError('登录状态已失效，请重新打开页面登录', 'state');
      if (!(await deps.sessions.consumeOAuthState(state))) {
        throw new BadRequestError('登录状态已使用或已过期，请重新打开页面登录', 'state');
      }
      if (!input.code) throw new BadRequestError('缺少登录凭证 code', 'code');
      const { corpId } = deps.loginCorp();
      const userId = await userIdForCode(corpId, input.code);
      try {
        await deps.directory.ensureReps(corpId, [userId]);
      } catch (err) {
        if (err instanceof WecomApiError || err instanceof WecomNetworkError) {
          throw new UpstreamError('读取成员信息失败，请稍后重试');
        }
        throw err;
      }
      const rep = await deps.directory.findRep(corpId, userId);
      if (!rep || INACTIVE_MEMBER_STATUSES.has(rep.status)) throw new ForbiddenError('该成员已停用或离职，无法登录');
      if (input.previousSession) await deps.sessions.destroy(input.previousSession);
      const session = await deps.sessions.create({ corpId, userId });
      return { token: session.token, expiresAt: session.expiresAt, returnTo };
    },

    async me(user: SessionUser) {
      const rep = await deps.directory.findRep(user.corpId, user.userId);
      const corp = deps.corp(user.corpId);
      if (!rep || !corp) throw new UnauthorizedError();
      return {
        userId: rep.userId,
        name: rep.name,
        avatar: rep.avatar,
        position: rep.position,
        corpId: corp.corpId,
        agentId: corp.agentId,
        demo: deps.demo,
      };
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;

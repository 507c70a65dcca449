import type { FastifyInstance } from 'fastify';
import type { EmulatorArchive, SdkOp } from './archive.js';
import type { CallLog } from './call-log.js';
import { ok, type ApiRoute } from './cgi.js';
import type { EmulatorCore } from './core.js';
import { fail } from './errcodes.js';
import { bodyObject, optInt, reqString } from './params.js';
import { sleepUnlessAborted } from './sleep.js';

/**
 * The wire between the stand-in Finance SDK (native/finance-sdk) and the emulator: one form-encoded POST per SDK
 * call to /emulator/finance-sdk/{init,chatdata,media}; the SDK's return code comes back in `X-Finance-Ret`, the
 * payload (GetChatData's JSON, or a media piece with `X-Finance-Outindexbuf` and `X-Finance-Is-Finish`) as the
 * body. WeCom's own SDK protocol is private; this one only has to carry what the C ABI returns.
 */
export const FINANCE_SDK_PREFIX = '/finance-sdk';

function logSummary(op: SdkOp, form: Record<string, string>): Record<string, string> {
  const { secret: _secret, ...rest } = form;
  return op === 'media' ? { sdkfileid: rest.sdkfileid ?? '', indexbuf: rest.indexbuf ?? '' } : rest;
}

export function registerArchiveSdkRoutes(
  app: FastifyInstance,
  deps: {
    core: EmulatorCore;
    archive: EmulatorArchive;
    callLog: CallLog;
    formBody: (body: unknown) => Record<string, string>;
  },
): void {
  const { core, archive, callLog, formBody } = deps;
  for (const op of ['init', 'chatdata', 'media'] as const) {
    app.post(`${FINANCE_SDK_PREFIX}/${op}`, async (req, reply) => {
      const form = formBody(req.body);
      const answer = await archive.answerSdk(op, form);
      if (answer.delayMs > 0) await sleepUnlessAborted(answer.delayMs, core.shutdown.signal);
      callLog.add({
        at: core.clock.nowMs(),
        method: 'POST',
        path: `${FINANCE_SDK_PREFIX}/${op}`,
        query: {},
        body: logSummary(op, form),
        response: {
          ret: answer.ret,
          bytes: answer.body.length,
          ...(answer.abort ? { abort: true } : {}),
          ...(answer.drop ? { drop: true } : {}),
        },
      });
      if (answer.drop) {
        // A network failure as the SDK sees it: the connection closes with no answer.
        reply.hijack();
        req.raw.socket.destroy();
        return;
      }
      if (answer.abort) reply.header('x-finance-abort', '1');
      for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value);
      reply.header('x-finance-ret', String(answer.ret));
      if (!answer.headers['content-type']) reply.type('text/plain; charset=utf-8');
      return reply.status(200).send(answer.body);
    });
  }
}

const AGREE_INFO_MAX = 100;

/**
 * The archive's consent APIs (wecom-protocol.md §6.1; paths [WxJava] `WxCpApiPathConsts`, shapes as in
 * xen0n/go-workwx): who is in the archive's scope, and whether a customer agreed. `exteranalopenid` is WeCom's
 * own spelling.
 */
export function archiveApiRoutes(core: EmulatorCore, archive: EmulatorArchive): ApiRoute[] {
  return [
    {
      method: 'POST',
      path: '/cgi-bin/msgaudit/get_permit_user_list',
      handler: (req) => {
        const type = optInt(bodyObject(req.body), 'type');
        if (type !== undefined && ![1, 2, 3].includes(type)) fail('invalidParameter', 'type must be 1, 2 or 3');
        return ok({ ids: core.data.reps.map((r) => r.userid) });
      },
    },
    {
      method: 'POST',
      path: '/cgi-bin/msgaudit/check_single_agree',
      handler: (req) => {
        const info = bodyObject(req.body).info;
        if (!Array.isArray(info) || info.length === 0 || info.length > AGREE_INFO_MAX)
          fail('invalidParameter', `info must list 1 to ${AGREE_INFO_MAX} pairs`);
        const agreeinfo = info.map((raw) => {
          const pair = bodyObject(raw);
          const userid = reqString(pair, 'userid');
          const externalId = reqString(pair, 'exteranalopenid');
          if (!core.findRep(userid)) fail('invalidUserId', userid);
          if (!core.findCustomer(externalId)) fail('invalidExternalUserId', externalId);
          const { status, changedAt } = archive.agreeStatus(userid, externalId);
          return { status_change_time: changedAt, userid, exteranalopenid: externalId, agree_status: status };
        });
        return ok({ agreeinfo });
      },
    },
    {
      method: 'POST',
      path: '/cgi-bin/msgaudit/check_room_agree',
      handler: (req) => {
        const roomid = reqString(bodyObject(req.body), 'roomid');
        const room = core.data.groupChats.find((g) => g.chat_id === roomid);
        if (!room) fail('invalidChatId');
        const agreeinfo = room.member_list
          .filter((m) => m.type === 2)
          .map((m) => {
            // A group member's consent: the one recorded with the group's owner, else the default.
            const { status, changedAt } = archive.agreeStatus(room.owner, m.userid);
            return { status_change_time: changedAt, agree_status: status, exteranalopenid: m.userid };
          });
        return ok({ agreeinfo });
      },
    },
  ];
}

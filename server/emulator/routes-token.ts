import { ok, type ApiRoute } from './cgi.js';
import type { EmulatorCore } from './core.js';
import { fail } from './errcodes.js';

/** gettoken and the JS-SDK tickets (wecom-protocol.md §4.1, §4.13). */
export function tokenRoutes(core: EmulatorCore): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/cgi-bin/gettoken',
      auth: false,
      handler: (req) => {
        const { corpid, corpsecret } = req.query;
        if (!corpid) fail('missingCorpId');
        if (!corpsecret) fail('missingSecret');
        if (corpid !== core.corp.corpId) fail('invalidCorpId');
        // The app's Secret, or the archive's (会话内容存档 APIs take a token of the archive Secret).
        if (corpsecret !== core.corp.secret && corpsecret !== core.data.archive?.secret) fail('invalidSecret');
        const { token, expiresIn } = core.credentials.issueToken();
        return ok({ access_token: token, expires_in: expiresIn });
      },
    },
    {
      method: 'GET',
      path: '/cgi-bin/get_jsapi_ticket',
      handler: () => {
        const { ticket, expiresIn } = core.credentials.issueTicket('jsapi');
        return ok({ ticket, expires_in: expiresIn });
      },
    },
    {
      method: 'GET',
      path: '/cgi-bin/ticket/get',
      handler: (req) => {
        if (req.query.type !== 'agent_config') fail('invalidTicketType');
        const { ticket, expiresIn } = core.credentials.issueTicket('agent_config');
        return ok({ ticket, expires_in: expiresIn });
      },
    },
  ];
}

import { describe, it, expect } from 'vitest';
import { createWecomApi } from '../../../server/wecom/api.js';
import type { QueryParams, UploadFile, WecomClient } from '../../../server/wecom/client.js';

type Call = {
  method: string;
  path: string;
  query?: QueryParams;
  body?: unknown;
  file?: UploadFile;
  key?: string;
  idempotent?: boolean;
};

/** A client fake that records what each API method asks for. */
function recordingClient() {
  const calls: Call[] = [];
  const client: Pick<WecomClient, 'get' | 'post' | 'upload' | 'webhookSend'> = {
    get: async <T>(path: string, query?: QueryParams) => {
      calls.push({ method: 'GET', path, query });
      return { errcode: 0 } as T;
    },
    post: async <T>(path: string, body: unknown, query?: QueryParams, options?: { idempotent?: boolean }) => {
      calls.push({ method: 'POST', path, body, query, idempotent: options?.idempotent ?? true });
      return { errcode: 0 } as T;
    },
    upload: async <T>(path: string, query: QueryParams, file: UploadFile) => {
      calls.push({ method: 'UPLOAD', path, query, file });
      return { errcode: 0 } as T;
    },
    webhookSend: async <T>(key: string, body: unknown) => {
      calls.push({ method: 'WEBHOOK', path: '/cgi-bin/webhook/send', key, body });
      return { errcode: 0 } as T;
    },
  };
  return { api: createWecomApi(client), calls };
}

const EC = '/cgi-bin/externalcontact';

describe('createWecomApi', () => {
  it('maps every method to WeCom’s real path, method and parameters', async () => {
    const { api, calls } = recordingClient();
    const file: UploadFile = { filename: 'a.png', contentType: 'image/png', data: Buffer.from('x') };
    const cases: Array<[() => Promise<unknown>, Call]> = [
      [
        () => api.getExternalContact('wm1'),
        { method: 'GET', path: `${EC}/get`, query: { external_userid: 'wm1', cursor: undefined } },
      ],
      [
        () => api.getExternalContact('wm1', 'C2'),
        { method: 'GET', path: `${EC}/get`, query: { external_userid: 'wm1', cursor: 'C2' } },
      ],
      [
        () => api.listExternalContacts('zhangsan'),
        { method: 'GET', path: `${EC}/list`, query: { userid: 'zhangsan' } },
      ],
      [
        () => api.batchGetByUser({ userid_list: ['a'], cursor: '', limit: 100 }),
        { method: 'POST', path: `${EC}/batch/get_by_user`, body: { userid_list: ['a'], cursor: '', limit: 100 } },
      ],
      [() => api.getFollowUserList(), { method: 'GET', path: `${EC}/get_follow_user_list` }],
      [() => api.listDepartments(), { method: 'GET', path: '/cgi-bin/department/list', query: { id: undefined } }],
      [
        () => api.listUsers(2),
        { method: 'GET', path: '/cgi-bin/user/list', query: { department_id: 2, fetch_child: undefined } },
      ],
      [
        () => api.listUsers(1, { fetchChild: true }),
        { method: 'GET', path: '/cgi-bin/user/list', query: { department_id: 1, fetch_child: 1 } },
      ],
      [() => api.getUser('u1'), { method: 'GET', path: '/cgi-bin/user/get', query: { userid: 'u1' } }],
      [() => api.getCorpTagList(), { method: 'POST', path: `${EC}/get_corp_tag_list`, body: {} }],
      [
        () => api.getCorpTagList({ group_id: ['g'] }),
        { method: 'POST', path: `${EC}/get_corp_tag_list`, body: { group_id: ['g'] } },
      ],
      [
        () => api.addCorpTag({ group_name: '渠道', tag: [{ name: '海报' }] }),
        { method: 'POST', path: `${EC}/add_corp_tag`, body: { group_name: '渠道', tag: [{ name: '海报' }] } },
      ],
      [
        () => api.editCorpTag({ id: 't', name: 'n' }),
        { method: 'POST', path: `${EC}/edit_corp_tag`, body: { id: 't', name: 'n' } },
      ],
      [
        () => api.delCorpTag({ tag_id: ['t'] }),
        { method: 'POST', path: `${EC}/del_corp_tag`, body: { tag_id: ['t'] } },
      ],
      [
        () => api.markTag({ userid: 'u', external_userid: 'wm', add_tag: ['t1'] }),
        { method: 'POST', path: `${EC}/mark_tag`, body: { userid: 'u', external_userid: 'wm', add_tag: ['t1'] } },
      ],
      [
        () => api.remark({ userid: 'u', external_userid: 'wm', remark: 'r' }),
        { method: 'POST', path: `${EC}/remark`, body: { userid: 'u', external_userid: 'wm', remark: 'r' } },
      ],
      [
        () => api.addContactWay({ type: 1, scene: 2, state: 'ch1', user: ['u'] }),
        { method: 'POST', path: `${EC}/add_contact_way`, body: { type: 1, scene: 2, state: 'ch1', user: ['u'] } },
      ],
      [() => api.getContactWay('cfg'), { method: 'POST', path: `${EC}/get_contact_way`, body: { config_id: 'cfg' } }],
      [
        () => api.updateContactWay({ config_id: 'cfg', state: 'ch2' }),
        { method: 'POST', path: `${EC}/update_contact_way`, body: { config_id: 'cfg', state: 'ch2' } },
      ],
      [() => api.delContactWay('cfg'), { method: 'POST', path: `${EC}/del_contact_way`, body: { config_id: 'cfg' } }],
      [
        () => api.sendWelcomeMsg({ welcome_code: 'WC', text: { content: '你好' } }),
        { method: 'POST', path: `${EC}/send_welcome_msg`, body: { welcome_code: 'WC', text: { content: '你好' } } },
      ],
      [
        () => api.addMsgTemplate({ external_userid: ['wm'], sender: 'u', text: { content: 'x' } }),
        {
          method: 'POST',
          path: `${EC}/add_msg_template`,
          body: { external_userid: ['wm'], sender: 'u', text: { content: 'x' } },
        },
      ],
      [
        () => api.uploadMedia('image', file),
        { method: 'UPLOAD', path: '/cgi-bin/media/upload', query: { type: 'image' }, file },
      ],
      [() => api.getJsapiTicket(), { method: 'GET', path: '/cgi-bin/get_jsapi_ticket' }],
      [
        () => api.getAgentConfigTicket(),
        { method: 'GET', path: '/cgi-bin/ticket/get', query: { type: 'agent_config' } },
      ],
      [
        () => api.getUserInfoByCode('CODE'),
        { method: 'GET', path: '/cgi-bin/auth/getuserinfo', query: { code: 'CODE' } },
      ],
      [
        () => api.getUserBehaviorData({ userid: ['u'], start_time: 1, end_time: 2 }),
        { method: 'POST', path: `${EC}/get_user_behavior_data`, body: { userid: ['u'], start_time: 1, end_time: 2 } },
      ],
      [
        () => api.sendAppMessage({ touser: 'u', agentid: 1000002, msgtype: 'text', text: { content: 'x' } }),
        {
          method: 'POST',
          path: '/cgi-bin/message/send',
          body: { touser: 'u', agentid: 1000002, msgtype: 'text', text: { content: 'x' } },
        },
      ],
      [
        () => api.groupChatList({ status_filter: 0, limit: 100 }),
        { method: 'POST', path: `${EC}/groupchat/list`, body: { status_filter: 0, limit: 100 } },
      ],
      [
        () => api.groupChatGet('wr1'),
        { method: 'POST', path: `${EC}/groupchat/get`, body: { chat_id: 'wr1', need_name: 1 } },
      ],
      [
        () => api.groupChatGet('wr1', false),
        { method: 'POST', path: `${EC}/groupchat/get`, body: { chat_id: 'wr1', need_name: 0 } },
      ],
      [
        () => api.sendRobotMessage('KEY', { msgtype: 'markdown', markdown: { content: '**告警**' } }),
        {
          method: 'WEBHOOK',
          path: '/cgi-bin/webhook/send',
          key: 'KEY',
          body: { msgtype: 'markdown', markdown: { content: '**告警**' } },
        },
      ],
    ];
    for (const [invoke, expected] of cases) {
      calls.length = 0;
      await expect(invoke()).resolves.toEqual({ errcode: 0 });
      expect(calls).toHaveLength(1);
      const [call] = calls;
      const { query: expectedQuery, ...rest } = expected;
      expect(call).toMatchObject(rest);
      expect(call?.query ?? {}).toEqual(expectedQuery ?? {});
    }
  });

  it('marks exactly the calls that create or send something as not idempotent (never repeated blindly)', async () => {
    const { api, calls } = recordingClient();
    await api.addCorpTag({ group_name: 'g', tag: [{ name: 't' }] });
    await api.addContactWay({ type: 1, scene: 2, state: 's', user: ['u'] });
    await api.addMsgTemplate({ external_userid: ['wm'], sender: 'u', text: { content: 'x' } });
    await api.sendAppMessage({ touser: 'u', agentid: 1, msgtype: 'text', text: { content: 'x' } });
    await api.markTag({ userid: 'u', external_userid: 'wm', add_tag: ['t1'] });
    await api.remark({ userid: 'u', external_userid: 'wm', remark: 'r' });
    await api.updateContactWay({ config_id: 'c', state: 's' });
    await api.sendWelcomeMsg({ welcome_code: 'w', text: { content: 'x' } });
    expect(calls.filter((c) => c.idempotent === false).map((c) => c.path)).toEqual([
      `${EC}/add_corp_tag`,
      `${EC}/add_contact_way`,
      `${EC}/add_msg_template`,
      '/cgi-bin/message/send',
    ]);
    expect(calls.filter((c) => c.idempotent === true)).toHaveLength(4);
  });
});

import { describe, it, expect } from 'vitest';
import {
  buildExternalContactEventXml,
  eventTypeOf,
  idempotencyKey,
  parseEnvelope,
  parseEvent,
  type WecomEvent,
} from '../../../server/wecom/events.js';
import { WecomXmlError } from '../../../server/wecom/xml.js';
import { vectorA, vectorB } from './vectors.js';

// §3.1, official example [D-96361], verbatim.
const officialAddContact = `<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[sys]]></FromUserName>
  <CreateTime>1403610513</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[change_external_contact]]></Event>
  <ChangeType><![CDATA[add_external_contact]]></ChangeType>
  <UserID><![CDATA[zhangsan]]></UserID>
  <ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mAAAA]]></ExternalUserID>
  <State><![CDATA[teststate]]></State>
  <WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode>
</xml>`;

/** The common envelope of §3 around event-specific fields. */
function systemEvent(event: string, body: string, createTime = 1403610513): string {
  return `<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${event}]]></Event>${body}</xml>`;
}

function contactEvent(
  changeType: string,
  extra = '',
  userId = 'zhangsan',
  externalUserId = 'woAJ2GCAAAXtWyujaWJHDDGi0mAAAA',
  createTime = 1403610513,
): string {
  return systemEvent(
    'change_external_contact',
    `<ChangeType><![CDATA[${changeType}]]></ChangeType><UserID><![CDATA[${userId}]]></UserID><ExternalUserID><![CDATA[${externalUserId}]]></ExternalUserID>${extra}`,
    createTime,
  );
}

// §3.2 update sample.
const chatUpdateBody = `<ChatId><![CDATA[CHAT_ID]]></ChatId>
<ChangeType><![CDATA[update]]></ChangeType>
<UpdateDetail><![CDATA[add_member]]></UpdateDetail>
<JoinScene>1</JoinScene>
<QuitScene>0</QuitScene>
<MemChangeCnt>10</MemChangeCnt>
<MemChangeList><Item>Jack</Item><Item>Rose</Item></MemChangeList>
<LastMemVer>9c3f97c2ada667dfb5f6d03308d963e1</LastMemVer>
<CurMemVer>71217227bbd112ecfe3a49c482195cb4</CurMemVer>`;

// §3.5, official example [D-95039], verbatim.
const officialMsgauditNotify = `<xml>
   <ToUserName><![CDATA[CorpID]]></ToUserName>
   <FromUserName><![CDATA[sys]]></FromUserName>
   <CreateTime>1629101687</CreateTime>
   <MsgType><![CDATA[event]]></MsgType>
   <AgentID>2000004</AgentID>
   <Event><![CDATA[msgaudit_notify]]></Event>
</xml>`;

function narrow<K extends WecomEvent['kind']>(e: WecomEvent, kind: K): Extract<WecomEvent, { kind: K }> {
  expect(e.kind).toBe(kind);
  return e as Extract<WecomEvent, { kind: K }>;
}

describe('parseEnvelope', () => {
  it('reads the outer POST body of vector A', () => {
    expect(parseEnvelope(vectorA.post.body)).toEqual({
      toUserName: 'wx5823bf96d3bd56c7',
      encrypt: vectorA.post.encrypt,
      agentId: '218',
    });
  });

  it('throws WecomXmlError without <Encrypt> and on malformed bodies', () => {
    expect(() => parseEnvelope('<xml><ToUserName>x</ToUserName><AgentID>1</AgentID></xml>')).toThrow(WecomXmlError);
    expect(() => parseEnvelope('<xml><Encrypt></Encrypt></xml>')).toThrow(WecomXmlError);
    expect(() => parseEnvelope('<xml><Encrypt>abc</xml>')).toThrow(WecomXmlError);
  });

  it('tolerates an empty AgentID (some system events)', () => {
    expect(parseEnvelope('<xml><ToUserName>c</ToUserName><Encrypt>abc=</Encrypt><AgentID></AgentID></xml>')).toEqual({
      toUserName: 'c',
      encrypt: 'abc=',
      agentId: '',
    });
  });
});

describe('parseEvent: change_external_contact (§3.1)', () => {
  it('parses the official add_external_contact example', () => {
    const e = narrow(parseEvent(officialAddContact), 'external_contact');
    expect(e).toMatchObject({
      toUserName: 'toUser',
      fromUserName: 'sys',
      createTime: 1403610513,
      changeType: 'add_external_contact',
      userId: 'zhangsan',
      externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mAAAA',
      state: 'teststate',
      welcomeCode: 'WELCOMECODE',
    });
    expect(typeof e.createTime).toBe('number');
    expect(e.raw['Event']).toBe('change_external_contact');
    expect(e.source).toBeUndefined();
  });

  it('keeps State "00123" as the string "00123"', () => {
    const e = narrow(
      parseEvent(contactEvent('add_external_contact', '<State><![CDATA[00123]]></State>')),
      'external_contact',
    );
    expect(e.state).toBe('00123');
    const bare = narrow(parseEvent(contactEvent('add_external_contact', '<State>00123</State>')), 'external_contact');
    expect(bare.state).toBe('00123');
  });

  it.each([
    ['edit_external_contact', '', {}],
    [
      'add_half_external_contact',
      '<State><![CDATA[ch1]]></State><WelcomeCode><![CDATA[WC]]></WelcomeCode>',
      { state: 'ch1', welcomeCode: 'WC' },
    ],
    ['del_external_contact', '<Source><![CDATA[DELETE_BY_TRANSFER]]></Source>', { source: 'DELETE_BY_TRANSFER' }],
    ['del_follow_user', '', {}],
    ['transfer_fail', '<FailReason><![CDATA[customer_refused]]></FailReason>', { failReason: 'customer_refused' }],
    ['msg_audit_approved', '<WelcomeCode><![CDATA[WC2]]></WelcomeCode>', { welcomeCode: 'WC2' }],
  ] as const)('parses %s', (changeType, extra, expected) => {
    const e = narrow(parseEvent(contactEvent(changeType, extra)), 'external_contact');
    expect(e).toMatchObject({
      changeType,
      userId: 'zhangsan',
      externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mAAAA',
      ...expected,
    });
    expect(eventTypeOf(e)).toBe(`change_external_contact/${changeType}`);
  });

  it('maps an unknown ChangeType to kind "unknown", keeping it', () => {
    const e = narrow(parseEvent(contactEvent('brand_new_change')), 'unknown');
    expect(e).toMatchObject({ msgType: 'event', event: 'change_external_contact', changeType: 'brand_new_change' });
    expect(eventTypeOf(e)).toBe('change_external_contact/brand_new_change');
  });

  it('throws WecomXmlError when identifying fields are missing or CreateTime is not a number', () => {
    expect(() =>
      parseEvent(
        systemEvent('change_external_contact', '<ChangeType>add_external_contact</ChangeType><UserID>u</UserID>'),
      ),
    ).toThrow(/ExternalUserID/);
    expect(() => parseEvent(officialAddContact.replace('1403610513', 'yesterday'))).toThrow(WecomXmlError);
    expect(() => parseEvent(officialAddContact.replace('<CreateTime>1403610513</CreateTime>', ''))).toThrow(
      WecomXmlError,
    );
  });
});

describe('parseEvent: change_external_chat (§3.2)', () => {
  it('parses the update sample with its member list', () => {
    const e = narrow(parseEvent(systemEvent('change_external_chat', chatUpdateBody)), 'external_chat');
    expect(e).toMatchObject({
      chatId: 'CHAT_ID',
      changeType: 'update',
      updateDetail: 'add_member',
      joinScene: '1',
      quitScene: '0',
      memChangeCnt: '10',
      memChangeList: ['Jack', 'Rose'],
      lastMemVer: '9c3f97c2ada667dfb5f6d03308d963e1',
      curMemVer: '71217227bbd112ecfe3a49c482195cb4',
    });
    expect(eventTypeOf(e)).toBe('change_external_chat/update');
  });

  it('parses create and dismiss, with an empty member list', () => {
    for (const changeType of ['create', 'dismiss'] as const) {
      const e = narrow(
        parseEvent(
          systemEvent(
            'change_external_chat',
            `<ChatId>wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA</ChatId><ChangeType>${changeType}</ChangeType>`,
          ),
        ),
        'external_chat',
      );
      expect(e).toMatchObject({ chatId: 'wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA', changeType, memChangeList: [] });
      expect(e.updateDetail).toBeUndefined();
    }
  });

  it('reads a one-member change list as a list', () => {
    const body = chatUpdateBody.replace('<Item>Jack</Item><Item>Rose</Item>', '<Item>Jack</Item>');
    expect(narrow(parseEvent(systemEvent('change_external_chat', body)), 'external_chat').memChangeList).toEqual([
      'Jack',
    ]);
  });
});

describe('parseEvent: change_external_tag (§3.3)', () => {
  it('parses create/update/delete with TagType, and shuffle without', () => {
    const created = narrow(
      parseEvent(
        systemEvent(
          'change_external_tag',
          '<Id><![CDATA[TAG_ID]]></Id><TagType><![CDATA[tag]]></TagType><ChangeType><![CDATA[create]]></ChangeType>',
        ),
      ),
      'external_tag',
    );
    expect(created).toMatchObject({ id: 'TAG_ID', tagType: 'tag', changeType: 'create' });

    const group = narrow(
      parseEvent(
        systemEvent(
          'change_external_tag',
          '<Id>GROUP_ID</Id><TagType>tag_group</TagType><ChangeType>delete</ChangeType><StrategyId>7</StrategyId>',
        ),
      ),
      'external_tag',
    );
    expect(group).toMatchObject({ id: 'GROUP_ID', tagType: 'tag_group', changeType: 'delete', strategyId: '7' });

    const shuffled = narrow(
      parseEvent(
        systemEvent('change_external_tag', '<Id><![CDATA[GROUP_ID]]></Id><ChangeType><![CDATA[shuffle]]></ChangeType>'),
      ),
      'external_tag',
    );
    expect(shuffled.changeType).toBe('shuffle');
    expect(shuffled.tagType).toBeUndefined();
    expect(eventTypeOf(shuffled)).toBe('change_external_tag/shuffle');
  });
});

describe('parseEvent: other events and messages', () => {
  it('parses the official msgaudit_notify example (§3.5)', () => {
    const e = narrow(parseEvent(officialMsgauditNotify), 'msgaudit_notify');
    expect(e).toMatchObject({ toUserName: 'CorpID', createTime: 1629101687, agentId: '2000004' });
    expect(eventTypeOf(e)).toBe('msgaudit_notify');
  });

  it('parses kf_msg_or_event (§3.6)', () => {
    const xml =
      '<xml><ToUserName><![CDATA[ww12345678910]]></ToUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR]]></Token><OpenKfId><![CDATA[wkxxxxxxx]]></OpenKfId></xml>';
    const e = narrow(parseEvent(xml), 'kf_msg_or_event');
    expect(e).toMatchObject({
      token: 'ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR',
      openKfId: 'wkxxxxxxx',
      fromUserName: '',
    });
  });

  it('parses the text message of vector A, keeping the 64-bit MsgId exact (§3.4)', () => {
    const e = narrow(parseEvent(vectorA.post.plaintext), 'app_message');
    expect(e).toMatchObject({
      msgType: 'text',
      msgId: '4561255354251345929',
      fromUserName: 'mycreate',
      toUserName: 'wx5823bf96d3bd56c7',
      createTime: 1409659813,
      content: 'hello',
      agentId: '218',
    });
    expect(eventTypeOf(e)).toBe('msg/text');
    expect(idempotencyKey(e)).toBe('1409659813|msg|4561255354251345929');
  });

  it('parses the Chinese text message of vector B', () => {
    const e = narrow(parseEvent(vectorB.post.plaintext), 'app_message');
    expect(e).toMatchObject({
      msgType: 'text',
      content: '你好',
      fromUserName: 'ChenJiaShun',
      agentId: '1000002',
      msgId: '1456453720',
    });
  });

  it('parses image, voice, video, location and link messages, and files as "other"', () => {
    const msg = (type: string, fields: string) =>
      `<xml><ToUserName><![CDATA[corp]]></ToUserName><FromUserName><![CDATA[lisi]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[${type}]]></MsgType>${fields}<MsgId>1234567890123456</MsgId><AgentID>1</AgentID></xml>`;
    expect(
      parseEvent(msg('image', '<PicUrl><![CDATA[http://p/x.jpg]]></PicUrl><MediaId><![CDATA[m1]]></MediaId>')),
    ).toMatchObject({
      kind: 'app_message',
      msgType: 'image',
      picUrl: 'http://p/x.jpg',
      mediaId: 'm1',
    });
    expect(parseEvent(msg('voice', '<MediaId>m2</MediaId><Format>amr</Format>'))).toMatchObject({
      msgType: 'voice',
      mediaId: 'm2',
      format: 'amr',
    });
    expect(parseEvent(msg('video', '<MediaId>m3</MediaId><ThumbMediaId>t3</ThumbMediaId>'))).toMatchObject({
      msgType: 'video',
      thumbMediaId: 't3',
    });
    expect(
      parseEvent(
        msg(
          'location',
          '<Location_X>23.134521</Location_X><Location_Y>113.358803</Location_Y><Scale>20</Scale><Label><![CDATA[广州]]></Label>',
        ),
      ),
    ).toMatchObject({
      msgType: 'location',
      locationX: '23.134521',
      locationY: '113.358803',
      scale: '20',
      label: '广州',
    });
    expect(
      parseEvent(
        msg('link', '<Title>t</Title><Description>d</Description><Url>http://u</Url><PicUrl>http://p</PicUrl>'),
      ),
    ).toMatchObject({ msgType: 'link', title: 't', description: 'd', url: 'http://u', picUrl: 'http://p' });
    const file = parseEvent(msg('file', '<MediaId>m4</MediaId>'));
    expect(file).toMatchObject({ kind: 'app_message', msgType: 'other', mediaId: 'm4' });
    expect(eventTypeOf(file)).toBe('msg/file');
  });

  it('maps events it does not know to kind "unknown" without crashing', () => {
    const e = narrow(
      parseEvent(
        '<xml><ToUserName>c</ToUserName><FromUserName>lisi</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>enter_agent</Event><AgentID>1</AgentID></xml>',
      ),
      'unknown',
    );
    expect(e).toMatchObject({ msgType: 'event', event: 'enter_agent', fromUserName: 'lisi' });
    expect(eventTypeOf(e)).toBe('enter_agent');
    expect(
      parseEvent(
        '<xml><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>change_external_tag</Event><ChangeType>merge</ChangeType></xml>',
      ).kind,
    ).toBe('unknown');
  });

  it('throws WecomXmlError on malformed XML', () => {
    expect(() => parseEvent('<xml><CreateTime>1</CreateTime>')).toThrow(WecomXmlError);
    expect(() => parseEvent('not xml')).toThrow(WecomXmlError);
  });
});

describe('idempotencyKey', () => {
  const oneOfEachKind = [
    officialAddContact,
    systemEvent('change_external_chat', chatUpdateBody),
    systemEvent('change_external_tag', '<Id>T</Id><TagType>tag</TagType><ChangeType>update</ChangeType>'),
    officialMsgauditNotify,
    vectorA.post.plaintext,
    '<xml><CreateTime>5</CreateTime><MsgType>event</MsgType><Event>something_new</Event><X>1</X></xml>',
  ];

  it('is equal for two deliveries of the same event (WeCom retries)', () => {
    for (const xml of oneOfEachKind) {
      expect(idempotencyKey(parseEvent(xml))).toBe(idempotencyKey(parseEvent(xml)));
    }
  });

  it('follows CreateTime|Event|ChangeType|UserID|ExternalUserID|CreateTime for customer events', () => {
    expect(idempotencyKey(parseEvent(officialAddContact))).toBe(
      '1403610513|change_external_contact|add_external_contact|zhangsan|woAJ2GCAAAXtWyujaWJHDDGi0mAAAA|1403610513',
    );
  });

  it('leads with CreateTime for every kind, so keys sort by time', () => {
    for (const xml of oneOfEachKind) {
      const event = parseEvent(xml);
      expect(idempotencyKey(event).startsWith(`${event.createTime}|`)).toBe(true);
    }
  });

  it('differs for different events', () => {
    const keys = [
      contactEvent('add_external_contact'),
      contactEvent('del_follow_user'),
      contactEvent('add_external_contact', '', 'lisi'),
      contactEvent('add_external_contact', '', 'zhangsan', 'wmOther'),
      contactEvent('add_external_contact', '', 'zhangsan', 'woAJ2GCAAAXtWyujaWJHDDGi0mAAAA', 1403610514),
      systemEvent('change_external_chat', chatUpdateBody),
      systemEvent('change_external_chat', chatUpdateBody.replace('add_member', 'del_member')),
      systemEvent('change_external_chat', chatUpdateBody.replace('71217227bbd112ecfe3a49c482195cb4', 'ffff')),
      systemEvent('change_external_chat', '<ChatId>CHAT_ID</ChatId><ChangeType>dismiss</ChangeType>'),
      systemEvent('change_external_tag', '<Id>T1</Id><TagType>tag</TagType><ChangeType>update</ChangeType>'),
      systemEvent('change_external_tag', '<Id>T2</Id><TagType>tag</TagType><ChangeType>update</ChangeType>'),
      officialMsgauditNotify,
      officialMsgauditNotify.replace('1629101687', '1629101702'),
      vectorA.post.plaintext,
      vectorB.post.plaintext,
      '<xml><CreateTime>5</CreateTime><MsgType>event</MsgType><Event>something_new</Event><X>1</X></xml>',
      '<xml><CreateTime>5</CreateTime><MsgType>event</MsgType><Event>something_new</Event><X>2</X></xml>',
    ].map((xml) => idempotencyKey(parseEvent(xml)));
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('buildExternalContactEventXml', () => {
  it('builds what WeCom sends: same fields and values as the official example', () => {
    const xml = buildExternalContactEventXml({
      corpId: 'toUser',
      changeType: 'add_external_contact',
      userId: 'zhangsan',
      externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mAAAA',
      createTime: 1403610513,
      state: 'teststate',
      welcomeCode: 'WELCOMECODE',
    });
    expect(parseEvent(xml).raw).toEqual(parseEvent(officialAddContact).raw);
    expect(Object.keys(parseEvent(xml).raw)).toEqual(Object.keys(parseEvent(officialAddContact).raw));
    expect(xml).toContain('<CreateTime>1403610513</CreateTime>');
    expect(xml).toContain('<FromUserName><![CDATA[sys]]></FromUserName>');
  });

  it('omits absent optional fields and keeps a zero-padded State', () => {
    const xml = buildExternalContactEventXml({
      corpId: 'ww1',
      changeType: 'del_external_contact',
      userId: 'u',
      externalUserId: 'wm',
      createTime: 1700000000,
      state: '00123',
      source: 'DELETE_BY_TRANSFER',
    });
    expect(xml).not.toContain('WelcomeCode');
    expect(parseEvent(xml)).toMatchObject({ kind: 'external_contact', state: '00123', source: 'DELETE_BY_TRANSFER' });
  });
});

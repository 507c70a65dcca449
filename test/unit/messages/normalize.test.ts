import { describe, expect, it } from 'vitest';
import { fromArchive, memberTest } from '../../../server/modules/messages/normalize.js';
import { contentKey, sameSend } from '../../../server/modules/messages/reconcile.js';
import { compileRule, matchRule, patternProblem } from '../../../server/modules/keywords/matcher.js';
import { csvField } from '../../../server/modules/messages/admin-routes.js';

const REP = 'zhangwei';
const CUSTOMER = 'wmAbCdEfGhIjKlMnOpQrStUvWxYz0123';
const isMember = memberTest(new Set([REP, 'lina']));
const base = { msgid: 'm1', action: 'send', msgtime: 1_700_000_000_000 };

describe('archived messages made into what the product stores', () => {
  it('finds the conversation, the rep, the customer and the direction', () => {
    const m = fromArchive(
      { ...base, from: CUSTOMER, tolist: [REP], msgtype: 'text', text: { content: '在吗' } },
      7,
      isMember,
    );
    expect(m).toMatchObject({
      seq: 7,
      text: '在吗',
      direction: 'customer_to_rep',
      userId: REP,
      externalUserId: CUSTOMER,
      conversation: { key: `single:${REP}:${CUSTOMER}`, kind: 'single' },
    });
    const internal = fromArchive(
      { ...base, from: 'lina', tolist: [REP], msgtype: 'text', text: { content: '开会' } },
      8,
      isMember,
    );
    expect(internal).toMatchObject({
      direction: 'internal',
      conversation: { key: `internal:lina:${REP}`, kind: 'internal' },
    });
    const group = fromArchive(
      {
        ...base,
        msgid: 'g_external',
        from: REP,
        tolist: [CUSTOMER],
        roomid: 'wrRoom',
        msgtype: 'text',
        text: { content: '大家好' },
      },
      9,
      isMember,
    );
    expect(group).toMatchObject({
      direction: 'rep_to_customer',
      userId: REP,
      externalUserId: null,
      conversation: { key: 'group:wrRoom' },
    });
    // A member not mirrored yet is still a member: WeCom's external ids have their own shape.
    expect(memberTest(new Set())('newhire')).toBe(true);
    expect(memberTest(new Set())(CUSTOMER)).toBe(false);
  });

  it('reads every type, keeps unknown ones whole with a Chinese placeholder, and lists media to fetch', () => {
    const text = (msgtype: string, o: Record<string, unknown>) =>
      fromArchive({ ...base, from: CUSTOMER, tolist: [REP], msgtype, [msgtype]: o }, 1, isMember).text;
    expect(text('image', { sdkfileid: 'f', md5sum: 'ABC', filesize: 10 })).toBe('[图片]');
    expect(text('voice', { sdkfileid: 'f', play_length: 3 })).toBe('[语音] 3秒');
    expect(text('file', { filename: '报价单.pdf', sdkfileid: 'f' })).toBe('[文件] 报价单.pdf');
    expect(text('weapp', { title: '星河优选商城' })).toBe('[小程序] 星河优选商城');
    expect(text('card', { corpname: '星河', userid: 'zw' })).toBe('[名片] 星河 zw');
    expect(text('chatrecord', { title: '群聊的聊天记录', item: [] })).toBe('[聊天记录] 群聊的聊天记录');
    expect(text('agree', { userid: CUSTOMER })).toBe('[同意存档] 客户同意会话内容存档');
    const odd = fromArchive(
      { ...base, from: CUSTOMER, tolist: [REP], msgtype: 'hologram', payload: { x: 1 } },
      1,
      isMember,
    );
    expect(odd.text).toBe('[hologram消息] 暂不支持显示此类消息');
    expect(odd.content).toEqual({ payload: { x: 1 } });
    const image = fromArchive(
      {
        ...base,
        from: CUSTOMER,
        tolist: [REP],
        msgtype: 'image',
        image: { sdkfileid: 'F', md5sum: 'ABC', filesize: 10 },
      },
      1,
      isMember,
    );
    expect(image.media).toEqual([
      { position: 0, kind: 'image', sdkFileId: 'F', md5sum: 'abc', declaredSize: 10, name: '' },
    ]);
    const mixed = fromArchive(
      {
        ...base,
        from: CUSTOMER,
        tolist: [REP],
        msgtype: 'mixed',
        mixed: {
          item: [
            { type: 'text', content: JSON.stringify({ content: '看看这款：' }) },
            { type: 'image', content: JSON.stringify({ sdkfileid: 'G', md5sum: '', filesize: 5 }) },
          ],
        },
      },
      1,
      isMember,
    );
    expect(mixed.text).toBe('看看这款：[图片]');
    expect(mixed.media).toEqual([expect.objectContaining({ position: 1, kind: 'image', sdkFileId: 'G' })]);
  });

  it('takes recalls and consent records for what they do', () => {
    const revoke = fromArchive(
      { ...base, action: 'recall', from: REP, tolist: [CUSTOMER], msgtype: 'revoke', revoke: { pre_msgid: 'old' } },
      1,
      isMember,
    );
    expect(revoke.recalls).toBe('old');
    const disagree = fromArchive(
      {
        ...base,
        from: CUSTOMER,
        tolist: [REP],
        msgtype: 'disagree',
        disagree: { userid: CUSTOMER, disagree_time: 1_700_000_000 },
      },
      1,
      isMember,
    );
    expect(disagree.consent).toEqual({
      userId: REP,
      externalUserId: CUSTOMER,
      status: 'disagree',
      at: 1_700_000_000_000,
    });
    const sw = fromArchive({ msgid: 's', action: 'switch', time: 5, user: REP }, 1, isMember);
    expect(sw).toMatchObject({ type: 'switch', conversation: null, text: '[切换企业]', sentAt: 5 });
  });
});

describe('reconciling sidebar sends with their archived copies', () => {
  const sidebar = { id: 1, type: 'text', content: { content: '您好  在吗' }, sender: REP, sentAt: 1_000_000 };
  it('matches the same sender, type and content within the window', () => {
    expect(
      sameSend(sidebar, { ...sidebar, id: 2, content: { content: '您好 在吗' }, sentAt: 1_000_000 + 5 * 60_000 }),
    ).toBe(true);
    expect(sameSend(sidebar, { ...sidebar, id: 2, sentAt: 1_000_000 - 30_000 })).toBe(true);
    expect(sameSend(sidebar, { ...sidebar, id: 2, sentAt: 1_000_000 + 11 * 60_000 })).toBe(false);
    expect(sameSend(sidebar, { ...sidebar, id: 2, sender: 'lina' })).toBe(false);
    expect(sameSend(sidebar, { ...sidebar, id: 2, content: { content: '您好' } })).toBe(false);
    expect(contentKey('link', { link_url: 'https://a', title: 't' })).toBe('link:https://a');
    expect(contentKey('image', { mediaid: 'x' })).toBe(contentKey('image', { sdkfileid: 'y' }));
  });
});

describe('keyword rules', () => {
  const rule = compileRule({
    id: 1,
    words: ['加我微信', 'VIP'],
    patterns: ['\\d{3,}元'],
    direction: 'rep',
    scope: 'single',
  });
  const m = (text: string, direction = 'rep_to_customer', conversationKind = 'single') =>
    matchRule(rule, { text, direction: direction as never, conversationKind });
  it('matches words ignoring case and patterns, by direction and scope', () => {
    expect(m('你加我微信吧')).toBe('加我微信');
    expect(m('升级vip会员')).toBe('vip');
    expect(m('只要1999元')).toBe('1999元');
    expect(m('你加我微信吧', 'customer_to_rep')).toBeNull();
    expect(m('你加我微信吧', 'rep_to_customer', 'group')).toBeNull();
    expect(m('你加我微信吧', 'internal')).toBeNull();
  });
  it('refuses patterns that do not compile or backtrack exponentially', () => {
    expect(patternProblem('(a')).toContain('无效');
    expect(patternProblem('(a+)+$')).toContain('嵌套的重复');
    expect(patternProblem('(ab|cd)*x')).toBeNull();
    expect(patternProblem('\\d+元')).toBeNull();
  });
});

describe('CSV export cells', () => {
  it('quotes what needs quoting and defuses formulas', () => {
    expect(csvField('普通')).toBe('普通');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('-5')).toBe("'-5");
    expect(csvField(null)).toBe('');
  });
});

import { describe, expect, it } from 'vitest';
import { createSuggestionEngine } from '../../../server/modules/suggest/engine/index.js';
import { LIBRARY, NOW } from './library.js';

const engine = () => createSuggestionEngine({ scripts: LIBRARY });
const ids = (e: ReturnType<typeof engine>, ...messages: string[]) =>
  e.suggest({ messages, now: NOW }).map((s) => s.scriptId);

describe('suggestions', () => {
  it('proposes at most three scripts, best first, each with a score and a reason in Chinese', () => {
    const out = engine().suggest({ messages: ['你们包邮吗'], now: NOW });
    expect(out.length).toBeGreaterThan(0);
    expect(out.length).toBeLessThanOrEqual(3);
    expect(out[0]!.scriptId).toBe('ship');
    expect(out[0]!.reason).toContain('包邮');
    expect(out[0]!.reason).toMatch(/^匹配「/);
    for (let i = 1; i < out.length; i++) expect(out[i]!.score).toBeLessThanOrEqual(out[i - 1]!.score);
  });

  it('abstains on thanks, greetings, acknowledgements, emoji and chit-chat', () => {
    const e = engine();
    for (const text of [
      '谢谢',
      '好的',
      '在吗？',
      '收到，谢谢',
      '哈哈哈',
      '👍',
      '[微笑]',
      '嗯嗯好的',
      '晚安',
      '你吃饭了吗',
    ]) {
      expect(ids(e, text), text).toEqual([]);
    }
  });

  it('abstains on greetings jieba splits and on thanks with a form of address', () => {
    const e = engine();
    for (const text of ['晚上好', '下午好呀', '谢啦', '稍等一下', '谢谢老师', '好的亲', '辛苦王经理了', '晚安医生']) {
      expect(ids(e, text), text).toEqual([]);
    }
    // A form of address next to a topic word is no formula.
    expect(ids(e, '亲，包邮吗')[0]).toBe('ship');
  });

  it('asks more of a statement than of a question before proposing anything', () => {
    // Same topic words; the question needs half the threshold, the statement twice it.
    const e = createSuggestionEngine({ scripts: LIBRARY, options: { threshold: 0.5 } });
    expect(ids(e, '发票开好了吗')[0]).toBe('invoice');
    expect(ids(e, '发票开好了')).toEqual([]);
    // A complaint is no mere statement: it reports something to answer.
    expect(ids(createSuggestionEngine({ scripts: LIBRARY }), '手表连不上手机')[0]).toMatch(/^watch/);
  });

  it('asks much more of a statement that holds a social formula: it closes or defers the conversation', () => {
    const e = createSuggestionEngine({ scripts: LIBRARY, options: { threshold: 0.1 } });
    // The same topic word as a plain statement, a question, and a closing remark.
    expect(ids(e, '发票的事')[0]).toBe('invoice');
    expect(ids(e, '好的，发票的事吗')[0]).toBe('invoice');
    expect(ids(e, '发票的事我跟财务说')[0]).toBe('invoice');
    expect(ids(e, '好的，发票的事我跟财务说')).toEqual([]);
  });

  it('lets a word nobody used count through its character at the weight of a word: 卡 finds 卡顿', () => {
    const e = createSuggestionEngine({
      scripts: [
        ...LIBRARY,
        { id: 'lag', group: '技术支持', title: 'App使用问题', content: '出现卡顿请重启App，或者切换网络。' },
      ],
    });
    // 卡 is no word of any script (卡顿 is): as a mere character it would not pass the abstention gate.
    for (const text of ['卡了', '一直卡']) expect(ids(e, text)[0], text).toBe('lag');
  });

  it('gives the second and third places to scripts that match the rest of the message', () => {
    const e = createSuggestionEngine({
      scripts: [
        ...LIBRARY,
        { id: 'vacuum-photo', group: '产品介绍', title: '扫地机器人实拍图', content: '扫地机器人X9实拍图' },
        { id: 'vacuum-page', group: '产品介绍', title: '扫地机器人详情页', content: '扫地机器人X9商品详情页' },
        { id: 'repair', group: '售后', title: '故障排查', content: '如果机器开不了机，请先长按电源键10秒重启。' },
      ],
    });
    // Every 扫地机器人 script matches the product; only one matches 开不了机.
    const out = e.suggest({ messages: ['扫地机器人坏了开不了机'], now: NOW });
    expect(out.slice(0, 3).map((s) => s.scriptId)).toContain('repair');
    for (let i = 1; i < out.length; i++) expect(out[i]!.score).toBeLessThanOrEqual(out[i - 1]!.score);
  });

  it('abstains on a thanks even right after a real question', () => {
    expect(ids(engine(), '运费多少', '好的谢谢')).toEqual([]);
  });

  it('answers real questions, however they are typed', () => {
    const e = engine();
    expect(ids(e, '包邮吗')[0]).toBe('ship');
    // Two scripts are about 运费: both come first, whatever the spelling.
    expect(ids(e, '运费多少').slice(0, 2).sort()).toEqual(['ship', 'ship-insure']);
    expect(ids(e, '運費怎麼算').slice(0, 2).sort()).toEqual(['ship', 'ship-insure']);
    expect(ids(e, '运废多少呀😂').slice(0, 2).sort()).toEqual(['ship', 'ship-insure']);
    expect(ids(e, '什么时候发货')[0]).toBe('ship-time');
    expect(ids(e, '可以开发票吗')[0]).toBe('invoice');
  });

  it('uses the earlier messages: 那个多少钱 after a product question asks for that product’s price', () => {
    const e = engine();
    expect(ids(e, '扫地机器人能拖地吗', '那个多少钱')[0]).toBe('vacuum-price');
    expect(ids(e, '智能手表防水吗', '那个多少钱')[0]).toBe('watch-price');
    // The reason says the context was used.
    const out = e.suggest({ messages: ['扫地机器人能拖地吗', '那个多少钱'], now: NOW });
    expect(out[0]!.reason).toContain('结合上文');
  });

  it('lets the last message choose: the earlier topic alone does not bring its script back', () => {
    expect(ids(engine(), '扫地机器人能拖地吗', '你们门店在哪')[0]).toBe('store');
  });

  it('follows script additions, edits and deletions without a rebuild', () => {
    const e = engine();
    expect(ids(e, '能分期吗')).not.toContain('installment');
    e.upsertScript({ id: 'installment', group: '价格', title: '分期免息', content: '支持花呗和信用卡12期免息分期。' });
    expect(ids(e, '能分期吗')[0]).toBe('installment');
    e.removeScript('installment');
    expect(ids(e, '能分期吗')).not.toContain('installment');
  });
});

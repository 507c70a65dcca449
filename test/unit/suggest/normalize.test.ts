import { describe, expect, it } from 'vitest';
import { analyze, normalizeText, pinyinKey } from '../../../server/modules/suggest/engine/index.js';

describe('normalisation', () => {
  it('folds full-width forms and case', () => {
    expect(normalizeText('ＰＲＯ版　１２３？')).toBe('pro版 123?');
    expect(normalizeText('iPhone')).toBe('iphone');
  });

  it('maps traditional characters to simplified ones, but leaves simplified text alone', () => {
    expect(normalizeText('這個運費怎麼算')).toBe('这个运费怎么算');
    expect(normalizeText('什么时候发货')).toBe('什么时候发货');
  });

  it('drops emoji, WeChat emoticons and decoration', () => {
    expect(normalizeText('好的👌[捂脸]')).toBe('好的');
    expect(normalizeText('运费多少😂😂')).toBe('运费多少');
    expect(normalizeText('👍🏻👍🏻')).toBe('');
  });

  it('cuts runs of a repeated character or pair', () => {
    expect(normalizeText('哈哈哈哈哈哈')).toBe('哈哈');
    expect(normalizeText('在吗在吗在吗')).toBe('在吗');
    expect(normalizeText('多少钱？？？？')).toBe('多少钱?');
  });

  it('gives the toneless pinyin used to match homophone typos', () => {
    expect(pinyinKey('运费')).toBe('yun fei');
    expect(pinyinKey('运废')).toBe(pinyinKey('运费'));
  });
});

describe('asking cues', () => {
  it('tells questions, wishes and complaints from statements', () => {
    for (const text of [
      '包邮吗',
      '运费多少',
      '贵不贵',
      '能监测睡眠不',
      '出新品了没',
      '想换一个',
      '链接发我',
      '连不上网了',
      '我自己不会装',
      '按了没反应',
      '价格呢',
    ]) {
      expect(analyze(text, { query: true }).asking, text).toBe(true);
    }
    for (const text of ['刚下班，累死了', '滤芯红灯了', '不好意思刚才在忙', '好的呢', '我在开车，晚点说']) {
      expect(analyze(text, { query: true }).asking, text).toBe(false);
    }
  });

  it('notices a social formula in a message, but not a bare pronoun or particle', () => {
    for (const text of ['好的，我跟老板汇报一下', '行，那我晚点过去', '没事了，已经解决了', '哈哈哈孩子说很喜欢']) {
      expect(analyze(text, { query: true }).formulaic, text).toBe(true);
    }
    for (const text of ['滤芯红灯了', '我在成都', '运费多少啊']) {
      expect(analyze(text, { query: true }).formulaic, text).toBe(false);
    }
    // Scripts are not customer messages: their 好的 is an ordinary word.
    expect(analyze('好的，马上为您安排').formulaic).toBe(false);
  });
});

describe('segmentation', () => {
  it('keeps topic words and drops function words and social formulas from messages', () => {
    const a = analyze('你好，请问你们的运费怎么算啊', { query: true });
    expect(a.words).toContain('运费');
    for (const w of ['你好', '请问', '你们', '的', '啊']) expect(a.words).not.toContain(w);
    expect(a.intentless).toBe(false);
  });

  it('splits long words in search mode and adds character bigrams across word boundaries', () => {
    const a = analyze('扫地机器人能用花呗吗', { query: true });
    expect(a.words).toEqual(expect.arrayContaining(['扫地', '机器人']));
    expect(a.bigrams).toContain('b:花呗');
  });

  it('finds no intent in thanks, greetings, acknowledgements, laughter or emoji', () => {
    for (const text of [
      '谢谢',
      '好的，谢谢',
      '在吗',
      '嗯嗯',
      '收到',
      '哈哈哈哈',
      '👍👍',
      '[OK]',
      '好的👌',
      'ok',
      '没问题',
      '。。。',
    ]) {
      expect(analyze(text, { query: true }).intentless, text).toBe(true);
    }
    // Formulas jieba cuts in two (晚上|好, 谢|啦) or keeps with a function word (稍等一下), and thanks with a form
    // of address.
    for (const text of ['晚上好', '下午好', '谢啦', '稍等一下', '谢谢老师', '好的亲', '谢谢王经理']) {
      expect(analyze(text, { query: true }).intentless, text).toBe(true);
    }
    expect(analyze('老师是什么学历', { query: true }).words).toContain('老师');
    expect(analyze('运费多少', { query: true }).intentless).toBe(false);
    expect(analyze('好的，那什么时候发货', { query: true }).intentless).toBe(false);
  });
});

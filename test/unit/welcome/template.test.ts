import { describe, expect, it } from 'vitest';
import {
  MAX_WELCOME_TEXT_BYTES,
  renderWelcomeText,
  sanitizeName,
  truncateUtf8,
} from '../../../server/modules/welcome/template.js';

const render = (t: string, customerName: string, repName = '张伟') => renderWelcomeText(t, { customerName, repName });

describe('renderWelcomeText', () => {
  it('fills both placeholders, every occurrence', () => {
    expect(render('{客户昵称}您好，我是{员工姓名}。{客户昵称}，有事找{员工姓名}', '小李')).toBe(
      '小李您好，我是张伟。小李，有事找张伟',
    );
  });

  it('is one pass: a name that looks like a placeholder stays literal', () => {
    expect(render('你好{客户昵称}，我是{员工姓名}', '{员工姓名}')).toBe('你好{员工姓名}，我是张伟');
    expect(render('你好{客户昵称}', '{客户昵称}{客户昵称}')).toBe('你好{客户昵称}{客户昵称}');
  });

  it('never interprets replacement patterns', () => {
    expect(render('[{客户昵称}]', "$& $' $` $1 $$")).toBe("[$& $' $` $1 $$]");
  });

  it('leaves unknown and malformed placeholders alone', () => {
    expect(render('{客户} {员工姓名 } {{客户昵称}} {客户昵称', '甲')).toBe('{客户} {员工姓名 } {甲} {客户昵称');
  });

  it('removes control, zero-width and bidi characters and folds whitespace in names', () => {
    expect(render('[{客户昵称}]', ' 王\u0000五\r\n\t\u200b六\u202e七\ufeff ')).toBe('[王 五 六 七]');
    expect(sanitizeName('\u202e\u2066')).toBe('');
  });

  it('an empty name leaves a natural sentence', () => {
    expect(render('{客户昵称}您好，我是{员工姓名}', '', '')).toBe('您好，我是');
  });

  it('cuts very long names to 64 characters', () => {
    expect(render('{客户昵称}', '名'.repeat(500))).toBe('名'.repeat(64));
  });

  it("keeps the result within WeCom's 4000 bytes without splitting a character", () => {
    const text = render('😀'.repeat(999) + '{客户昵称}', '名'.repeat(64));
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(MAX_WELCOME_TEXT_BYTES);
    expect(text).not.toContain('\ufffd');
    expect(text.endsWith('名')).toBe(true);
  });
});

describe('truncateUtf8', () => {
  it('keeps short text and cuts at a character boundary', () => {
    expect(truncateUtf8('abc', 10)).toBe('abc');
    expect(truncateUtf8('中文字', 7)).toBe('中文');
    expect(truncateUtf8('a😀b', 4)).toBe('a');
  });
});

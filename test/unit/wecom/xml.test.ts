import { describe, it, expect } from 'vitest';
import { buildXml, cdata, parseXml, WecomXmlError } from '../../../server/wecom/xml.js';

describe('parseXml', () => {
  it('keeps every value a string: State "00123", 64-bit ids, CreateTime', () => {
    const fields = parseXml(
      '<xml><State><![CDATA[00123]]></State><Plain>00123</Plain><MsgId>4561255354251345929</MsgId><CreateTime>1403610513</CreateTime></xml>',
    );
    expect(fields).toEqual({ State: '00123', Plain: '00123', MsgId: '4561255354251345929', CreateTime: '1403610513' });
  });

  it('unwraps CDATA verbatim (whitespace and markup inside it survive) and decodes entities outside it', () => {
    const fields = parseXml('<xml>\n  <Content><![CDATA[  a <b> &amp; ]]></Content>\n  <Text>a &amp; b</Text>\n</xml>');
    expect(fields).toEqual({ Content: '  a <b> &amp; ', Text: 'a & b' });
  });

  it('turns <Item> lists into arrays, even with one item, and empty elements into ""', () => {
    const fields = parseXml(
      '<xml><Two><Item>Jack</Item><Item><![CDATA[Rose]]></Item></Two><One><Item>Jack</Item></One><Empty></Empty><Self/></xml>',
    );
    expect(fields).toEqual({ Two: { Item: ['Jack', 'Rose'] }, One: { Item: ['Jack'] }, Empty: '', Self: '' });
  });

  it('gives the same answer on the flat fast path as the full parser, and never touches prototypes', () => {
    const flat =
      '<xml><ToUserName><![CDATA[ww1]]></ToUserName>\n <CreateTime> 1403610513 </CreateTime><Empty></Empty></xml>';
    // Adding a self-closing element forces the full parser for the same content.
    const full = flat.replace('</xml>', '<Self/></xml>');
    expect(parseXml(flat)).toEqual({ ToUserName: 'ww1', CreateTime: '1403610513', Empty: '' });
    expect(parseXml(full)).toEqual({ ...parseXml(flat), Self: '' });
    // A prototype-touching name leaves the fast path, and the full parser refuses it.
    expect(() => parseXml('<xml><__proto__><![CDATA[x]]></__proto__><A>1</A></xml>')).toThrow(WecomXmlError);
    expect(({} as Record<string, unknown>).A).toBeUndefined();
  });

  it('answers tricky documents on the fast path exactly as the full parser does (or refuses them alike)', () => {
    const docs = [
      '<xml><A>1</A><B><![CDATA[<b>&amp;</b>]]></B></xml>',
      '<xml>\r\n\t<A.b-c_1>中文 值</A.b-c_1>\n</xml>\n',
      '<xml><A>a &amp; b</A></xml>',
      '<xml><A><![CDATA[x]]>tail</A></xml>',
      '<xml><A>1</B></xml>',
      '<xml><A>1</A>',
      '<xml><A>1</A></xml><extra/>',
      '<xml><A>1</A ></xml>',
      '<xml><1A>1</1A></xml>',
      '<xml><A>1</A><A>2</A></xml>',
      '<xml><A><![CDATA[a]]]]><![CDATA[>b]]></A></xml>',
    ];
    const viaFullParser = (doc: string) => {
      // A self-closing element is never on the fast path, so the same content goes through the validator + parser.
      const forced = doc.replace(/<\/xml>(?![\s\S]*<\/xml>)/, '<Forced/></xml>');
      const fields = parseXml(forced);
      delete fields['Forced'];
      return fields;
    };
    for (const doc of docs) {
      let fast: unknown;
      let full: unknown;
      try {
        fast = parseXml(doc);
      } catch (err) {
        fast = err instanceof WecomXmlError ? 'refused' : err;
      }
      try {
        full = viaFullParser(doc);
      } catch (err) {
        full = err instanceof WecomXmlError ? 'refused' : err;
      }
      expect({ doc, result: fast }).toEqual({ doc, result: full });
    }
  });

  it('accepts an XML declaration and an empty root', () => {
    expect(parseXml('<?xml version="1.0" encoding="UTF-8"?><xml><A>1</A></xml>')).toEqual({ A: '1' });
    expect(parseXml('<xml></xml>')).toEqual({});
  });

  it.each([
    ['unclosed element', '<xml><A>1</xml>'],
    ['not XML at all', 'hello'],
    ['JSON', '{"errcode":0}'],
    ['empty', ''],
    ['whitespace', '  \n'],
    ['wrong root', '<root><A>1</A></root>'],
    ['two roots', '<xml><A>1</A></xml><xml><B>2</B></xml>'],
    ['text-only root', '<xml>just text</xml>'],
    ['DOCTYPE', '<!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><A>&a;</A></xml>'],
  ])('throws WecomXmlError for %s', (_name, xml) => {
    expect(() => parseXml(xml)).toThrow(WecomXmlError);
  });
});

describe('buildXml', () => {
  it('writes strings in CDATA, numbers bare, arrays as <Item>, skips undefined', () => {
    expect(
      buildXml({
        ToUserName: 'corp',
        CreateTime: 1403610513,
        State: '00123',
        MemChangeList: ['Jack', 'Rose'],
        Skip: undefined,
      }),
    ).toBe(
      '<xml><ToUserName><![CDATA[corp]]></ToUserName><CreateTime>1403610513</CreateTime><State><![CDATA[00123]]></State><MemChangeList><Item><![CDATA[Jack]]></Item><Item><![CDATA[Rose]]></Item></MemChangeList></xml>',
    );
  });

  it('round-trips through parseXml, including "]]>" and markup in text', () => {
    const fields = { Content: 'a ]]> b <c> & 你好', Empty: '', List: ['x]]>y'], N: 7 };
    expect(parseXml(buildXml(fields))).toEqual({
      Content: 'a ]]> b <c> & 你好',
      Empty: '',
      List: { Item: ['x]]>y'] },
      N: '7',
    });
    expect(cdata(']]>')).toBe('<![CDATA[]]]]><![CDATA[>]]>');
  });

  it('refuses invalid element names and non-finite numbers', () => {
    expect(() => buildXml({ 'bad name': 'x' })).toThrow(WecomXmlError);
    expect(() => buildXml({ '<x>': 'x' })).toThrow(WecomXmlError);
    expect(() => buildXml({ N: Number.NaN })).toThrow(WecomXmlError);
  });
});

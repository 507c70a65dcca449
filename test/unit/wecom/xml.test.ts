import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterEach, describe, it, expect, vi } from 'vitest';
import {
  buildXml,
  cdata,
  FLAT_MAX_FIELDS,
  FLAT_MAX_ITEMS,
  FULL_PARSE_MAX_CHARS,
  FULL_PARSE_MAX_MARKUP,
  parseXml,
  scanEnvelopeEncrypt,
  WecomXmlError,
} from '../../../server/wecom/xml.js';
import { vectorA } from './vectors.js';

/** Call-through spies on fast-xml-parser's validator and parser: what reached the full parser, and how big. */
function spyFullParser() {
  const validate = vi.spyOn(XMLValidator, 'validate');
  const parse = vi.spyOn(XMLParser.prototype, 'parse');
  return { validate, parse, calls: () => validate.mock.calls.length + parse.mock.calls.length };
}

afterEach(() => {
  vi.restoreAllMocks();
});

const LIMIT = 256 * 1024;
const PROBE = `<xml>${'<A>1</A>'.repeat(32632)}<Encrypt>x</Encrypt></xml>`;

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
      '<xml><L><Item>Jack</Item><Item><![CDATA[Rose]]></Item></L></xml>',
      '<xml><L>\n  <Item> Jack </Item>\n  <Item><![CDATA[ Rose ]]></Item>\n</L><B>1</B></xml>',
      '<xml><L><Item></Item></L></xml>',
      '<xml><L><![CDATA[]]><Item>a</Item></L></xml>',
      '<xml><L>x<Item>a</Item></L></xml>',
      '<xml><L><Item>a</Item>x</L></xml>',
      '<xml><L><Item>a</Item><Foo>b</Foo></L></xml>',
      '<xml><L><Item>a &amp; b</Item></L></xml>',
      '<xml><L><Item>a</Item></L><L><Item>b</Item></L></xml>',
      '<xml><L><Item>a</Item></xml>',
      '<xml><Item>a</Item></xml>',
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

  it('reads a MemChangeList of 2,000 members on the fast path, without the full parser', () => {
    const members = Array.from({ length: 2000 }, (_, i) => `wm${i}`);
    const spy = spyFullParser();
    const fields = parseXml(buildXml({ ChatId: 'wr1', MemChangeList: members }));
    expect(fields).toEqual({ ChatId: 'wr1', MemChangeList: { Item: members } });
    expect(spy.calls()).toBe(0);
  });

  it('never hands the full parser a large or markup-heavy document: refused before it is called', () => {
    const spy = spyFullParser();
    const refused = [
      // The outside probe's shape, as a decrypted message: 32,632 repeated elements (~105 ms in the full parser).
      PROBE,
      `<xml>${'<a>'.repeat(30_000)}${'</a>'.repeat(30_000)}</xml>`,
      `<xml><A ${'a="1" '.repeat(40_000)}>1</A></xml>`,
      `<xml><A>${'&amp;'.repeat(50_000)}</A></xml>`,
      `<xml>${'<?a b?>'.repeat(30_000)}</xml>`,
      `<xml>${'<A/>'.repeat(FULL_PARSE_MAX_MARKUP)}</xml>`, // small, but one tag too many
      'x'.repeat(FULL_PARSE_MAX_CHARS + 1),
    ];
    for (const xml of refused) {
      expect(() => parseXml(xml), xml.slice(0, 40)).toThrow(WecomXmlError);
    }
    expect(spy.calls()).toBe(0);
  });

  it('refuses more fields or list items than any WeCom event has, on the fast path', () => {
    const spy = spyFullParser();
    const fields = Array.from({ length: FLAT_MAX_FIELDS + 1 }, (_, i) => `<F${i}>1</F${i}>`).join('');
    expect(() => parseXml(`<xml>${fields}</xml>`)).toThrow(`more than ${FLAT_MAX_FIELDS} elements`);
    const items = '<Item>x</Item>'.repeat(FLAT_MAX_ITEMS + 1);
    expect(() => parseXml(`<xml><L>${items}</L></xml>`)).toThrow(`more than ${FLAT_MAX_ITEMS} list items`);
    expect(spy.calls()).toBe(0);
    // At the bounds they are read.
    const atBound = Array.from({ length: FLAT_MAX_FIELDS }, (_, i) => `<F${i}>1</F${i}>`).join('');
    expect(Object.keys(parseXml(`<xml>${atBound}</xml>`))).toHaveLength(FLAT_MAX_FIELDS);
    expect(parseXml(`<xml><L>${'<Item>x</Item>'.repeat(FLAT_MAX_ITEMS)}</L></xml>`)).toEqual({
      L: { Item: Array(FLAT_MAX_ITEMS).fill('x') },
    });
  });

  it('still parses odd but small documents with the full parser, up to its bounds', () => {
    const spy = spyFullParser();
    const tags = FULL_PARSE_MAX_MARKUP - 2; // <xml> and </xml> are tags too
    expect(parseXml(`<xml>${'<A/>'.repeat(tags)}</xml>`)).toEqual({ A: Array(tags).fill('') });
    expect(spy.calls()).toBeGreaterThan(0);
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

describe('scanEnvelopeEncrypt', () => {
  it("takes the <Encrypt> text of WeCom's envelope (official vector A), in CDATA or not", () => {
    expect(scanEnvelopeEncrypt(vectorA.post.body)).toBe(vectorA.post.encrypt);
    expect(scanEnvelopeEncrypt('<xml><Encrypt> abc+/= </Encrypt></xml>')).toBe('abc+/=');
    expect(scanEnvelopeEncrypt('\n<xml>\n<Encrypt>\n  <![CDATA[abc]]>\n</Encrypt>\n</xml>\n')).toBe('abc');
  });

  it('reads bytes as they came: nothing but the value is decoded, so invalid UTF-8 around it costs nothing', () => {
    const body = Buffer.concat([
      Buffer.from('<xml><ToUserName>'),
      Buffer.alloc(1000, 0xff),
      Buffer.from('</ToUserName><Encrypt><![CDATA[abc]]></Encrypt></xml>'),
    ]);
    expect(scanEnvelopeEncrypt(body)).toBe('abc');
    expect(scanEnvelopeEncrypt(new Uint8Array(body))).toBe('abc');
    // A byte outside ASCII in the value stays one character, and the signature over it then fails.
    expect(
      scanEnvelopeEncrypt(Buffer.from([...Buffer.from('<xml><Encrypt>a'), 0xe9, ...Buffer.from('</Encrypt></xml>')])),
    ).toBe('a\u00e9');
  });

  it.each([
    ['empty', ''],
    ['whitespace', ' \r\n'],
    ['no <xml> root', '<root><Encrypt>a</Encrypt></root>'],
    ['JSON', '{"Encrypt":"a"}'],
    ['a DOCTYPE before the root', '<!DOCTYPE xml [<!ENTITY e "a">]><xml><Encrypt>&e;</Encrypt></xml>'],
    ['an unclosed root', '<xml><Encrypt>a</Encrypt>'],
    ['no <Encrypt>', '<xml><ToUserName>a</ToUserName></xml>'],
    ['two <Encrypt>', '<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>'],
    ['a second <Encrypt> hidden in CDATA', '<xml><A><![CDATA[<Encrypt>a</Encrypt>]]></A><Encrypt>b</Encrypt></xml>'],
    ['a second <Encrypt> in a comment', '<xml><!-- <Encrypt>a</Encrypt> --><Encrypt>b</Encrypt></xml>'],
    ['attributes on <Encrypt>', '<xml><Encrypt x="1">a</Encrypt></xml>'],
    ['a self-closing <Encrypt/>', '<xml><Encrypt/></xml>'],
    ['an empty <Encrypt>', '<xml><Encrypt></Encrypt></xml>'],
    ['an empty CDATA', '<xml><Encrypt><![CDATA[]]></Encrypt></xml>'],
    ['an unterminated CDATA', '<xml><Encrypt><![CDATA[abc</Encrypt></xml>'],
    ['text after the CDATA', '<xml><Encrypt><![CDATA[a]]>b</Encrypt></xml>'],
    ['two CDATA sections', '<xml><Encrypt><![CDATA[a]]><![CDATA[b]]></Encrypt></xml>'],
    ['a "]" in the CDATA', '<xml><Encrypt><![CDATA[a]]]></Encrypt></xml>'],
    [
      'a CDATA of "]]" (a slow search for "]]>" once)',
      `<xml><Encrypt><![CDATA[${']]'.repeat(100_000)}]]></Encrypt></xml>`,
    ],
    ['an element inside <Encrypt>', '<xml><Encrypt>a<b/></Encrypt></xml>'],
    ['an entity reference', '<xml><Encrypt>a&#43;b</Encrypt></xml>'],
    ['<Encrypt> closing after the root', '<xml><Encrypt>a</xml></Encrypt></xml>'],
  ])('refuses %s with WecomXmlError', (_name, body) => {
    expect(() => scanEnvelopeEncrypt(body)).toThrow(WecomXmlError);
  });

  it('never calls the XML validator or parser, whatever the body (the probe, nesting, DTDs, attributes, bytes)', () => {
    const spy = spyFullParser();
    const bodies = [
      PROBE,
      `<xml>${'<a>'.repeat(37_000)}<Encrypt>x</Encrypt>${'</a>'.repeat(37_000)}</xml>`,
      `<xml><!DOCTYPE x [${'<!ENTITY a "&a;&a;">'.repeat(10_000)}]><Encrypt>x</Encrypt></xml>`,
      `<xml><A ${'a="1" '.repeat(40_000)}>1</A><Encrypt>x</Encrypt></xml>`,
      `<xml>${'<Encrypt>x</Encrypt>'.repeat(13_000)}</xml>`,
      `<xml>${'<'.repeat(LIMIT)}<Encrypt>x</Encrypt></xml>`,
      `<xml><A><![CDATA[${'x'.repeat(LIMIT)}]]></A><Encrypt>x</Encrypt></xml>`,
      Buffer.from(Array.from({ length: LIMIT }, (_, i) => (i * 7919) % 256)).toString('latin1'),
    ];
    const outcomes = bodies.map((body) => {
      try {
        return scanEnvelopeEncrypt(body);
      } catch (err) {
        return err instanceof WecomXmlError ? 'refused' : err;
      }
    });
    expect(outcomes).toEqual(['x', 'x', 'x', 'x', 'refused', 'x', 'x', 'refused']);
    expect(spy.calls()).toBe(0);
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

/**
 * The XML dialect of WeCom callbacks: one `<xml>` root, flat elements, strings mostly in CDATA, lists as `<Item>`.
 *
 * Every value stays a string (`parseTagValue: false`): `State` "00123" and 64-bit `MsgId`s must survive untouched;
 * the few numeric fields are converted deliberately by whoever reads them.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export class WecomXmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WecomXmlError';
  }
}

const parser = new XMLParser({
  parseTagValue: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // List elements are always arrays, so a one-member MemChangeList looks like a ten-member one.
  isArray: (tagName) => tagName === 'Item',
});

/**
 * Parses a WeCom XML document and returns the content of its `<xml>` root. CDATA is unwrapped, values are strings,
 * nested elements are objects (`<Item>` lists are arrays). Throws WecomXmlError on anything else.
 */
export function parseXml(xml: string): Record<string, unknown> {
  if (typeof xml !== 'string' || skipSpace(xml, 0) === xml.length) throw new WecomXmlError('XML body is empty');
  const flat = parseFlat(xml);
  if (flat) return flat;
  // WeCom never sends a DTD; refusing it rules out entity-expansion and external-entity tricks up front.
  if (/<!DOCTYPE/i.test(xml)) throw new WecomXmlError('XML with a DOCTYPE is not accepted');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new WecomXmlError(`malformed XML: ${valid.err.msg} (line ${valid.err.line})`);

  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch (err) {
    throw new WecomXmlError(`malformed XML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const roots = doc && typeof doc === 'object' ? Object.keys(doc) : [];
  if (roots.length !== 1 || roots[0] !== 'xml') {
    throw new WecomXmlError(
      `expected a single <xml> root element, got ${roots.map((r) => `<${r}>`).join(', ') || 'none'}`,
    );
  }
  const root = (doc as { xml: unknown }).xml;
  if (root === '' || root === undefined) return {};
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new WecomXmlError('<xml> root must contain elements');
  }
  return root as Record<string, unknown>;
}

const CDATA_OPEN = '<![CDATA[';

/** Index of the first character at or after `at` that is not XML whitespace (space, tab, CR, LF). */
function skipSpace(xml: string, at: number): number {
  for (;;) {
    const c = xml.charCodeAt(at);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return at;
    at++;
  }
}

/** End of an element name `[A-Za-z_][A-Za-z0-9_.-]*` starting at `at` (-1 when none starts there). */
function nameEndAt(xml: string, at: number): number {
  const first = xml.charCodeAt(at);
  if (!(((first | 0x20) >= 0x61 && (first | 0x20) <= 0x7a) || first === 0x5f)) return -1;
  for (let i = at + 1; ; i++) {
    const c = xml.charCodeAt(i);
    const letter = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
    if (!letter && !(c >= 0x30 && c <= 0x39) && c !== 0x5f && c !== 0x2e && c !== 0x2d) return i;
  }
}

/**
 * Fast path for the shape nearly every callback has (the envelope, customer-contact events): `<xml>` holding
 * flat elements `<Name>value</Name>` whose value is one CDATA section or plain text without markup or entities.
 * The whole document must have that shape, else null and the full validator + parser decide, so the answer is
 * the same, only cheaper: the callback endpoint is a hot path, and a scan with indexOf costs a fraction of a
 * regular expression with a back-reference.
 */
function parseFlat(xml: string): Record<string, unknown> | null {
  let at = skipSpace(xml, 0);
  if (!xml.startsWith('<xml>', at)) return null;
  at += 5;
  const fields: Record<string, unknown> = {};
  for (;;) {
    at = skipSpace(xml, at);
    if (xml.charCodeAt(at) !== 0x3c /* < */) return null;
    if (xml.startsWith('</xml>', at)) return skipSpace(xml, at + 6) === xml.length ? fields : null;
    const nameEnd = nameEndAt(xml, at + 1);
    if (nameEnd < 0 || xml.charCodeAt(nameEnd) !== 0x3e /* > */) return null;
    const name = xml.slice(at + 1, nameEnd);
    let value: string;
    let valueEnd: number;
    if (xml.startsWith(CDATA_OPEN, nameEnd + 1)) {
      const cdataEnd = xml.indexOf(']]>', nameEnd + 1 + CDATA_OPEN.length);
      if (cdataEnd < 0) return null;
      value = xml.slice(nameEnd + 1 + CDATA_OPEN.length, cdataEnd);
      valueEnd = cdataEnd + 3;
    } else {
      valueEnd = xml.indexOf('<', nameEnd + 1);
      if (valueEnd < 0) return null;
      value = xml.slice(nameEnd + 1, valueEnd);
      if (value.includes('&') || value.includes('>')) return null;
      value = value.trim();
    }
    // The element must close right there: `</Name>`.
    if (xml.charCodeAt(valueEnd + 1) !== 0x2f /* / */ || !xml.startsWith(name, valueEnd + 2)) return null;
    if (xml.charCodeAt(valueEnd) !== 0x3c || xml.charCodeAt(valueEnd + 2 + name.length) !== 0x3e) return null;
    // A repeated element or a name that could touch the prototype: the full parser decides.
    if (Object.hasOwn(fields, name) || name === '__proto__' || name === 'constructor') return null;
    fields[name] = value;
    at = valueEnd + 3 + name.length;
  }
}

/** Wraps text in CDATA; a literal `]]>` is split across two sections, the standard escape. */
export function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

const ELEMENT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Builds a WeCom-style `<xml>` document, in the order of `fields`: strings in CDATA, numbers bare (as WeCom writes
 * `CreateTime`), arrays as `<Item>` children (e.g. `MemChangeList`). `undefined` values are left out, so optional
 * fields can be passed through directly.
 */
export function buildXml(fields: Record<string, string | number | string[] | undefined>): string {
  let out = '<xml>';
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (!ELEMENT_NAME.test(name)) throw new WecomXmlError(`invalid XML element name: ${name}`);
    let inner: string;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new WecomXmlError(`element ${name} must be a finite number`);
      inner = String(value);
    } else if (Array.isArray(value)) {
      inner = value.map((item) => `<Item>${cdata(item)}</Item>`).join('');
    } else {
      inner = cdata(value);
    }
    out += `<${name}>${inner}</${name}>`;
  }
  return `${out}</xml>`;
}

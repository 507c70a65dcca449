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
 * The full validator + parser (fast-xml-parser) costs ~3 µs per element and up to ~0.2 µs per character on the
 * benchmark machine: 30,000 repeated elements (256 KB) took ~105 ms. Everything WeCom sends takes the linear fast
 * path below, so the full parser only ever sees the odd document, and only a small one: with these bounds it stays
 * under ~2 ms whatever the shape (attributes, entities, nesting, processing instructions).
 */
export const FULL_PARSE_MAX_CHARS = 16 * 1024;
export const FULL_PARSE_MAX_MARKUP = 512;

/**
 * Bounds of the fast path, at or above anything WeCom sends (an event has ~10 fields; a MemChangeList names the
 * members of one change, and a group holds at most 2,000): a decrypted document is trusted to come from WeCom, not to
 * be small, and 15,000 distinct fields took ~15 ms to build, 5,000 list items ~1 ms on a busy machine.
 */
export const FLAT_MAX_FIELDS = 256;
export const FLAT_MAX_ITEMS = 2000;

/**
 * Parses a WeCom XML document and returns the content of its `<xml>` root. CDATA is unwrapped, values are strings,
 * nested elements are objects (`<Item>` lists are arrays). Throws WecomXmlError on anything else.
 *
 * Only for input whose sender is known (a decrypted callback, an API answer): a callback envelope, which anyone can
 * post, is read with scanEnvelopeEncrypt and never parsed.
 */
export function parseXml(xml: string): Record<string, unknown> {
  if (typeof xml !== 'string' || skipSpace(xml, 0) === xml.length) throw new WecomXmlError('XML body is empty');
  const flat = parseFlat(xml);
  if (flat) return flat;
  if (xml.length > FULL_PARSE_MAX_CHARS) {
    throw new WecomXmlError(`XML of this shape is accepted up to ${FULL_PARSE_MAX_CHARS} characters`);
  }
  if (exceedsMarkup(xml, FULL_PARSE_MAX_MARKUP)) {
    throw new WecomXmlError(`XML of this shape is accepted with up to ${FULL_PARSE_MAX_MARKUP} tags`);
  }
  // WeCom never sends a DTD; refusing it rules out entity-expansion and external-entity tricks up front.
  if (/<!DOCTYPE/i.test(xml)) throw new WecomXmlError('XML with a DOCTYPE is not accepted');
  return parseFull(xml);
}

/** The validator + parser; parseXml bounds what reaches it. */
function parseFull(xml: string): Record<string, unknown> {
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

/** True when `xml` holds more than `max` '<' characters; stops counting there. */
function exceedsMarkup(xml: string, max: number): boolean {
  let count = 0;
  for (let at = xml.indexOf('<'); at >= 0; at = xml.indexOf('<', at + 1)) {
    if (++count > max) return true;
  }
  return false;
}

const CDATA_OPEN = '<![CDATA[';

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Index of the first character at or after `at` that is not XML whitespace (space, tab, CR, LF). */
function skipSpace(xml: string, at: number): number {
  while (isSpace(xml.charCodeAt(at))) at++;
  return at;
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

/** Where the last readText stopped: the '<' of the markup after the value (a module variable: no object per value). */
let textEnd = 0;

/**
 * A value at `at`: one CDATA section (verbatim) or plain text without markup or entities (trimmed, as the full parser
 * trims). Null for anything else. Sets textEnd.
 */
function readText(xml: string, at: number): string | null {
  if (xml.startsWith(CDATA_OPEN, at)) {
    const cdataEnd = xml.indexOf(']]>', at + CDATA_OPEN.length);
    if (cdataEnd < 0) return null;
    textEnd = cdataEnd + 3;
    return xml.slice(at + CDATA_OPEN.length, cdataEnd);
  }
  const end = xml.indexOf('<', at);
  if (end < 0) return null;
  const value = xml.slice(at, end);
  if (value.includes('&') || value.includes('>')) return null;
  textEnd = end;
  return value.trim();
}

/** True when `</name>` starts at `at`. */
function closesAt(xml: string, at: number, name: string): boolean {
  return (
    xml.charCodeAt(at) === 0x3c &&
    xml.charCodeAt(at + 1) === 0x2f /* / */ &&
    xml.startsWith(name, at + 2) &&
    xml.charCodeAt(at + 2 + name.length) === 0x3e /* > */
  );
}

/** `<Item>`s read so far in the document parseFlat is reading. */
let itemCount = 0;

const ITEM_OPEN = '<Item>';
const ITEM_CLOSE = '</Item>';

/**
 * Fast path for the shape every callback has (the envelope, customer-contact and chat events): `<xml>` holding
 * elements `<Name>value</Name>` whose value is one CDATA section or plain text without markup or entities, or a list
 * of such `<Item>`s (`MemChangeList`). The whole document must have that shape, else null and the full validator +
 * parser decide, so the answer is the same, only cheaper: a scan with indexOf, linear in the length, costs a fraction
 * of a regular expression with a back-reference and nothing like the full parser.
 */
function parseFlat(xml: string): Record<string, unknown> | null {
  let at = skipSpace(xml, 0);
  if (!xml.startsWith('<xml>', at)) return null;
  at += 5;
  const fields: Record<string, unknown> = {};
  let fieldCount = 0;
  itemCount = 0;
  for (;;) {
    at = skipSpace(xml, at);
    if (xml.charCodeAt(at) !== 0x3c /* < */) return null;
    if (xml.startsWith('</xml>', at)) return skipSpace(xml, at + 6) === xml.length ? fields : null;
    if (++fieldCount > FLAT_MAX_FIELDS) throw new WecomXmlError(`XML with more than ${FLAT_MAX_FIELDS} elements`);
    const nameEnd = nameEndAt(xml, at + 1);
    if (nameEnd < 0 || xml.charCodeAt(nameEnd) !== 0x3e /* > */) return null;
    const name = xml.slice(at + 1, nameEnd);
    // A repeated element, a top-level <Item> (always an array) or a name that could touch the prototype: the full
    // parser decides.
    if (Object.hasOwn(fields, name) || name === 'Item' || name === '__proto__' || name === 'constructor') return null;
    let value: unknown = readText(xml, nameEnd + 1);
    if (value === null) return null;
    if (value === '' && xml.startsWith(ITEM_OPEN, textEnd) && !xml.startsWith(CDATA_OPEN, nameEnd + 1)) {
      value = readItems(xml, textEnd);
      if (value === null) return null;
    }
    // The element must close right there: `</Name>`.
    if (!closesAt(xml, textEnd, name)) return null;
    fields[name] = value;
    at = textEnd + 3 + name.length;
  }
}

/** `<Item>value</Item>…` from `at` (whitespace between items allowed) as `{ Item: [...] }`; null for anything else. */
function readItems(xml: string, at: number): { Item: string[] } | null {
  const items: string[] = [];
  while (xml.startsWith(ITEM_OPEN, at)) {
    if (++itemCount > FLAT_MAX_ITEMS) throw new WecomXmlError(`XML with more than ${FLAT_MAX_ITEMS} list items`);
    const value = readText(xml, at + ITEM_OPEN.length);
    if (value === null || !xml.startsWith(ITEM_CLOSE, textEnd)) return null;
    items.push(value);
    at = skipSpace(xml, textEnd + ITEM_CLOSE.length);
  }
  textEnd = at;
  return { Item: items };
}

const bytesOf = (text: string) => Buffer.from(text, 'latin1');
const XML_OPEN_BYTES = bytesOf('<xml>');
const XML_CLOSE_BYTES = bytesOf('</xml>');
const ENCRYPT_TAG_BYTES = bytesOf('<Encrypt');
const ENCRYPT_CLOSE_BYTES = bytesOf('</Encrypt>');
const CDATA_OPEN_BYTES = bytesOf(CDATA_OPEN);
const CDATA_CLOSE_BYTES = bytesOf(']]>');

function isSpaceByte(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

function skipSpaceBytes(bytes: Buffer, at: number): number {
  while (isSpaceByte(bytes[at])) at++;
  return at;
}

/** True when `needle` sits in `bytes` at `at` (a loop: cheaper than a native call for a few bytes). */
function bytesAt(bytes: Buffer, needle: Buffer, at: number): boolean {
  if (at < 0 || at + needle.length > bytes.length) return false;
  for (let i = 0; i < needle.length; i++) if (bytes[at + i] !== needle[i]) return false;
  return true;
}

/**
 * The `<Encrypt>` text of a callback envelope, found by a bounded scan of its bytes: the envelope is never parsed,
 * nor even decoded.
 *
 * Anyone can post an envelope, and WeCom's signature covers only this text: the rest of it (ToUserName, AgentID) is
 * unauthenticated and unused. So before the signature is checked nothing else is read, and the scan is a constant
 * number of native byte searches with no work per element: the root must be `<xml>…</xml>`, `<Encrypt` must occur
 * exactly once (a second one is ambiguous, wherever it hides), and its value must be one CDATA section or plain text.
 * A body of 30,000 elements costs what 3 do, and only the value becomes a string (Latin-1: base64 is ASCII, and any
 * other byte only makes the signature fail). Throws WecomXmlError.
 */
export function scanEnvelopeEncrypt(envelope: Uint8Array | string): string {
  return scanEnvelopeEncryptBytes(envelope).toString('latin1');
}

/** scanEnvelopeEncrypt's value as the bytes it is (a view into `envelope` when that is a Buffer). */
export function scanEnvelopeEncryptBytes(envelope: Uint8Array | string): Buffer {
  const bytes = Buffer.isBuffer(envelope)
    ? envelope
    : typeof envelope === 'string'
      ? Buffer.from(envelope, 'utf8')
      : Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  const start = skipSpaceBytes(bytes, 0);
  if (start === bytes.length) throw new WecomXmlError('XML body is empty');
  if (!bytesAt(bytes, XML_OPEN_BYTES, start)) throw new WecomXmlError('callback envelope must start with <xml>');
  let end = bytes.length;
  while (end > start && isSpaceByte(bytes[end - 1])) end--;
  const rootClose = end - XML_CLOSE_BYTES.length;
  if (!bytesAt(bytes, XML_CLOSE_BYTES, rootClose)) throw new WecomXmlError('callback envelope must end with </xml>');
  const open = bytes.indexOf(ENCRYPT_TAG_BYTES, start);
  if (open < 0) throw new WecomXmlError('callback envelope has no <Encrypt> element');
  if (bytes.indexOf(ENCRYPT_TAG_BYTES, open + 1) >= 0) {
    throw new WecomXmlError('callback envelope has more than one <Encrypt> element');
  }
  if (bytes[open + ENCRYPT_TAG_BYTES.length] !== 0x3e /* > */) {
    throw new WecomXmlError('<Encrypt> must be a plain element');
  }
  let valueAt = skipSpaceBytes(bytes, open + ENCRYPT_TAG_BYTES.length + 1);
  let valueEnd: number;
  let closeAt: number;
  if (bytesAt(bytes, CDATA_OPEN_BYTES, valueAt)) {
    valueAt += CDATA_OPEN_BYTES.length;
    // The CDATA must end right before `</Encrypt>`. Found from that tag, not by searching for `]]>`: a search for a
    // 3-byte pattern is quadratic-ish on `]]]]…` (1.5 ms for 256 KB), one for a 10-byte tag stays linear.
    closeAt = bytes.indexOf(ENCRYPT_CLOSE_BYTES, valueAt);
    if (closeAt < 0) throw new WecomXmlError('unterminated <Encrypt>');
    let cdataEnd = closeAt;
    while (cdataEnd > valueAt && isSpaceByte(bytes[cdataEnd - 1])) cdataEnd--;
    valueEnd = cdataEnd - CDATA_CLOSE_BYTES.length;
    if (valueEnd < valueAt || !bytesAt(bytes, CDATA_CLOSE_BYTES, valueEnd)) {
      throw new WecomXmlError('the CDATA in <Encrypt> must end right before </Encrypt>');
    }
    // A ']' inside would be an earlier end of the CDATA, or at least not base64.
    const bracket = bytes.indexOf(0x5d /* ] */, valueAt);
    if (bracket >= 0 && bracket < valueEnd) throw new WecomXmlError('<Encrypt> must hold base64');
  } else {
    closeAt = bytes.indexOf(0x3c /* < */, valueAt);
    if (closeAt < 0) throw new WecomXmlError('unterminated <Encrypt>');
    valueEnd = closeAt;
    while (valueEnd > valueAt && isSpaceByte(bytes[valueEnd - 1])) valueEnd--;
    // An entity would mean the signed text differs from the characters here; WeCom sends base64 as is.
    const amp = bytes.indexOf(0x26 /* & */, valueAt);
    if (amp >= 0 && amp < valueEnd) throw new WecomXmlError('<Encrypt> must not contain entity references');
  }
  if (!bytesAt(bytes, ENCRYPT_CLOSE_BYTES, closeAt) || closeAt + ENCRYPT_CLOSE_BYTES.length > rootClose) {
    throw new WecomXmlError('<Encrypt> must hold one CDATA section or text, then close');
  }
  if (valueEnd === valueAt) throw new WecomXmlError('<Encrypt> is empty');
  return bytes.subarray(valueAt, valueEnd);
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

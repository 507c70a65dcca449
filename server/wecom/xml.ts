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
  if (typeof xml !== 'string' || xml.trim() === '') throw new WecomXmlError('XML body is empty');
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

// One flat element: <Name>CDATA or plain text without markup or entities</Name>.
const FLAT_FIELD = /\s*<([A-Za-z_][\w.-]*)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<&]*))<\/\1>/y;
const FLAT_OPEN = /^\s*<xml>/;
const FLAT_CLOSE = /\s*<\/xml>\s*$/y;

/**
 * Fast path for the shape nearly every callback has (the envelope, customer-contact events): `<xml>` holding
 * flat elements whose values are CDATA or plain text. The whole document must match, else null and the full
 * validator + parser decide — so the answer is the same, only cheaper (the callback endpoint is a hot path).
 */
function parseFlat(xml: string): Record<string, unknown> | null {
  const open = FLAT_OPEN.exec(xml);
  if (!open) return null;
  const fields: Record<string, unknown> = {};
  let at = open[0].length;
  for (;;) {
    FLAT_FIELD.lastIndex = at;
    const m = FLAT_FIELD.exec(xml);
    if (!m) break;
    const name = m[1]!;
    // A repeated element or a name that could touch the prototype: the full parser decides.
    if (Object.hasOwn(fields, name) || name === '__proto__' || name === 'constructor') return null;
    fields[name] = m[2] ?? m[3]!.trim();
    at = FLAT_FIELD.lastIndex;
  }
  FLAT_CLOSE.lastIndex = at;
  return FLAT_CLOSE.test(xml) && FLAT_CLOSE.lastIndex === xml.length ? fields : null;
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

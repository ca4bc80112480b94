/**
 * A streaming reader for the agents' XML (saxes, a strict XML 1.0 parser): one pass that checks the whole document
 * is well-formed and builds objects only for the elements the ingest reads, in the shape a tree parser would give
 * (repeated elements become arrays, text-only elements trimmed strings, empty ones ''), so the mapping code reads
 * both formats alike. A 780-title inventory takes a fraction of what validating and then tree-parsing it took.
 *
 * Pure: no I/O. DTDs are refused by the caller before parsing; this reader never expands anything but the five
 * predefined entities and character references.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';

/** An element's value: text, an object of child elements by name, or an array when a name repeats. */
export type XmlValue = string | XmlElement | XmlValue[];
export type XmlElement = { readonly [name: string]: XmlValue };

/**
 * Which elements to build, by name below the current one: `true` builds the whole subtree, an object builds the
 * children it names (`'*'` standing for any other name) and skips every other child — still checked for
 * well-formedness, but never turned into objects or strings.
 */
export type XmlShape = true | { readonly [name: string]: XmlShape };

export interface XmlDocument {
  /** The root element's name. */
  readonly root: string;
  /** Its value, or undefined when the shape skips it. */
  readonly value: XmlValue | undefined;
}

/** The document is not well-formed XML. Carries where the parser stopped, never any of the text. */
export class XmlSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
  ) {
    super(`The XML is not well-formed (line ${line}, column ${column})`);
    this.name = 'XmlSyntaxError';
  }
}

/**
 * What saxes reports but the ingest accepts, as the validating tree parser it replaces did: an undefined entity
 * (`&nbsp;` from a Windows agent) or an out-of-range character reference is kept as written; a character XML 1.0
 * forbids (a control character in a registry string) or a literal `]]>` in text is kept too. None of them
 * changes the structure: saxes goes on in the same state. Anything else is malformed.
 */
const TOLERATED = new Set([
  'undefined entity.',
  'malformed character entity.',
  'disallowed character.',
  'the string "]]>" is disallowed in char data.',
]);

interface Frame {
  readonly name: string;
  readonly shape: XmlShape;
  /** Child elements, created on the first one. */
  children: Record<string, XmlValue> | null;
  text: string;
}

/**
 * Parses `text` (a complete document) and returns its root element, built as far as `shape` (given for the root:
 * `{ REQUEST: … }`) says. Throws XmlSyntaxError when it is not well-formed.
 */
export function readXml(text: string, shape: XmlShape): XmlDocument {
  const parser = new SaxesParser<{ xmlns: false }>({ xmlns: false });
  const stack: Frame[] = [];
  const result: { document: XmlDocument | null } = { document: null };
  /** Depth inside a skipped element (the skipped element itself counts as 1). */
  let skipped = 0;

  const onText = (chunk: string): void => {
    const top = stack[stack.length - 1];
    if (top !== undefined && top.children === null) top.text += chunk;
  };
  // Inside skipped elements the text handlers are off, so saxes does not even accumulate their text.
  const listen = (on: boolean): void => {
    if (on) {
      parser.on('text', onText);
      parser.on('cdata', onText);
    } else {
      parser.off('text');
      parser.off('cdata');
    }
  };

  parser.on('error', (error: Error) => {
    if (TOLERATED.has(error.message.replace(/^\d+:\d+: /, ''))) return;
    throw new XmlSyntaxError(parser.line, parser.column + 1);
  });
  // The caller refuses DTDs before parsing; should one get here anyway, nothing of it is used.
  parser.on('doctype', () => {
    throw new XmlSyntaxError(parser.line, parser.column + 1);
  });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    if (skipped > 0) {
      skipped += 1;
      return;
    }
    const parent = stack.length === 0 ? shape : stack[stack.length - 1].shape;
    const own = parent === true ? true : (parent[tag.name] ?? parent['*']);
    if (stack.length === 0) result.document = { root: tag.name, value: undefined };
    if (own === undefined) {
      skipped = 1;
      listen(false);
      return;
    }
    stack.push({ name: tag.name, shape: own, children: null, text: '' });
  });
  parser.on('closetag', () => {
    if (skipped > 0) {
      skipped -= 1;
      if (skipped === 0) listen(true);
      return;
    }
    const frame = stack.pop();
    if (frame === undefined) return;
    const value: XmlValue = frame.children ?? frame.text.trim();
    const parent = stack[stack.length - 1];
    if (parent === undefined) {
      result.document = { root: frame.name, value };
      return;
    }
    // Null prototype: an element named __proto__ or constructor is just a name.
    parent.children ??= Object.create(null) as Record<string, XmlValue>;
    const existing = parent.children[frame.name];
    if (existing === undefined) parent.children[frame.name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else parent.children[frame.name] = [existing, value];
  });
  listen(true);

  parser.write(text).close();
  if (result.document === null) throw new XmlSyntaxError(parser.line, parser.column + 1);
  return result.document;
}

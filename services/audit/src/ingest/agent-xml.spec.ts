import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAgentMessage, type AgentMessage } from './agent-protocol';
import * as agentXml from './agent-xml';
import { readXml, XmlSyntaxError, type XmlShape, type XmlValue } from './agent-xml';

// The reader as it is, wrapped so a test can hand the protocol module another tree.
jest.mock('./agent-xml', () => {
  const actual = jest.requireActual<typeof import('./agent-xml')>('./agent-xml');
  return { ...actual, readXml: jest.fn(actual.readXml) };
});
const actualReadXml = jest.requireActual<typeof import('./agent-xml')>('./agent-xml').readXml;

const FIXTURES = join(__dirname, '../../../../test/fixtures/agents');
const LIMITS = { maxFieldLength: 1024, maxSoftware: 10_000 };

function syntaxError(text: string): XmlSyntaxError {
  try {
    readXml(text, true);
  } catch (error: unknown) {
    if (error instanceof XmlSyntaxError) return error;
    throw error;
  }
  throw new Error('expected an XmlSyntaxError');
}

describe('readXml', () => {
  it('builds what a tree parser would: repeated names as arrays, text trimmed, empty elements as empty strings', () => {
    const document = readXml('<R><A> x </A><B/><C><D>1</D><D>2</D></C><C>t</C><E><F/></E></R>', true);
    expect(document.root).toBe('R');
    expect(JSON.parse(JSON.stringify(document.value))).toEqual({ A: 'x', B: '', C: [{ D: ['1', '2'] }, 't'], E: { F: '' } });
  });

  it('decodes the predefined entities and character references; keeps an undefined entity as written', () => {
    const { value } = readXml('<R><A>AT&amp;T &lt;x&gt; &#8482; &#x4E2D;</A><B>&nbsp;</B><C><![CDATA[a &amp; <b>]]></C></R>', true);
    expect(value).toEqual({ A: 'AT&T <x> ™ 中', B: '&nbsp;', C: 'a &amp; <b>' });
  });

  it('skips what the shape leaves out, but still checks it is well-formed', () => {
    const shape: XmlShape = { R: { KEEP: true } };
    expect(readXml('<R><KEEP>k</KEEP><DROP><X>1</X><X>&nbsp;</X></DROP></R>', shape).value).toEqual({ KEEP: 'k' });
    expect(readXml('<OTHER><KEEP>k</KEEP></OTHER>', shape)).toEqual({ root: 'OTHER', value: undefined });
    expect(() => readXml('<R><KEEP>k</KEEP><DROP><X>1</Y></DROP></R>', shape)).toThrow(XmlSyntaxError);
    expect(() => readXml('<R><KEEP>k</KEEP><DROP><X a=1>1</X></DROP></R>', shape)).toThrow(XmlSyntaxError);
  });

  it('gives an element named like an Object.prototype member no special meaning', () => {
    const { value } = readXml('<R><__proto__>p</__proto__><constructor>c</constructor></R>', true);
    expect(Object.getPrototypeOf(value)).toBeNull();
    expect(Object.entries(value as object)).toEqual([
      ['__proto__', 'p'],
      ['constructor', 'c'],
    ]);
  });

  it.each([
    ['an unclosed element (truncated document)', '<R><A>x</A>'],
    ['a mismatched end tag', '<R><A>x</B></R>'],
    ['a truncated tag', '<R><A>x</A></'],
    ['two root elements', '<R/><R/>'],
    ['text after the root', '<R/>x'],
    ['a bare ampersand', '<R>AT&T</R>'],
    ['no element at all', '   '],
    ['a DOCTYPE (refused by the caller first, refused here too)', '<!DOCTYPE R><R/>'],
  ])('refuses %s', (_label, text) => {
    expect(syntaxError(text).message).toMatch(/^The XML is not well-formed \(line \d+, column \d+\)$/);
  });

  it('accepts what the validating parser it replaces accepted: control characters and "]]>" in text', () => {
    expect(readXml('<R><A>a\u0001b</A><B>x]]>y</B></R>', true).value).toEqual({ A: 'a\u0001b', B: 'x]]>y' });
  });
});

/** A tree that records every name looked up on the REQUEST and CONTENT elements. */
function recording(value: XmlValue | undefined, path: string, lookups: Map<string, Set<string>>): XmlValue | undefined {
  if (value === undefined || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item) => recording(item, path, lookups) as XmlValue);
  const note = (key: string | symbol) => {
    if (typeof key === 'string' && (path === 'REQUEST' || path === 'REQUEST/CONTENT')) {
      if (!lookups.has(path)) lookups.set(path, new Set());
      lookups.get(path)?.add(key);
    }
  };
  return new Proxy(value, {
    get(target, key, receiver) {
      note(key);
      const child = Reflect.get(target, key, receiver) as XmlValue | undefined;
      return typeof key === 'string' ? recording(child, `${path}/${key}`, lookups) : child;
    },
    getOwnPropertyDescriptor(target, key) {
      note(key);
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
    has(target, key) {
      note(key);
      return Reflect.has(target, key);
    },
  });
}

describe('what the protocol module builds of an agent message', () => {
  const fixtures = readdirSync(FIXTURES).filter((name) => name.endsWith('.xml'));

  it.each(fixtures)('%s: only the sections it reads, with the same message as a full tree', (name) => {
    const text = readFileSync(join(FIXTURES, name), 'utf8');
    const pruned = parseAgentMessage({ format: 'xml', text }, LIMITS);

    // The same message from the whole document, every name the mapping looks up recorded.
    const lookups = new Map<string, Set<string>>();
    let shape: XmlShape | undefined;
    jest.mocked(agentXml.readXml).mockImplementationOnce((xml, given) => {
      shape = given;
      const full = actualReadXml(xml, true);
      return { root: full.root, value: recording(full.value, full.root, lookups) };
    });
    const full: AgentMessage = parseAgentMessage({ format: 'xml', text }, LIMITS);
    expect(full).toEqual(pruned);

    // Every name looked up is one the shape builds.
    const request = shape !== undefined && shape !== true ? shape['REQUEST'] : undefined;
    const content = request !== undefined && request !== true ? request['CONTENT'] : undefined;
    if (request === undefined || request === true || content === undefined || content === true) throw new Error('unexpected shape');
    for (const key of lookups.get('REQUEST') ?? []) expect(Object.keys(request)).toContain(key);
    for (const key of lookups.get('REQUEST/CONTENT') ?? []) expect(Object.keys(content)).toContain(key);
    expect(lookups.get('REQUEST/CONTENT')?.size ?? 0).toBeGreaterThan(name.includes('prolog') ? -1 : 5);
  });
});

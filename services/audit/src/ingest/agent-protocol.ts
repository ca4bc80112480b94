/**
 * Wire protocol of the inventory agents that post to `POST /ocsinventory`: OCS Inventory and FusionInventory
 * (zlib-compressed XML, PROLOG then INVENTORY) and the GLPI agent (JSON CONTACT / inventory, compressed or not).
 *
 * Pure functions: no database, no network, no clock; zlib is the only I/O. The HTTP layer decides what to do with
 * a parsed message (authenticate, store, answer); this module only turns bytes into typed messages and typed
 * messages into the reply bytes each agent expects. What the real agents send is recorded in
 * test/fixtures/agents/README.md.
 */
import { createHash } from 'node:crypto';
import { constants as zlibConstants, deflateSync, gunzipSync, gzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import type { ZlibOptions } from 'node:zlib';
import { readXml, XmlSyntaxError, type XmlShape } from './agent-xml';

/** HTTP status an agent request fails with; each failure also carries a stable machine-readable code. */
export type AgentProtocolStatus = 400 | 413 | 415 | 422;

/**
 * A request the agent endpoint refuses. Messages name the offending field or limit, never a value from the
 * request, so they are safe to send back and to log (inventories carry product keys and user names).
 */
export class AgentProtocolError extends Error {
  readonly status: AgentProtocolStatus;
  readonly code: string;

  constructor(status: AgentProtocolStatus, code: string, message: string) {
    super(message);
    this.name = 'AgentProtocolError';
    this.status = status;
    this.code = code;
  }
}

export type AgentBodyFormat = 'xml' | 'json';
/** How the request body was compressed; GLPI-protocol replies mirror it. */
export type AgentBodyCompression = 'zlib' | 'gzip' | 'deflate' | 'none';

export interface DecodeLimits {
  /** Hard cap on the inflated body; inflation stops as soon as it is reached. */
  readonly maxInflatedBytes: number;
}

export interface DecodedAgentBody {
  readonly format: AgentBodyFormat;
  readonly text: string;
  readonly compression: AgentBodyCompression;
}

export interface ParseLimits {
  /** Longest accepted value (in UTF-16 code units, after trimming) of any field this module extracts. */
  readonly maxFieldLength: number;
  /** Most software entries accepted in one inventory, counted before de-duplication. */
  readonly maxSoftware: number;
}

export type AgentSource = 'OCS' | 'FUSIONINVENTORY' | 'GLPI';
export type AgentMachineKind = 'DESKTOP' | 'LAPTOP' | 'SERVER' | 'VIRTUAL';

export interface AgentSoftware {
  readonly name: string;
  readonly version: string | null;
  readonly publisher: string | null;
  readonly arch: string | null;
}

export interface AgentOperatingSystem {
  readonly name: string;
  readonly version: string | null;
  readonly publisher: string | null;
  readonly arch: string | null;
}

export interface AgentAntivirus {
  readonly name: string;
  readonly version: string | null;
  readonly publisher: string | null;
  readonly enabled: boolean | null;
  readonly upToDate: boolean | null;
}

/** License-key evidence. Only a masked key is ever kept: the full product key never leaves this module. */
export interface AgentLicenseKey {
  readonly name: string;
  readonly productId: string | null;
  readonly keyMasked: string | null;
}

export interface AgentMachine {
  readonly uuid: string | null;
  readonly serialNumber: string | null;
  readonly hostname: string | null;
  readonly kind: AgentMachineKind;
  readonly operator: string | null;
}

export interface AgentInventory {
  /** The agent that produced it, from VERSIONCLIENT; without one, OCS for XML (the OCS unix agent sends none). */
  readonly source: AgentSource;
  readonly deviceId: string;
  /** Org unit code (TAG), or null when the agent sent none. */
  readonly tag: string | null;
  /**
   * When the agent collected the inventory: ACCESSLOG/LOGDATE (`accesslog.logdate`), the agent's local time,
   * shifted by OPERATINGSYSTEM/TIMEZONE/OFFSET when the agent reports it and read as UTC otherwise. Null when
   * absent or not a real date. HARDWARE/DATELASTLOGGEDUSER is not used: it has no year.
   */
  readonly collectedAt: string | null;
  /** GLPI agents send partial inventories (only changed sections); they must not replace a full one. */
  readonly partial: boolean;
  readonly machine: AgentMachine;
  readonly operatingSystem: AgentOperatingSystem | null;
  readonly software: readonly AgentSoftware[];
  readonly antivirus: readonly AgentAntivirus[];
  readonly licenseKeys: readonly AgentLicenseKey[];
}

/** XML PROLOG: the agent asks whether to send an inventory (OCS, FusionInventory, GLPI agent's first contact). */
export interface AgentPrologMessage {
  readonly kind: 'PROLOG';
  readonly deviceId: string;
  readonly tag: string | null;
}

/** An inventory, from an XML INVENTORY query or a GLPI JSON `"action": "inventory"` message. */
export interface AgentInventoryMessage {
  readonly kind: 'INVENTORY';
  readonly inventory: AgentInventory;
}

/** GLPI agent JSON CONTACT: announces the agent and its tasks, and expects the tasks the server supports. */
export interface AgentContactMessage {
  readonly kind: 'CONTACT';
  readonly deviceId: string;
  readonly tag: string | null;
  readonly agentName: string | null;
  readonly agentVersion: string | null;
  readonly installedTasks: readonly string[];
  readonly enabledTasks: readonly string[];
}

export type AgentMessage = AgentPrologMessage | AgentInventoryMessage | AgentContactMessage;

/** A reply body and the Content-Type to send it with. */
export interface AgentReply {
  readonly contentType: string;
  readonly body: Buffer;
}

/** How often (hours) agents are told to come back: OCS PROLOG_FREQ and GLPI `expiration` default. */
export const DEFAULT_AGENT_FREQUENCY_HOURS = 24;

// ---------------------------------------------------------------------------------------------------------------
// Body decoding
// ---------------------------------------------------------------------------------------------------------------

/**
 * Content types by what they declare. The OCS unix agent sends `application/x-compress` with zlib (or gzip when
 * Compress::Zlib is missing); FusionInventory and the GLPI agent send `application/x-compress-zlib` (or `-gzip`),
 * `application/xml` / `application/json` with compression off. GLPI's own server also accepts the deflate names.
 */
const ZLIB_OR_GZIP_TYPES = new Set(['application/x-compress', 'application/x-compress-zlib', 'application/x-zlib']);
const GZIP_TYPES = new Set(['application/x-compress-gzip', 'application/x-gzip', 'application/gzip']);
const DEFLATE_TYPES = new Set(['application/x-compress-deflate', 'application/x-deflate']);
const PLAIN_TYPES = new Set([
  'application/xml',
  'text/xml',
  'application/json',
  'text/json',
  'text/plain',
  'application/octet-stream',
]);

/**
 * Turns a raw request body into text, inflating it when it is compressed. Compression is recognised by magic
 * bytes (zlib CMF/FLG, gzip 1f 8b 08) whatever the declared type, because agents and proxies are inconsistent
 * about Content-Type; a body declared compressed must really be. Inflation is capped: a decompression bomb stops
 * at `maxInflatedBytes` instead of being inflated in full.
 */
export function decodeAgentBody(
  body: Buffer,
  contentType: string | undefined,
  limits: DecodeLimits,
): DecodedAgentBody {
  const declared = mediaType(contentType);
  if (declared !== null && !isKnownType(declared)) {
    throw new AgentProtocolError(
      415,
      'UNSUPPORTED_CONTENT_TYPE',
      `Content-Type ${safeToken(declared)} is not accepted; agents send application/x-compress, ` +
        'application/x-compress-zlib, application/x-compress-gzip, application/xml or application/json',
    );
  }
  if (body.length === 0) {
    throw new AgentProtocolError(400, 'EMPTY_BODY', 'The request body is empty');
  }

  let compression: AgentBodyCompression;
  if (isZlibHeader(body)) compression = 'zlib';
  else if (isGzipHeader(body)) compression = 'gzip';
  else if (declared !== null && DEFLATE_TYPES.has(declared)) compression = 'deflate';
  else if (declared !== null && (ZLIB_OR_GZIP_TYPES.has(declared) || GZIP_TYPES.has(declared))) {
    throw new AgentProtocolError(
      400,
      'NOT_COMPRESSED',
      `The body is declared as ${declared} but does not start with a zlib or gzip header`,
    );
  } else compression = 'none';

  const raw = compression === 'none' ? body : inflateCapped(body, compression, limits.maxInflatedBytes);
  if (compression === 'none' && raw.length > limits.maxInflatedBytes) {
    throw new AgentProtocolError(413, 'BODY_TOO_LARGE', `The body exceeds ${limits.maxInflatedBytes} bytes`);
  }

  // The format is sniffed on bytes first, so binary junk is "not XML or JSON" rather than "not UTF-8".
  const first = firstSignificantByte(raw);
  const format: AgentBodyFormat | null = first === 0x3c ? 'xml' : first === 0x7b ? 'json' : null;
  if (format === null) {
    throw new AgentProtocolError(
      415,
      'UNKNOWN_BODY_FORMAT',
      compression === 'none'
        ? 'The body is neither XML nor JSON'
        : `The ${compression}-inflated body is neither XML nor JSON`,
    );
  }
  return { format, text: decodeText(raw), compression };
}

/**
 * Identifies a request body as sent: sha256 (hex) of its declared media type and its bytes, compressed or not —
 * the same bytes under another type may decode differently. Costs microseconds: no inflating, no parsing.
 */
export function agentBodyHash(body: Buffer, contentType: string | undefined): string {
  return createHash('sha256').update(mediaType(contentType) ?? '').update('\n').update(body).digest('hex');
}

/**
 * The format and compression of a body already known to decode (a byte-identical re-send of an accepted one),
 * from its first bytes only: what its reply needs. Null when they do not tell.
 */
export function peekAgentBody(body: Buffer, contentType: string | undefined): Pick<DecodedAgentBody, 'format' | 'compression'> | null {
  const declared = mediaType(contentType);
  const compression: AgentBodyCompression = isZlibHeader(body)
    ? 'zlib'
    : isGzipHeader(body)
      ? 'gzip'
      : declared !== null && DEFLATE_TYPES.has(declared)
        ? 'deflate'
        : 'none';
  let head: Buffer;
  try {
    // 512 bytes hold the stream header, a dynamic Huffman table and the first literals; deflate inflates at most
    // ~1032:1, so the output stays under 1 MiB.
    const head0 = body.subarray(0, 512);
    const partial: ZlibOptions = { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 1024 * 1024 };
    head =
      compression === 'none'
        ? head0
        : compression === 'zlib'
          ? inflateSync(head0, partial)
          : compression === 'gzip'
            ? gunzipSync(head0, partial)
            : inflateRawSync(head0, partial);
  } catch {
    return null;
  }
  const first = firstSignificantByte(head);
  const format: AgentBodyFormat | null = first === 0x3c ? 'xml' : first === 0x7b ? 'json' : null;
  return format === null ? null : { format, compression };
}

function mediaType(contentType: string | undefined): string | null {
  if (contentType === undefined) return null;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === '' ? null : type;
}

function isKnownType(type: string): boolean {
  return ZLIB_OR_GZIP_TYPES.has(type) || GZIP_TYPES.has(type) || DEFLATE_TYPES.has(type) || PLAIN_TYPES.has(type);
}

/** Echo a client-supplied token only when it is short and plain, so error messages stay clean. */
function safeToken(value: string): string {
  return /^[\w.+/-]{1,80}$/.test(value) ? value : '(unrecognised)';
}

/** RFC 1950: CM = 8 (deflate), window ≤ 32 KiB, header checksum, no preset dictionary. */
function isZlibHeader(body: Buffer): boolean {
  if (body.length < 2) return false;
  const cmf = body[0] ?? 0;
  const flg = body[1] ?? 0;
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | flg) % 31 === 0 && (flg & 0x20) === 0;
}

function isGzipHeader(body: Buffer): boolean {
  return body.length >= 3 && body[0] === 0x1f && body[1] === 0x8b && body[2] === 0x08;
}

/**
 * zlib's `maxOutputLength` makes Node stop inflating (and stop allocating) once the output passes the cap,
 * so a bomb costs at most the cap plus one chunk, whatever it would inflate to.
 */
function inflateCapped(body: Buffer, compression: Exclude<AgentBodyCompression, 'none'>, cap: number): Buffer {
  const options: ZlibOptions = { maxOutputLength: Math.max(1, cap) };
  try {
    if (compression === 'zlib') return inflateSync(body, options);
    if (compression === 'gzip') return gunzipSync(body, options);
    return inflateRawSync(body, options);
  } catch (error: unknown) {
    const code = errorCode(error);
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new AgentProtocolError(
        413,
        'INFLATED_TOO_LARGE',
        `The body inflates to more than ${cap} bytes; inflation was stopped at the limit`,
      );
    }
    if (code === 'Z_BUF_ERROR') {
      throw new AgentProtocolError(
        400,
        'TRUNCATED_COMPRESSED_BODY',
        `The ${compression} stream ends before its end marker (truncated body)`,
      );
    }
    throw new AgentProtocolError(400, 'CORRUPT_COMPRESSED_BODY', `The ${compression} stream is corrupt`);
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error as { code: unknown };
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const LATIN1 = new TextDecoder('windows-1252');

/**
 * Agents send UTF-8 (a BOM is tolerated and dropped). An XML document that declares ISO-8859-1 / windows-1252
 * (old Windows agents) is decoded as such; anything else that is not valid UTF-8 is refused.
 */
function decodeText(raw: Buffer): string {
  const head = raw.subarray(0, 200).toString('latin1');
  const declared = /^(?:\uFEFF|\u00EF\u00BB\u00BF)?\s*<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(head)?.[1];
  if (declared !== undefined && /^(iso-?8859-1|latin-?1|windows-1252|cp1252)$/i.test(declared)) {
    return LATIN1.decode(raw);
  }
  try {
    return UTF8.decode(raw);
  } catch {
    throw new AgentProtocolError(400, 'INVALID_ENCODING', 'The body is not valid UTF-8');
  }
}

/** First byte after a UTF-8 BOM and ASCII whitespace. */
function firstSignificantByte(raw: Buffer): number | undefined {
  let index = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? 3 : 0;
  while (index < raw.length && [0x20, 0x09, 0x0a, 0x0d].includes(raw[index] ?? 0)) index += 1;
  return raw[index];
}

// ---------------------------------------------------------------------------------------------------------------
// Message parsing
// ---------------------------------------------------------------------------------------------------------------

type Tree = Readonly<Record<string, unknown>>;
type FieldPath = readonly (string | number)[];

/** Every section of CONTENT that `mapInventory` and its helpers read; the XML reader builds nothing else. */
const INVENTORY_SECTIONS: XmlShape = {
  ACCESSLOG: true,
  ACCOUNTINFO: true,
  ANTIVIRUS: true,
  BIOS: true,
  HARDWARE: true,
  LICENSEINFOS: true,
  OPERATINGSYSTEM: true,
  SOFTWARES: true,
  USERS: true,
  VERSIONCLIENT: true,
};

/** What `parseXmlMessage` reads of `<REQUEST>`: the rest of the document is checked, never built. */
const REQUEST_SHAPE: XmlShape = {
  REQUEST: { QUERY: true, DEVICEID: true, ACCOUNTINFO: true, CONTENT: INVENTORY_SECTIONS },
};

/**
 * Parses a decoded body into one agent message. XML: `<REQUEST><QUERY>PROLOG|INVENTORY</QUERY>` (a missing QUERY
 * means INVENTORY, as GLPI's server assumes). JSON: GLPI agent messages by `action` (`contact`, `inventory`, the
 * default when absent).
 */
export function parseAgentMessage(decoded: Pick<DecodedAgentBody, 'format' | 'text'>, limits: ParseLimits): AgentMessage {
  return decoded.format === 'xml' ? parseXmlMessage(decoded.text, limits) : parseJsonMessage(decoded.text, limits);
}

function parseXmlMessage(text: string, limits: ParseLimits): AgentMessage {
  // Checked on the raw text, before any parser sees it: entities are never declared, expanded or fetched.
  if (/<!ENTITY/i.test(text)) {
    throw new AgentProtocolError(400, 'XML_ENTITY_FORBIDDEN', 'XML entity declarations are not accepted');
  }
  if (/<!DOCTYPE/i.test(text)) {
    throw new AgentProtocolError(400, 'XML_DTD_FORBIDDEN', 'XML documents with a DOCTYPE are not accepted');
  }
  let document: ReturnType<typeof readXml>;
  try {
    document = readXml(text, REQUEST_SHAPE);
  } catch (error: unknown) {
    if (error instanceof XmlSyntaxError) throw new AgentProtocolError(400, 'MALFORMED_XML', error.message);
    throw error;
  }
  const request = document.root === 'REQUEST' ? document.value : undefined;
  if (!isRecord(request)) {
    throw new AgentProtocolError(422, 'INVALID_STRUCTURE', 'The XML root element must be REQUEST');
  }

  const reader = new FieldReader('xml', limits.maxFieldLength);
  const query = (reader.text(request, 'query', []) ?? 'INVENTORY').toUpperCase();
  const deviceId = requireDeviceId(reader, request);
  const content = reader.child(request, 'content');

  if (query === 'PROLOG') {
    const tag = isRecord(content)
      ? readAccountInfoTag(reader, content, ['content'])
      : readAccountInfoTag(reader, request, []);
    return { kind: 'PROLOG', deviceId, tag };
  }
  if (query === 'INVENTORY') {
    if (!isRecord(content)) {
      throw new AgentProtocolError(422, 'INVALID_STRUCTURE', 'The INVENTORY request has no CONTENT section');
    }
    return { kind: 'INVENTORY', inventory: mapInventory(reader, content, deviceId, null, false, limits) };
  }
  throw new AgentProtocolError(
    422,
    'UNSUPPORTED_QUERY',
    `QUERY ${safeToken(query)} is not supported; this endpoint answers PROLOG and INVENTORY`,
  );
}

function parseJsonMessage(text: string, limits: ParseLimits): AgentMessage {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    throw new AgentProtocolError(400, 'MALFORMED_JSON', 'The JSON is not well-formed');
  }
  if (!isRecord(root)) {
    throw new AgentProtocolError(422, 'INVALID_STRUCTURE', 'The JSON message must be an object');
  }
  const reader = new FieldReader('json', limits.maxFieldLength);
  // GLPI's server also accepts `query` for `action`, and assumes an inventory when both are absent.
  const action = (
    reader.text(root, 'action', []) ??
    reader.text(root, 'query', []) ??
    'inventory'
  ).toLowerCase();
  const deviceId = requireDeviceId(reader, root);
  const tag = reader.text(root, 'tag', []);

  if (action === 'contact') {
    return {
      kind: 'CONTACT',
      deviceId,
      tag,
      agentName: reader.text(root, 'name', []),
      agentVersion: reader.text(root, 'version', []),
      installedTasks: reader.textList(root, 'installed-tasks', []),
      enabledTasks: reader.textList(root, 'enabled-tasks', []),
    };
  }
  if (action === 'inventory') {
    const itemType = reader.text(root, 'itemtype', []);
    if (itemType !== null && itemType !== 'Computer') {
      throw new AgentProtocolError(
        422,
        'UNSUPPORTED_ITEM_TYPE',
        `itemtype ${safeToken(itemType)} is not supported; only Computer inventories are licensing evidence`,
      );
    }
    const content = root['content'];
    if (!isRecord(content)) {
      throw new AgentProtocolError(422, 'INVALID_STRUCTURE', 'The inventory message has no content object');
    }
    const partial = reader.bool(root, 'partial', []) ?? false;
    return { kind: 'INVENTORY', inventory: mapInventory(reader, content, deviceId, tag, partial, limits) };
  }
  throw new AgentProtocolError(
    422,
    'UNSUPPORTED_ACTION',
    `action ${safeToken(action)} is not supported; this endpoint answers contact and inventory`,
  );
}

function requireDeviceId(reader: FieldReader, root: Tree): string {
  const deviceId = reader.text(root, 'deviceid', []);
  if (deviceId === null) {
    throw new AgentProtocolError(
      422,
      'MISSING_DEVICE_ID',
      `The message has no ${reader.render(['deviceid'])}; every agent message must identify its device`,
    );
  }
  return deviceId;
}

/** The TAG is the ACCOUNTINFO entry whose KEYNAME is TAG (there may be other account-info keys). */
function readAccountInfoTag(reader: FieldReader, section: Tree, base: FieldPath): string | null {
  const entries = asArray(reader.child(section, 'accountinfo'));
  for (const [index, entry] of entries.entries()) {
    const path = [...base, 'accountinfo', index];
    if (reader.text(entry, 'keyname', path)?.toUpperCase() === 'TAG') {
      return reader.text(entry, 'keyvalue', path);
    }
  }
  return null;
}

/**
 * One mapping for both formats: the GLPI JSON format is the XML one with lower-case keys (plus a few renames
 * that do not touch the fields read here), and `FieldReader` upper-cases keys for XML.
 */
function mapInventory(
  reader: FieldReader,
  content: Tree,
  deviceId: string,
  rootTag: string | null,
  partial: boolean,
  limits: ParseLimits,
): AgentInventory {
  const hardware = firstRecord(reader.child(content, 'hardware'));
  const bios = firstRecord(reader.child(content, 'bios'));
  const os = firstRecord(reader.child(content, 'operatingsystem'));
  const accessLog = firstRecord(reader.child(content, 'accesslog'));

  const operatingSystem = mapOperatingSystem(reader, hardware, os);
  const timezone = firstRecord(reader.child(os, 'timezone'));
  const collectedAt = toIsoTimestamp(
    reader.text(accessLog, 'logdate', ['content', 'accesslog']),
    reader.text(timezone, 'offset', ['content', 'operatingsystem', 'timezone']),
  );

  return {
    source: detectSource(reader.text(content, 'versionclient', ['content']), reader.format),
    deviceId,
    tag: rootTag ?? readAccountInfoTag(reader, content, ['content']),
    collectedAt,
    partial,
    machine: {
      uuid: usefulIdentifier(reader.text(hardware, 'uuid', ['content', 'hardware'])),
      serialNumber: usefulIdentifier(reader.text(bios, 'ssn', ['content', 'bios'])),
      hostname: reader.text(hardware, 'name', ['content', 'hardware']),
      kind: machineKind(reader, hardware, bios, operatingSystem),
      operator: readOperator(reader, content, hardware),
    },
    operatingSystem,
    software: mapSoftware(reader, content, limits.maxSoftware),
    antivirus: mapAntivirus(reader, content),
    licenseKeys: mapLicenseKeys(reader, content, hardware, operatingSystem),
  };
}

/**
 * FusionInventory and GLPI agents fill OPERATINGSYSTEM; the OCS unix agent only HARDWARE/OSNAME, OSVERSION.
 * Agents report no OS publisher, so it is inferred for the two vendors whose OS is sold per device.
 */
function mapOperatingSystem(
  reader: FieldReader,
  hardware: Tree | undefined,
  os: Tree | undefined,
): AgentOperatingSystem | null {
  const name =
    reader.text(os, 'full_name', ['content', 'operatingsystem']) ??
    reader.text(hardware, 'osname', ['content', 'hardware']) ??
    reader.text(os, 'name', ['content', 'operatingsystem']);
  if (name === null) return null;
  return {
    name,
    version:
      reader.text(os, 'version', ['content', 'operatingsystem']) ??
      reader.text(hardware, 'osversion', ['content', 'hardware']),
    publisher: inferOsPublisher(name),
    arch:
      reader.text(os, 'arch', ['content', 'operatingsystem']) ??
      reader.text(hardware, 'arch', ['content', 'hardware']),
  };
}

function inferOsPublisher(name: string): string | null {
  if (/\bwindows\b/i.test(name)) return 'Microsoft Corporation';
  if (/\b(mac ?os|os x)\b/i.test(name)) return 'Apple Inc.';
  return null;
}

function detectSource(versionClient: string | null, format: AgentBodyFormat): AgentSource {
  if (versionClient !== null) {
    if (/^fusioninventory/i.test(versionClient)) return 'FUSIONINVENTORY';
    if (/^glpi/i.test(versionClient)) return 'GLPI';
    if (/^ocs/i.test(versionClient)) return 'OCS';
  }
  return format === 'json' ? 'GLPI' : 'OCS';
}

function readOperator(reader: FieldReader, content: Tree, hardware: Tree | undefined): string | null {
  const lastLogged = reader.text(hardware, 'lastloggeduser', ['content', 'hardware']);
  if (lastLogged !== null) return lastLogged;
  const firstUser = asArray(reader.child(content, 'users'))[0];
  return reader.text(firstUser, 'login', ['content', 'users', 0]);
}

function mapSoftware(reader: FieldReader, content: Tree, maxSoftware: number): AgentSoftware[] {
  const entries = asArray(reader.child(content, 'softwares')).filter(isRecord);
  if (entries.length > maxSoftware) {
    throw new AgentProtocolError(
      422,
      'TOO_MANY_SOFTWARE',
      `The inventory lists ${entries.length} software entries; at most ${maxSoftware} are accepted`,
    );
  }
  const seen = new Set<string>();
  const software: AgentSoftware[] = [];
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index];
    const path = ['content', 'softwares', index];
    const name = reader.text(entry, 'name', path);
    const item: AgentSoftware = {
      name: name ?? '',
      version: reader.text(entry, 'version', path),
      publisher: reader.text(entry, 'publisher', path),
      // The OCS unix agent names it ARCHITECTURE; FusionInventory and GLPI agents ARCH.
      arch: reader.text(entry, 'arch', path) ?? reader.text(entry, 'architecture', path),
    };
    // A nameless entry cannot become an installation.
    if (name === null) continue;
    const key = JSON.stringify([item.name, item.version, item.publisher, item.arch]);
    if (seen.has(key)) continue;
    seen.add(key);
    software.push(item);
  }
  return software;
}

function mapAntivirus(reader: FieldReader, content: Tree): AgentAntivirus[] {
  const result: AgentAntivirus[] = [];
  for (const [index, entry] of asArray(reader.child(content, 'antivirus')).entries()) {
    const path = ['content', 'antivirus', index];
    const name = reader.text(entry, 'name', path);
    if (name === null) continue;
    result.push({
      name,
      version: reader.text(entry, 'version', path),
      publisher: reader.text(entry, 'company', path),
      enabled: reader.bool(entry, 'enabled', path),
      upToDate: reader.bool(entry, 'uptodate', path),
    });
  }
  return result;
}

/** LICENSEINFOS entries, plus the Windows product key that agents report in HARDWARE/WINPRODKEY. */
function mapLicenseKeys(
  reader: FieldReader,
  content: Tree,
  hardware: Tree | undefined,
  operatingSystem: AgentOperatingSystem | null,
): AgentLicenseKey[] {
  const result: AgentLicenseKey[] = [];
  for (const [index, entry] of asArray(reader.child(content, 'licenseinfos')).entries()) {
    const path = ['content', 'licenseinfos', index];
    const name =
      reader.text(entry, 'fullname', path) ?? reader.text(entry, 'name', path);
    const key = reader.text(entry, 'key', path);
    const productId = reader.text(entry, 'productid', path);
    if (name === null && key === null && productId === null) continue;
    result.push({ name: name ?? 'Unknown product', productId, keyMasked: maskProductKey(key) });
  }
  const windowsKey = reader.text(hardware, 'winprodkey', ['content', 'hardware']);
  if (windowsKey !== null) {
    result.push({
      name: operatingSystem?.name ?? 'Microsoft Windows',
      productId: reader.text(hardware, 'winprodid', ['content', 'hardware']),
      keyMasked: maskProductKey(windowsKey),
    });
  }
  return result;
}

/**
 * Keeps the last five letters or digits (what Windows itself shows as the partial product key) and the
 * separators; every other letter or digit becomes `*`.
 */
export function maskProductKey(key: string | null): string | null {
  if (key === null) return null;
  const total = key.replace(/[^0-9A-Za-z]/g, '').length;
  let seen = 0;
  return key.replace(/[0-9A-Za-z]/g, (char) => {
    seen += 1;
    return seen > total - 5 ? char : '*';
  });
}

/** Values BIOSes and hypervisors report when they have no real identifier; keeping them would merge machines. */
const PLACEHOLDER_IDENTIFIERS = new Set([
  'none',
  'n/a',
  'na',
  'null',
  'unknown',
  'default string',
  'not specified',
  'not applicable',
  'not available',
  'to be filled by o.e.m.',
  'to be filled by oem',
  'system serial number',
  'chassis serial number',
  'serial number',
  'o.e.m.',
  'oem',
  '0123456789',
  '03000200-0400-0500-0006-000700080009',
]);

function usefulIdentifier(value: string | null): string | null {
  if (value === null) return null;
  if (PLACEHOLDER_IDENTIFIERS.has(value.toLowerCase())) return null;
  // All zeros (with or without separators), e.g. 0000000000 or 00000000-0000-0000-0000-000000000000.
  if (/^[0\s-]+$/.test(value)) return null;
  return value;
}

/**
 * Machine kind:
 * 1. VIRTUAL when HARDWARE/VMSYSTEM (`hardware.vmsystem`) names a hypervisor or container (anything but
 *    "Physical"), or, for agents that send no VMSYSTEM, when the BIOS system maker/model is a known hypervisor.
 *    VIRTUALMACHINES lists the guests a machine hosts; it says nothing about the machine itself.
 * 2. Otherwise the chassis: HARDWARE/CHASSIS_TYPE (FusionInventory, GLPI), else BIOS/TYPE or BIOS/MTYPE (OCS),
 *    by SMBIOS chassis name or number (see CHASSIS_NAMES).
 * 3. Otherwise SERVER when the OS name says "Server", else DESKTOP.
 */
function machineKind(
  reader: FieldReader,
  hardware: Tree | undefined,
  bios: Tree | undefined,
  operatingSystem: AgentOperatingSystem | null,
): AgentMachineKind {
  const vmSystem = reader.text(hardware, 'vmsystem', ['content', 'hardware']);
  if (vmSystem !== null && vmSystem.toLowerCase() !== 'physical') return 'VIRTUAL';
  if (vmSystem === null) {
    const maker = [
      reader.text(bios, 'smanufacturer', ['content', 'bios']),
      reader.text(bios, 'smodel', ['content', 'bios']),
    ].join(' ');
    if (/vmware|virtualbox|innotek|qemu|\bkvm\b|bochs|\bxen\b|parallels|virtual machine|hyper-v/i.test(maker)) {
      return 'VIRTUAL';
    }
  }
  const chassis =
    reader.text(hardware, 'chassis_type', ['content', 'hardware']) ??
    reader.text(bios, 'type', ['content', 'bios']) ??
    reader.text(bios, 'mtype', ['content', 'bios']);
  const byChassis = chassis === null ? undefined : CHASSIS_KINDS.get(normalizeChassis(chassis));
  if (byChassis !== undefined) return byChassis;
  return operatingSystem !== null && /\bserver\b/i.test(operatingSystem.name) ? 'SERVER' : 'DESKTOP';
}

function normalizeChassis(value: string): string {
  return value.toLowerCase().replace(/[\s_-]+/g, ' ').trim();
}

/** SMBIOS 3.x chassis types (7.4.1) by name and number; the ones not listed say nothing about the kind. */
const CHASSIS_NAMES: Readonly<Record<AgentMachineKind, readonly string[]>> = {
  DESKTOP: [
    'desktop', '3', 'low profile desktop', '4', 'pizza box', '5', 'mini tower', '6', 'tower', '7',
    'all in one', '13', 'space saving', '15', 'lunch box', '16', 'sealed case pc', '24', 'embedded pc', '34',
    'mini pc', '35', 'stick pc', '36',
  ],
  LAPTOP: [
    'portable', '8', 'laptop', '9', 'notebook', '10', 'hand held', '11', 'docking station', '12',
    'sub notebook', '14', 'tablet', '30', 'convertible', '31', 'detachable', '32',
  ],
  SERVER: [
    'main server chassis', '17', 'rack mount chassis', '23', 'multi system chassis', '25', 'blade', '28',
    'blade enclosure', '29', 'server', 'rack mount',
  ],
  VIRTUAL: [],
};

const CHASSIS_KINDS: ReadonlyMap<string, AgentMachineKind> = new Map(
  (Object.keys(CHASSIS_NAMES) as AgentMachineKind[]).flatMap((kind) =>
    CHASSIS_NAMES[kind].map((name): [string, AgentMachineKind] => [name, kind]),
  ),
);

/**
 * `YYYY-MM-DD HH:MM[:SS]` in the agent's local time (ISO `T` accepted too) → ISO 8601 UTC. `offset` is the
 * agent's `+HHMM` timezone offset; without it the time is read as UTC. Impossible dates give null.
 */
function toIsoTimestamp(value: string | null, offset: string | null): string | null {
  if (value === null) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(value);
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number, number, number, number, number, number,
  ];
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(utc);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return null;
  }
  const zone = match[7] ?? offset;
  return new Date(utc - offsetMinutes(zone) * 60_000).toISOString();
}

function offsetMinutes(zone: string | null | undefined): number {
  if (zone === null || zone === undefined || zone === 'Z') return 0;
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (match === null) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

/**
 * Reads fields of either format with one vocabulary (the JSON, lower-case names): XML keys are the same names
 * upper-cased. Every extracted value is trimmed, emptied to null and bounded (the XML reader has already decoded
 * entities and character references).
 */
class FieldReader {
  /** XML element names by JSON name: a few dozen names, looked up thousands of times per inventory. */
  private readonly keys = new Map<string, string>();

  constructor(
    readonly format: AgentBodyFormat,
    private readonly maxFieldLength: number,
  ) {}

  child(node: unknown, name: string): unknown {
    if (!isRecord(node)) return undefined;
    let key = name;
    if (this.format === 'xml') {
      key = this.keys.get(name) ?? '';
      if (key === '') this.keys.set(name, (key = name.toUpperCase()));
    }
    return Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
  }

  /** The field `name` of `node`, whose own path is `base` (only rendered when the value is refused). */
  text(node: unknown, name: string, base: FieldPath): string | null {
    return this.scalar(this.child(node, name), base, name);
  }

  private scalar(raw: unknown, base: FieldPath, name: string, index?: number): string | null {
    if (raw === undefined || raw === null) return null;
    let value: string;
    if (typeof raw === 'string') value = raw;
    else if (typeof raw === 'number' || typeof raw === 'boolean') value = String(raw);
    else {
      throw new AgentProtocolError(422, 'INVALID_FIELD', `${this.render(index === undefined ? [...base, name] : [...base, name, index])} must be a single text value`);
    }
    value = value.trim();
    if (value === '') return null;
    if (value.length > this.maxFieldLength) {
      throw new AgentProtocolError(
        422,
        'FIELD_TOO_LONG',
        `${this.render(index === undefined ? [...base, name] : [...base, name, index])} is ${value.length} characters long; at most ${this.maxFieldLength} are accepted`,
      );
    }
    return value;
  }

  textList(node: unknown, name: string, base: FieldPath): string[] {
    const result: string[] = [];
    for (const [index, item] of asArray(this.child(node, name)).entries()) {
      const value = this.scalar(item, base, name, index);
      if (value !== null) result.push(value);
    }
    return result;
  }

  /** XML agents send 1/0, JSON agents true/false; anything else is unknown. */
  bool(node: unknown, name: string, base: FieldPath): boolean | null {
    const raw = this.child(node, name);
    if (typeof raw === 'boolean') return raw;
    const value = this.text(node, name, base);
    if (value === null) return null;
    if (/^(1|true|yes)$/i.test(value)) return true;
    if (/^(0|false|no)$/i.test(value)) return false;
    return null;
  }

  /** A field's name as the agent wrote it: CONTENT/SOFTWARES[3]/NAME in XML, content.softwares[3].name in JSON. */
  render(path: FieldPath): string {
    let out = '';
    for (const segment of path) {
      if (typeof segment === 'number') out += `[${segment}]`;
      else if (this.format === 'xml') out += `${out === '' ? '' : '/'}${segment.toUpperCase()}`;
      else out += `${out === '' ? '' : '.'}${segment}`;
    }
    return out;
  }
}

function isRecord(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** XML has no arrays: one element parses as an object, several as an array. JSON sends arrays. */
function asArray(value: unknown): readonly unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

function firstRecord(value: unknown): Tree | undefined {
  const first = asArray(value)[0];
  return isRecord(first) ? first : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------------------------------------------

/** The OCS server's reply type; FusionInventory sniffs the zlib magic bytes and the OCS agent ignores the type. */
const OCS_REPLY_CONTENT_TYPE = 'application/x-compress';

/**
 * How to encode an XML reply: like the request. The OCS server always answers zlib, but FusionInventory run
 * with --no-compression cannot inflate (it never loads Compress::Zlib) and reads a plain XML answer instead, and
 * agents without zlib send and expect gzip. Defaults to zlib.
 */
export interface XmlReplyOptions {
  readonly compression?: AgentBodyCompression;
}

/**
 * The OCS server's PROLOG answer: RESPONSE=SEND makes OCS and FusionInventory agents run and send the inventory;
 * PROLOG_FREQ is how many hours they wait before the next PROLOG. Level-6 zlib (header 78 9c) because
 * FusionInventory only recognises a compressed reply by those two bytes.
 */
export function buildPrologReply(options: XmlReplyOptions & { readonly prologFreqHours?: number } = {}): AgentReply {
  const freq = options.prologFreqHours ?? DEFAULT_AGENT_FREQUENCY_HOURS;
  return ocsReply(
    `<RESPONSE>SEND</RESPONSE>\n  <PROLOG_FREQ>${Math.max(1, Math.trunc(freq))}</PROLOG_FREQ>`,
    options.compression,
  );
}

/** The OCS server's INVENTORY acknowledgement: stored, and no account-info (TAG) change pushed back. */
export function buildInventoryReply(options: XmlReplyOptions = {}): AgentReply {
  return ocsReply('<RESPONSE>NO_ACCOUNT_UPDATE</RESPONSE>', options.compression);
}

function ocsReply(inner: string, compression: AgentBodyCompression = 'zlib'): AgentReply {
  const xml = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<REPLY>\n  ${inner}\n</REPLY>\n`, 'utf8');
  if (compression === 'none') return { contentType: 'application/xml', body: xml };
  if (compression === 'gzip') return { contentType: 'application/x-compress-gzip', body: gzipSync(xml) };
  return {
    contentType: OCS_REPLY_CONTENT_TYPE,
    body: deflateSync(xml, { level: zlibConstants.Z_DEFAULT_COMPRESSION }),
  };
}

/** A GLPI-protocol answer. `expiration` is in hours (the agent also accepts `s`, `m`, `h`, `d` suffixes). */
export interface GlpiReplyMessage {
  readonly status: 'ok' | 'error' | 'pending';
  readonly expiration?: number;
  readonly message?: string;
  readonly tasks?: Readonly<Record<string, { readonly server: string; readonly version: string }>>;
  readonly disabled?: readonly string[];
}

/** Server version announced for the inventory task in CONTACT answers (GLPI sends its own version there). */
export const GLPI_SERVER_TASK_VERSION = '10.0';

/**
 * CONTACT answer: inventory runs against this server with the GLPI protocol (`tasks.inventory.server = glpi`);
 * every other task the agent enabled is disabled, since this endpoint has nothing for them.
 */
export function buildContactReply(
  contact: AgentContactMessage,
  options: { readonly expirationHours?: number } = {},
): GlpiReplyMessage {
  const disabled = [...new Set(contact.enabledTasks.map((task) => task.toLowerCase()))].filter(
    (task) => task !== 'inventory',
  );
  return {
    status: 'ok',
    expiration: options.expirationHours ?? DEFAULT_AGENT_FREQUENCY_HOURS,
    tasks: { inventory: { server: 'glpi', version: GLPI_SERVER_TASK_VERSION } },
    ...(disabled.length > 0
      ? { disabled, message: disabled.map((task) => `${task} task not supported`).join(';') }
      : {}),
  };
}

/**
 * Answer to a GLPI agent's legacy XML PROLOG (it sends a GLPI-Agent-ID header) and to its JSON inventory: a
 * JSON `ok` with an expiration switches the agent to the GLPI protocol, as GLPI's own server does.
 */
export function buildGlpiOkReply(options: { readonly expirationHours?: number } = {}): GlpiReplyMessage {
  return { status: 'ok', expiration: options.expirationHours ?? DEFAULT_AGENT_FREQUENCY_HOURS };
}

/**
 * Serialises a GLPI-protocol answer with the request's compression: the GLPI agent reads the reply
 * Content-Type (x-compress-zlib, x-compress-gzip or json) to know how to decode it.
 */
export function encodeGlpiReply(message: GlpiReplyMessage, compression: AgentBodyCompression): AgentReply {
  const json = Buffer.from(JSON.stringify(message), 'utf8');
  if (compression === 'zlib') return { contentType: 'application/x-compress-zlib', body: deflateSync(json) };
  if (compression === 'gzip') return { contentType: 'application/x-compress-gzip', body: gzipSync(json) };
  return { contentType: 'application/json', body: json };
}

/**
 * The body for a refused request: the GLPI agent logs the `message` of a JSON error, OCS and FusionInventory
 * agents only log the HTTP status line, so they get plain text.
 */
export function buildErrorReply(
  error: AgentProtocolError,
  request: Pick<DecodedAgentBody, 'format' | 'compression'> | null,
): AgentReply {
  if (request?.format === 'json') {
    return encodeGlpiReply(
      { status: 'error', message: error.message, expiration: DEFAULT_AGENT_FREQUENCY_HOURS },
      request.compression,
    );
  }
  return { contentType: 'text/plain; charset=utf-8', body: Buffer.from(`${error.code}: ${error.message}\n`, 'utf8') };
}

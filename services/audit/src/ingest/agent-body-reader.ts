import path from 'node:path';
import { Piscina } from 'piscina';
import {
  AgentProtocolError,
  decodeAgentBody,
  parseAgentMessage,
  type AgentContactMessage,
  type AgentInventory,
  type AgentPrologMessage,
  type AgentProtocolStatus,
  type DecodedAgentBody,
  type ParseLimits,
} from './agent-protocol';
import { inventoryContent, packContent, TitleRowMemo, type PackedContent } from './inventory-content';

/** An inventory as the ingest stores it: the parsed message without its software list, which `content` carries. */
export interface InventoryFacts extends Omit<AgentInventory, 'software'> {
  /** Software entries the agent listed (distinct), for the report. */
  readonly softwareCount: number;
}

/** An INVENTORY read all the way: its facts and its content, packed. */
export interface ReadInventoryMessage {
  readonly kind: 'INVENTORY';
  readonly inventory: InventoryFacts;
  readonly content: PackedContent;
}

export type ReadAgentMessage = AgentPrologMessage | AgentContactMessage | ReadInventoryMessage;

/** What reading a body gave: a message, or the protocol error to answer with (`decoded` is null when decoding failed). */
export type ReadAgentBody =
  | { readonly decoded: Pick<DecodedAgentBody, 'format' | 'compression'>; readonly message: ReadAgentMessage }
  | { readonly decoded: Pick<DecodedAgentBody, 'format' | 'compression'> | null; readonly refused: { readonly status: AgentProtocolStatus; readonly code: string; readonly message: string } };

export interface ReadRequest {
  readonly body: Uint8Array;
  readonly contentType: string | undefined;
  readonly maxInflatedBytes: number;
  readonly parse: ParseLimits;
}

/** An inventory's facts and packed content, as `readAgentBody` gives them: for inventories parsed some other way. */
export function readInventory(inventory: AgentInventory, memo?: TitleRowMemo): ReadInventoryMessage {
  const { software, ...facts } = inventory;
  return { kind: 'INVENTORY', inventory: { ...facts, softwareCount: software.length }, content: packContent(inventoryContent(inventory, memo)) };
}

/**
 * Decodes, parses and (for an inventory) flattens a request body: all the CPU work of an ingest that needs no
 * database. Pure, and its result is plain data, so it runs the same on a reading thread as inline.
 */
export function readAgentBody(request: ReadRequest, memo?: TitleRowMemo): ReadAgentBody {
  let decoded: Pick<DecodedAgentBody, 'format' | 'compression'> | null = null;
  try {
    const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
    const full = decodeAgentBody(body, request.contentType, { maxInflatedBytes: request.maxInflatedBytes });
    decoded = { format: full.format, compression: full.compression };
    const message = parseAgentMessage(full, request.parse);
    return { decoded, message: message.kind === 'INVENTORY' ? readInventory(message.inventory, memo) : message };
  } catch (err) {
    if (err instanceof AgentProtocolError) return { decoded, refused: { status: err.status, code: err.code, message: err.message } };
    throw err;
  }
}

/**
 * Reads agent bodies on a pool of threads (piscina), so that inflating, parsing and normalizing one inventory —
 * milliseconds of CPU — does not hold up the event loop that every other request's database round trips wait on.
 * With `threads: 0` it reads inline. Each thread remembers title rows it has seen (`TitleRowMemo`).
 */
export class AgentBodyReader {
  private readonly pool: Piscina<ReadRequest, ReadAgentBody> | null;
  private readonly memo = new TitleRowMemo();

  constructor(threads: number) {
    this.pool =
      threads > 0
        ? new Piscina({
            filename: path.join(__dirname, 'agent-body-reader.thread.js'),
            // Started with the first body, then kept: starting a thread costs more than reading an inventory.
            minThreads: 0,
            maxThreads: threads,
            idleTimeout: Number.POSITIVE_INFINITY,
          })
        : null;
  }

  get threads(): number {
    return this.pool?.threads.length ?? 0;
  }

  read(request: ReadRequest): Promise<ReadAgentBody> {
    if (this.pool === null) return Promise.resolve(readAgentBody(request, this.memo));
    return this.pool.run(request);
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
  }
}

/**
 * Typed events (DESIGN.md §3, SDK `EmitTypedEvent` convention): every Hashgrid state change
 * emits one message of its module's events.proto as an ABCI event whose
 *   type       = the full message name, e.g. "hashgrid.market.v1.EventListingCreated";
 *   attributes = one per field of the message's proto JSON (snake_case key, defaults included),
 *                value = that field's JSON text (so strings are quoted: "\"grid1...\"", 64-bit
 *                integers are quoted decimal strings, messages/lists compact JSON), keys sorted.
 * This is byte-compatible with the Cosmos SDK's TypedEventToEvent / ParseTypedEvent, so SDK
 * tooling and explorers can decode them. Search with the quotes, e.g.
 *   tx_search "hashgrid.market.v1.EventPositionMinted.owner='\"grid1...\"'"
 * The framework additionally appends the SDK's `msg_index` attribute for events of a message.
 */
import type { MessageCodec } from "./gen/hashgrid";
import { hashgridEvents } from "./gen/hashgrid";

export interface TypedEventAbci {
  readonly type: string;
  readonly attributes: ReadonlyArray<readonly [key: string, value: string]>;
}

const byType = new Map(hashgridEvents.map((e) => [e.type, e]));

/** Encodes a typed event as an ABCI event type and attributes (sorted by key). */
export function typedEvent<T>(type: string, event: T, codec?: MessageCodec<T>): TypedEventAbci {
  const c = codec ?? (byType.get(type)?.codec as MessageCodec<T> | undefined);
  if (!c) throw new Error(`unknown event type ${type}`);
  const json = c.toJSON(event) as Record<string, unknown>;
  const keys = Object.keys(json).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { type, attributes: keys.map((k) => [k, JSON.stringify(json[k])] as const) };
}

/** Decodes ABCI event attributes back into the typed event (ignores `msg_index`). */
export function parseTypedEvent<T = unknown>(type: string, attributes: ReadonlyArray<{ key: string; value: string }>): T {
  const info = byType.get(type);
  if (!info) throw new Error(`unknown event type ${type}`);
  const json: Record<string, unknown> = {};
  for (const a of attributes) if (a.key !== "msg_index") json[a.key] = JSON.parse(a.value);
  return info.codec.fromJSON(json) as T;
}

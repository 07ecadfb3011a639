/**
 * SDK REST (gRPC-gateway, gogo jsonpb with OrigName + EmitDefaults) JSON for Hashgrid messages.
 *
 * ts-proto's `toJSON` already gives snake_case keys, defaults, 64-bit integers as strings and
 * enums as names; it differs from the Cosmos SDK gateway in three well-known types, fixed here
 * with the generated field metadata:
 *   - google.protobuf.Timestamp: "2026-01-01T00:00:00Z" / "...:00.120Z" (0, 3, 6 or 9
 *     fractional digits, full nanosecond precision) instead of toISOString's milliseconds;
 *   - google.protobuf.Duration: "86400s" / "1.500s" instead of {"seconds","nanos"};
 *   - google.protobuf.Any: {"@type": "/type.url", ...fields of the packed message} instead of
 *     {"type_url","value"} (packed Hashgrid messages only; others keep type_url/value).
 * `fromSdkJson` accepts that form (and ts-proto's own) and returns the ts-proto object.
 */
import type { MessageCodec } from "./gen/hashgrid";
import { hashgridMsgs } from "./gen/hashgrid";
import { type FieldMeta, messageFields } from "./gen/hashgrid/fields";

interface Seconds {
  seconds: bigint;
  nanos: number;
}

const anyCodecs = new Map<string, MessageCodec>(hashgridMsgs.map((m) => [m.typeUrl, m.type]));

/** Registers more packable types for Any (e.g. cosmjs-types codecs), by type URL. */
export function registerAnyType(typeUrl: string, codec: MessageCodec): void {
  anyCodecs.set(typeUrl, codec);
}

function fraction(nanos: number): string {
  if (nanos === 0) return "";
  const s = nanos.toString().padStart(9, "0");
  if (s.endsWith("000000")) return `.${s.slice(0, 3)}`;
  if (s.endsWith("000")) return `.${s.slice(0, 6)}`;
  return `.${s}`;
}

export function timestampToJson(t: Seconds): string {
  const base = new Date(Number(t.seconds) * 1000).toISOString().slice(0, 19);
  return `${base}${fraction(t.nanos)}Z`;
}

export function durationToJson(d: Seconds): string {
  const neg = d.seconds < 0n || d.nanos < 0;
  const s = d.seconds < 0n ? -d.seconds : d.seconds;
  const n = d.nanos < 0 ? -d.nanos : d.nanos;
  return `${neg ? "-" : ""}${s}${fraction(n)}s`;
}

function durationFromJson(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const m = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(v);
  if (!m) throw new Error(`invalid duration ${v}`);
  const sign = m[1] ? -1 : 1;
  return { seconds: String(BigInt(m[2]!) * BigInt(sign)), nanos: sign * Number((m[3] ?? "").padEnd(9, "0")) };
}

function fieldsOf(typeName: string): readonly FieldMeta[] {
  const f = messageFields[typeName];
  if (!f) throw new Error(`json: no field metadata for ${typeName}`);
  return f;
}

function fixValue(typeName: string, obj: any, json: any): unknown {
  switch (typeName) {
    case "google.protobuf.Timestamp":
      return timestampToJson(obj as Seconds);
    case "google.protobuf.Duration":
      return durationToJson(obj as Seconds);
    case "google.protobuf.Any": {
      const codec = anyCodecs.get(obj.typeUrl as string);
      if (!codec) return json;
      const inner = codec.decode(obj.value as Uint8Array);
      const innerJson = toSdkJson(codec, (obj.typeUrl as string).slice(1), inner) as Record<string, unknown>;
      return { "@type": obj.typeUrl, ...innerJson };
    }
    default:
      return fixMessage(typeName, obj, json);
  }
}

function fixMessage(typeName: string, obj: any, json: any): unknown {
  if (!messageFields[typeName]) return json; // a type without metadata: keep ts-proto's JSON
  for (const f of fieldsOf(typeName)) {
    if (f.kind !== "message" || json[f.name] === undefined) continue;
    const v = obj[f.key];
    if (v === undefined || v === null) continue;
    json[f.name] = f.repeated ? (v as unknown[]).map((x, i) => fixValue(f.type!, x, json[f.name][i])) : fixValue(f.type!, v, json[f.name]);
  }
  return json;
}

/** SDK-gateway JSON of `message` (a ts-proto object of `typeName`). */
export function toSdkJson<T>(codec: MessageCodec<T>, typeName: string, message: T): unknown {
  return fixMessage(typeName, message, codec.toJSON(message));
}

function unfixValue(typeName: string, json: any): unknown {
  switch (typeName) {
    case "google.protobuf.Duration":
      return durationFromJson(json);
    case "google.protobuf.Timestamp":
      return json;
    case "google.protobuf.Any": {
      if (json === null || typeof json !== "object" || !("@type" in json)) return json;
      const { "@type": typeUrl, ...rest } = json as Record<string, unknown>;
      const codec = anyCodecs.get(String(typeUrl));
      if (!codec) throw new Error(`json: unknown Any type ${String(typeUrl)}`);
      const inner = fromSdkJson(codec, String(typeUrl).slice(1), rest);
      return { type_url: typeUrl, value: Buffer.from(codec.encode(inner).finish()).toString("base64") };
    }
    default:
      return unfixMessage(typeName, json);
  }
}

function unfixMessage(typeName: string, json: any): unknown {
  if (json === null || typeof json !== "object" || !messageFields[typeName]) return json;
  const out: Record<string, unknown> = { ...json };
  for (const f of fieldsOf(typeName)) {
    if (f.kind !== "message" || out[f.name] === undefined || out[f.name] === null) continue;
    out[f.name] = f.repeated ? (out[f.name] as unknown[]).map((x) => unfixValue(f.type!, x)) : unfixValue(f.type!, out[f.name]);
  }
  return out;
}

/** Parses SDK-gateway JSON (or ts-proto JSON) of `typeName` into a ts-proto object. */
export function fromSdkJson<T>(codec: MessageCodec<T>, typeName: string, json: unknown): T {
  return codec.fromJSON(unfixMessage(typeName, json));
}

/**
 * Amino JSON converters for every Hashgrid Msg, so that amino-only signers (Keplr's amino
 * screens, Ledger, Secp256k1HdWallet) can sign Hashgrid transactions (SIGN_MODE_LEGACY_AMINO_JSON).
 *
 * The conversion is generic, driven by the generated field metadata (proto/gen/hashgrid/fields.ts)
 * and follows the Cosmos SDK's x/tx aminojson encoder:
 *   - keys are proto field names (snake_case); `{"type": <amino.name>, "value": {...}}` per Msg;
 *   - fields holding their default value ("" / 0 / false / empty list / unset message) are omitted,
 *     unless marked (amino.dont_omitempty), then written as "" / 0 / false / [] / {} ("0" for
 *     cosmos.Int);
 *   - 64-bit integers are decimal strings, 32-bit integers numbers, enums numbers, bytes base64;
 *   - google.protobuf.Timestamp is RFC 3339 (fraction only when non-zero, trailing zeros trimmed),
 *     google.protobuf.Duration a decimal string of nanoseconds, google.protobuf.Any
 *     {"type": <amino name of the packed Msg>, "value": {...}};
 *   - Dec strings are passed through as they are (Hashgrid Dec strings are human-readable
 *     decimals, see docs/api-design.md).
 * Key order does not matter: CosmJS sorts keys when it serializes the StdSignDoc, and the node
 * must rebuild the sign bytes with the same functions (toAmino of the decoded body messages).
 *
 *   const aminoTypes = createHashgridAminoTypes(); // CosmJS defaults + every Hashgrid Msg
 */
import { type AminoConverters, AminoTypes, createDefaultAminoConverters } from "@cosmjs/stargate";
import { fromBase64, toBase64 } from "@cosmjs/encoding";
import { hashgridMsgs, type HashgridMsgInfo } from "../proto/gen/hashgrid";
import { type FieldMeta, messageFields } from "../proto/gen/hashgrid/fields";

const byTypeUrl = new Map(hashgridMsgs.map((m) => [m.typeUrl, m]));
const byAminoType = new Map(hashgridMsgs.map((m) => [m.aminoType, m]));

function fields(typeName: string): readonly FieldMeta[] {
  const f = messageFields[typeName];
  if (!f) throw new Error(`amino: no field metadata for ${typeName}`);
  return f;
}

function isDefaultScalar(f: FieldMeta, v: unknown): boolean {
  if (v === undefined || v === null) return true;
  switch (f.kind) {
    case "string":
      return v === "";
    case "bytes":
      return (v as Uint8Array).length === 0;
    case "bool":
      return v === false;
    case "int64":
      return BigInt(v as bigint) === 0n;
    case "int32":
    case "enum":
      return v === 0;
    default:
      return false;
  }
}

function scalarToAmino(f: FieldMeta, v: unknown): unknown {
  switch (f.kind) {
    case "string":
      return f.scalar === "cosmos.Int" && (v ?? "") === "" ? "0" : (v ?? "");
    case "bytes":
      return toBase64((v as Uint8Array | undefined) ?? new Uint8Array());
    case "bool":
      return v ?? false;
    case "int64":
      return BigInt((v as bigint | undefined) ?? 0n).toString();
    case "int32":
    case "enum":
      return v ?? 0;
    default:
      throw new Error(`amino: not a scalar: ${f.name}`);
  }
}

function scalarFromAmino(f: FieldMeta, v: unknown): unknown {
  switch (f.kind) {
    case "string":
      return String(v);
    case "bytes":
      return fromBase64(String(v));
    case "bool":
      return Boolean(v);
    case "int64":
      return BigInt(v as string);
    case "int32":
    case "enum":
      return Number(v);
    default:
      throw new Error(`amino: not a scalar: ${f.name}`);
  }
}

interface Seconds {
  seconds: bigint;
  nanos: number;
}

function timestampToAmino(t: Seconds): string {
  if (t.nanos < 0 || t.nanos > 999_999_999) throw new Error("amino: invalid timestamp nanos");
  const iso = new Date(Number(t.seconds) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  const base = iso.slice(0, 19);
  if (t.nanos === 0) return `${base}Z`;
  return `${base}.${t.nanos.toString().padStart(9, "0").replace(/0+$/, "")}Z`;
}

function timestampFromAmino(s: string): Seconds {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(s);
  if (!m) throw new Error(`amino: invalid timestamp ${s}`);
  const ms = Date.parse(`${m[1]}Z`);
  if (Number.isNaN(ms)) throw new Error(`amino: invalid timestamp ${s}`);
  return { seconds: BigInt(ms / 1000), nanos: m[2] ? Number(m[2].padEnd(9, "0")) : 0 };
}

function durationToAmino(d: Seconds): string {
  return (BigInt(d.seconds) * 1_000_000_000n + BigInt(d.nanos)).toString();
}

function durationFromAmino(s: string): Seconds {
  const total = BigInt(s);
  const seconds = total / 1_000_000_000n;
  return { seconds, nanos: Number(total - seconds * 1_000_000_000n) };
}

function messageToAmino(typeName: string, v: any): unknown {
  switch (typeName) {
    case "google.protobuf.Timestamp":
      return timestampToAmino(v as Seconds);
    case "google.protobuf.Duration":
      return durationToAmino(v as Seconds);
    case "google.protobuf.Any": {
      const info = byTypeUrl.get(v.typeUrl as string);
      if (!info) throw new Error(`amino: cannot convert Any of type ${String(v.typeUrl)}`);
      return { type: info.aminoType, value: objectToAmino(info.typeUrl.slice(1), info.type.decode(v.value as Uint8Array)) };
    }
    default:
      return objectToAmino(typeName, v);
  }
}

function messageFromAmino(typeName: string, v: any): unknown {
  switch (typeName) {
    case "google.protobuf.Timestamp":
      return timestampFromAmino(String(v));
    case "google.protobuf.Duration":
      return durationFromAmino(String(v));
    case "google.protobuf.Any": {
      const info = byAminoType.get(v.type as string);
      if (!info) throw new Error(`amino: unknown amino type ${String(v.type)}`);
      const inner = info.type.fromPartial(objectFromAmino(info.typeUrl.slice(1), v.value));
      return { typeUrl: info.typeUrl, value: info.type.encode(inner).finish() };
    }
    default:
      return objectFromAmino(typeName, v);
  }
}

/** Converts a ts-proto object of message `typeName` to its amino JSON value. */
export function objectToAmino(typeName: string, obj: any): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields(typeName)) {
    const v = obj?.[f.key];
    if (f.repeated) {
      const list = (v as unknown[] | undefined) ?? [];
      if (list.length === 0) {
        if (f.dontOmitEmpty) out[f.name] = [];
        continue;
      }
      out[f.name] = list.map((x) => (f.kind === "message" ? messageToAmino(f.type!, x) : scalarToAmino(f, x)));
    } else if (f.kind === "message") {
      if (v === undefined || v === null) {
        // Like a non-nullable gogoproto field in the SDK: always written, here as the empty message.
        if (f.dontOmitEmpty) out[f.name] = objectToAmino(f.type!, {});
        continue;
      }
      out[f.name] = messageToAmino(f.type!, v);
    } else {
      if (isDefaultScalar(f, v) && !f.dontOmitEmpty) continue;
      out[f.name] = scalarToAmino(f, v);
    }
  }
  return out;
}

/** Converts an amino JSON value back to a (partial) ts-proto object of message `typeName`. */
export function objectFromAmino(typeName: string, json: any): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields(typeName)) {
    const v = json?.[f.name];
    if (v === undefined || v === null) continue;
    if (f.repeated) {
      out[f.key] = (v as unknown[]).map((x) => (f.kind === "message" ? messageFromAmino(f.type!, x) : scalarFromAmino(f, x)));
    } else {
      out[f.key] = f.kind === "message" ? messageFromAmino(f.type!, v) : scalarFromAmino(f, v);
    }
  }
  return out;
}

/** The amino converter of one Hashgrid Msg. */
export function aminoConverterFor(m: HashgridMsgInfo): AminoConverters[string] {
  const typeName = m.typeUrl.slice(1);
  return {
    aminoType: m.aminoType,
    toAmino: (value: unknown) => objectToAmino(typeName, value),
    fromAmino: (value: unknown) => m.type.fromPartial(objectFromAmino(typeName, value)),
  };
}

/** Converters for every Hashgrid Msg, keyed by type URL (spread into CosmJS AminoTypes). */
export function createHashgridAminoConverters(): AminoConverters {
  return Object.fromEntries(hashgridMsgs.map((m) => [m.typeUrl, aminoConverterFor(m)]));
}

/** AminoTypes with CosmJS's default Cosmos SDK converters plus every Hashgrid Msg. */
export function createHashgridAminoTypes(): AminoTypes {
  return new AminoTypes({ ...createDefaultAminoConverters(), ...createHashgridAminoConverters() });
}

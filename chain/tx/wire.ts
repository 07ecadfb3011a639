/**
 * Strict protobuf checking (DESIGN.md §7, ADR-020). cosmjs-types' decode() silently skips unknown
 * fields, which would let anyone bloat or malleate a tx with uninterpreted data. Before decoding,
 * every byte string a user sends is walked against a schema of the field numbers and wire types
 * its message type defines:
 *
 * - an unknown field number is rejected, except in a schema marked `allowNonCritical` (TxBody),
 *   where fields 1024-2047 (bit 11 set: ADR-020 non-critical extensions) are skipped;
 * - a known field with the wrong wire type is rejected;
 * - groups (wire types 3/4), field number 0, truncated data and over-long varints are rejected;
 * - strings must be valid UTF-8 (as Go's proto3 decoder requires);
 * - nested messages are walked recursively (depth-limited); `Any` values are resolved through a
 *   type-url resolver and an unresolvable type_url is rejected.
 *
 * Hand-written on purpose: it is small, it is on the hot path and it is ours.
 */
import { sdkErrors } from "../app/errors";

export const WT_VARINT = 0;
export const WT_FIXED64 = 1;
export const WT_LEN = 2;
export const WT_FIXED32 = 5;

export type FieldKind = "varint" | "fixed64" | "fixed32" | "bytes" | "string" | "message" | "any";

export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  readonly repeated?: boolean;
  /** Nested schema for kind "message". A function allows recursive schemas. */
  readonly msg?: MessageSchema | (() => MessageSchema);
}

export interface MessageSchema {
  /** Fully-qualified protobuf name, used in error messages ("cosmos.tx.v1beta1.AuthInfo"). */
  readonly name: string;
  readonly fields: Readonly<Record<number, FieldSpec>>;
  /** ADR-020: skip unknown fields whose number has bit 11 set (1024-2047). TxBody only. */
  readonly allowNonCritical?: boolean;
}

/** Resolves the schema of an `Any`'s value by type_url; undefined = not accepted here. */
export type AnyResolver = (typeUrl: string) => MessageSchema | undefined;

const MAX_DEPTH = 16;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function wireTypeOf(kind: FieldKind): number {
  switch (kind) {
    case "varint":
      return WT_VARINT;
    case "fixed64":
      return WT_FIXED64;
    case "fixed32":
      return WT_FIXED32;
    default:
      return WT_LEN;
  }
}

function fail(path: string, why: string): never {
  throw sdkErrors.TxDecode.wrap(`${path}: ${why}`);
}

/** Reads a varint at `pos`; returns [value as number (exact below 2^53), next position]. Rejects >10 bytes. */
export function readVarint(buf: Uint8Array, pos: number, path: string): [number, number] {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) fail(path, "truncated varint");
    const b = buf[pos++];
    if (i === 9 && b > 1) fail(path, "varint overflows 64 bits");
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return [result, pos];
    mul *= 128;
  }
  return fail(path, "varint longer than 10 bytes");
}

/** One field occurrence found while walking (used by the ADR-027 TxRaw check). */
export interface FieldOccurrence {
  readonly num: number;
  readonly wt: number;
  /** Start of the tag. */
  readonly start: number;
  /** Value bounds (for length-delimited fields: the payload without its length prefix). */
  readonly valueStart: number;
  readonly valueEnd: number;
  /** True when the tag and (for LEN fields) length varints are minimally encoded. */
  readonly minimal: boolean;
}

function varintLen(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** True when every byte is ASCII (then the bytes are valid UTF-8 without asking the decoder). */
function isAscii(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] > 0x7f) return false;
  return true;
}

// readVarintAt's results (module state instead of a tuple: this runs for every field of every tx).
let vValue = 0;
let vNext = 0;

/** readVarint without allocations; `fieldNum` >= 0 names the field in errors (`path.num`), -1 = `path`. */
function readVarintAt(buf: Uint8Array, pos: number, path: string, fieldNum: number): void {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) fail(fieldNum < 0 ? path : `${path}.${fieldNum}`, "truncated varint");
    const b = buf[pos++];
    if (i === 9 && b > 1) fail(fieldNum < 0 ? path : `${path}.${fieldNum}`, "varint overflows 64 bits");
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) {
      vValue = result;
      vNext = pos;
      return;
    }
    mul *= 128;
  }
  fail(fieldNum < 0 ? path : `${path}.${fieldNum}`, "varint longer than 10 bytes");
}

/**
 * Walks `buf` as one message of `schema`; throws sdkErrors.TxDecode naming the offending field.
 * `onField`, when given, sees every top-level field occurrence in order.
 * (Error paths are built only when failing: the walk runs for every tx.)
 */
export function checkMessage(
  buf: Uint8Array,
  schema: MessageSchema,
  resolveAny?: AnyResolver,
  path: string = schema.name,
  depth = 0,
  onField?: (f: FieldOccurrence) => void,
): void {
  if (depth > MAX_DEPTH) fail(path, `nesting deeper than ${MAX_DEPTH}`);
  let pos = 0;
  const n = buf.length;
  while (pos < n) {
    const start = pos;
    readVarintAt(buf, pos, path, -1);
    const tag = vValue;
    pos = vNext;
    const tagLen = pos - start;
    const num = Math.floor(tag / 8);
    const wt = tag % 8;
    if (num === 0) fail(path, "field number 0 is invalid");
    if (num > 536870911) fail(path, `field number ${num} is out of range`);
    if (wt === 3 || wt === 4) fail(path, `field ${num} uses deprecated group wire type ${wt}`);
    if (wt !== 0 && wt !== 1 && wt !== 2 && wt !== 5) fail(path, `field ${num} has invalid wire type ${wt}`);

    // Value bounds.
    let valueStart = pos;
    let valueEnd: number;
    let minimal = tagLen === varintLen(tag);
    switch (wt) {
      case WT_VARINT:
        readVarintAt(buf, pos, path, num);
        valueEnd = vNext;
        break;
      case WT_FIXED64:
        valueEnd = pos + 8;
        break;
      case WT_FIXED32:
        valueEnd = pos + 4;
        break;
      default: {
        readVarintAt(buf, pos, path, num);
        const len = vValue;
        valueStart = vNext;
        if (valueStart - pos !== varintLen(len)) minimal = false;
        valueEnd = valueStart + len;
      }
    }
    if (valueEnd > n) fail(`${path}.${num}`, "truncated field");
    pos = valueEnd;
    const occurrence: FieldOccurrence | undefined = onField ? { num, wt, start, valueStart, valueEnd, minimal } : undefined;

    const spec = schema.fields[num];
    if (!spec) {
      if (schema.allowNonCritical && (num & 0x400) !== 0 && num < 2048) {
        if (onField) onField(occurrence!);
        continue; // ADR-020 non-critical
      }
      const where = path === schema.name ? path : `${path} (${schema.name})`;
      fail(where, `unknown field number ${num} (wire type ${wt}); this node does not understand it, so the tx is rejected`);
    }
    const expected = wireTypeOf(spec.kind);
    if (wt !== expected) {
      // Packed repeated scalars arrive as LEN.
      if (!(spec.repeated && wt === WT_LEN && (spec.kind === "varint" || spec.kind === "fixed32" || spec.kind === "fixed64"))) {
        fail(`${path}.${spec.name}`, `wire type ${wt} does not match the field's type (expected ${expected})`);
      }
      if (onField) onField(occurrence!);
      continue;
    }
    if (spec.kind === "string") {
      if (!isAscii(buf, valueStart, valueEnd)) {
        try {
          utf8.decode(buf.subarray(valueStart, valueEnd));
        } catch {
          fail(`${path}.${spec.name}`, "invalid UTF-8");
        }
      }
    } else if (spec.kind === "message") {
      const fpath = `${path}.${spec.name}`;
      const sub = typeof spec.msg === "function" ? spec.msg() : spec.msg;
      if (!sub) fail(fpath, "no schema");
      checkMessage(buf.subarray(valueStart, valueEnd), sub, resolveAny, fpath, depth + 1);
    } else if (spec.kind === "any") {
      checkAny(buf.subarray(valueStart, valueEnd), resolveAny, `${path}.${spec.name}`, depth + 1);
    }
    if (onField) onField(occurrence!);
  }
}

export const AnySchema: MessageSchema = {
  name: "google.protobuf.Any",
  fields: { 1: { name: "type_url", kind: "string" }, 2: { name: "value", kind: "bytes" } },
};

/** Checks an Any's own fields, then its value against the schema its type_url resolves to. */
export function checkAny(buf: Uint8Array, resolveAny: AnyResolver | undefined, path: string, depth: number): void {
  let typeUrl = "";
  let value: Uint8Array = new Uint8Array(0);
  checkMessage(buf, AnySchema, undefined, path, depth, (f) => {
    if (f.num === 1 && f.wt === WT_LEN) typeUrl = utf8.decode(buf.subarray(f.valueStart, f.valueEnd));
    if (f.num === 2 && f.wt === WT_LEN) value = buf.subarray(f.valueStart, f.valueEnd);
  });
  const sub = resolveAny?.(typeUrl);
  if (!sub) fail(path, `type_url "${typeUrl.slice(0, 128)}" is not accepted here`);
  checkMessage(value, sub, resolveAny, `${path}(${typeUrl})`, depth + 1);
}

// ---- Shared schemas -------------------------------------------------------------------------

export const CoinSchema: MessageSchema = {
  name: "cosmos.base.v1beta1.Coin",
  fields: { 1: { name: "denom", kind: "string" }, 2: { name: "amount", kind: "string" } },
};

export const TimestampSchema: MessageSchema = {
  name: "google.protobuf.Timestamp",
  fields: { 1: { name: "seconds", kind: "varint" }, 2: { name: "nanos", kind: "varint" } },
};

/** Checks `bytes` strictly against `schema`, then decodes them; the building block of MsgHandler.decode. */
export function strictDecode<T>(bytes: Uint8Array, schema: MessageSchema, decode: (b: Uint8Array) => T, resolveAny?: AnyResolver): T {
  checkMessage(bytes, schema, resolveAny);
  try {
    return decode(bytes);
  } catch (e) {
    throw sdkErrors.TxDecode.wrap(`${schema.name}: ${(e as Error).message}`);
  }
}

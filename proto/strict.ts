/**
 * Strict decoding of Hashgrid messages (DESIGN.md §7, ADR-020): ts-proto's `decode` silently
 * skips unknown fields, so a transaction could carry bytes no one validated. `checkStrict` walks
 * the wire bytes with the generated field metadata (proto/gen/hashgrid/fields.ts) and rejects
 *   - unknown field numbers (unless `allowNonCritical` and the number has bit 11 set,
 *     1024-2047, the ADR-020 "non-critical" range),
 *   - wire types that do not match the field's type (packed repeated scalars are accepted),
 *   - truncated or malformed data, groups and fixed32/fixed64 values (not used by Hashgrid),
 *   - `google.protobuf.Any` values whose type URL is unknown, recursing into known ones,
 * recursively in every nested message.
 *
 *   const msg = strictDecode(info, bytes); // info from hashgridMsgs
 *
 * Errors are thrown as `StrictDecodeError`; the tx decoder maps them to sdk/2 ErrTxDecode.
 */
import type { HashgridMsgInfo, MessageCodec } from "./gen/hashgrid";
import { type FieldMeta, messageFields } from "./gen/hashgrid/fields";

export class StrictDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StrictDecodeError";
  }
}

export interface StrictOptions {
  /** Accept unknown fields numbered 1024-2047 (ADR-020 non-critical). Default false. */
  readonly allowNonCritical?: boolean;
  /** Resolves the message type of an Any's type URL ("/pkg.Msg" -> "pkg.Msg"); default: any type in fields.ts. */
  readonly resolveAny?: (typeUrl: string) => string | undefined;
  /** Maximum nesting depth. Default 32. */
  readonly maxDepth?: number;
}

const WIRE_VARINT = 0;
const WIRE_LEN = 2;

function readVarint(buf: Uint8Array, pos: number, what: string): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new StrictDecodeError(`truncated varint in ${what}`);
    const b = buf[pos++]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
  throw new StrictDecodeError(`varint too long in ${what}`);
}

function defaultResolveAny(typeUrl: string): string | undefined {
  const name = typeUrl.startsWith("/") ? typeUrl.slice(1) : undefined;
  return name !== undefined && messageFields[name] ? name : undefined;
}

/** Throws StrictDecodeError unless `bytes` is a valid encoding of `typeName` with no unknown fields. */
export function checkStrict(typeName: string, bytes: Uint8Array, options: StrictOptions = {}, depth = 0): void {
  const maxDepth = options.maxDepth ?? 32;
  if (depth > maxDepth) throw new StrictDecodeError(`message nesting deeper than ${maxDepth}`);
  const fields = messageFields[typeName];
  if (!fields) throw new StrictDecodeError(`unknown message type ${typeName}`);
  const byNo = new Map<number, FieldMeta>(fields.map((f) => [f.no, f]));
  let anyTypeUrl: string | undefined;
  let anyValue: Uint8Array | undefined;
  let pos = 0;
  while (pos < bytes.length) {
    const [tag, p1] = readVarint(bytes, pos, typeName);
    pos = p1;
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (no === 0) throw new StrictDecodeError(`field number 0 in ${typeName}`);
    const f = byNo.get(no);
    let payload: Uint8Array | undefined;
    if (wire === WIRE_VARINT) {
      pos = readVarint(bytes, pos, typeName)[1];
    } else if (wire === WIRE_LEN) {
      const [len, p2] = readVarint(bytes, pos, typeName);
      if (len > BigInt(bytes.length - p2)) throw new StrictDecodeError(`truncated field ${no} in ${typeName}`);
      payload = bytes.subarray(p2, p2 + Number(len));
      pos = p2 + Number(len);
    } else {
      throw new StrictDecodeError(`unsupported wire type ${wire} (field ${no}) in ${typeName}`);
    }
    if (!f) {
      if (options.allowNonCritical && (no & 1024) !== 0 && no < 2048) continue;
      throw new StrictDecodeError(`unknown field ${no} in ${typeName}`);
    }
    const expected = f.kind === "string" || f.kind === "bytes" || f.kind === "message" ? WIRE_LEN : WIRE_VARINT;
    const packedOk = f.repeated && expected === WIRE_VARINT && wire === WIRE_LEN;
    if (wire !== expected && !packedOk) {
      throw new StrictDecodeError(`wire type ${wire} does not match field ${typeName}.${f.name}`);
    }
    if (packedOk) {
      let q = 0;
      while (q < payload!.length) q = readVarint(payload!, q, `${typeName}.${f.name}`)[1];
    } else if (f.kind === "string") {
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(payload);
      } catch {
        throw new StrictDecodeError(`invalid UTF-8 in ${typeName}.${f.name}`);
      }
    } else if (f.kind === "message") {
      checkStrict(f.type!, payload!, options, depth + 1);
    }
    if (typeName === "google.protobuf.Any") {
      if (no === 1) anyTypeUrl = new TextDecoder().decode(payload);
      if (no === 2) anyValue = payload;
    }
  }
  if (typeName === "google.protobuf.Any") {
    const url = anyTypeUrl ?? "";
    const inner = (options.resolveAny ?? defaultResolveAny)(url);
    if (!inner) throw new StrictDecodeError(`unregistered Any type URL "${url}"`);
    checkStrict(inner, anyValue ?? new Uint8Array(), options, depth + 1);
  }
}

/** `checkStrict` then the ts-proto decode of a Hashgrid Msg. */
export function strictDecode<T = any>(info: Pick<HashgridMsgInfo, "typeUrl" | "type">, bytes: Uint8Array, options?: StrictOptions): T {
  checkStrict(info.typeUrl.slice(1), bytes, options);
  return (info.type as MessageCodec<T>).decode(bytes);
}

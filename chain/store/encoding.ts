/** Byte helpers shared by the IAVL tree, the on-disk format and proofs. */
import { hash as cryptoHash } from "node:crypto";

export const EMPTY_HASH: Uint8Array = sha256(new Uint8Array(0));

export function sha256(data: Uint8Array): Uint8Array {
  // One-shot crypto.hash is ~3x cheaper than createHash() for small inputs.
  return cryptoHash("sha256", data, "buffer");
}

/** Unsigned byte-order comparison (the only key order the store uses). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  // A JS loop beats Buffer.compare's native call for the short keys of a tree walk.
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

export function fromHex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, "hex"));
}

const latin1Slice: (this: Uint8Array, start: number, end: number) => string =
  typeof (Buffer.prototype as { latin1Slice?: unknown }).latin1Slice === "function"
    ? (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, s: number, e: number) => string }).latin1Slice
    : function (this: Uint8Array, start: number, end: number): string {
        return Buffer.from(this.buffer, this.byteOffset + start, end - start).toString("latin1");
      };

/**
 * Map key for a byte string: latin1 keeps one char per byte, so JS string order
 * (UTF-16 code units) equals unsigned byte order.
 */
export function bytesToKey(b: Uint8Array): string {
  // Buffer's native latin1Slice accepts any Uint8Array: no Buffer wrapper per call and no
  // toString() encoding dispatch (~3x cheaper for 20-40 byte keys; every store access converts).
  return latin1Slice.call(b, 0, b.length);
}

/** A latin1 string's bytes (one byte per char) in a new Uint8Array of its own. */
export function keyToBytes(s: string): Uint8Array {
  const n = s.length;
  // Keys and hashes are short: a loop beats Buffer.from + copy there; long values go native.
  if (n > 64) return new Uint8Array(Buffer.from(s, "latin1"));
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Number of bytes of uvarint(n), n a non-negative safe integer. */
export function uvarintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  let size = 5;
  n = Math.floor(n / 0x800000000);
  while (n > 0) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Writes uvarint(n) at `pos`; returns the new position. Safe for n < 2^53. */
export function putUvarint(buf: Uint8Array, pos: number, n: number): number {
  if (n < 0x100000000) {
    // 32-bit fast path (heights, sizes, versions, nonces): shifts instead of float division.
    while (n >= 0x80) {
      buf[pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[pos++] = n;
    return pos;
  }
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/** Go binary.PutVarint: zigzag then uvarint. n must be a safe integer. */
export function putVarint(buf: Uint8Array, pos: number, n: number): number {
  // zigzag without 32-bit ops (heights/sizes/versions can exceed 2^31).
  return putUvarint(buf, pos, n >= 0 ? n * 2 : -n * 2 - 1);
}

export function varintSize(n: number): number {
  return uvarintSize(n >= 0 ? n * 2 : -n * 2 - 1);
}

export function encodeUvarint(n: number): Uint8Array {
  const out = new Uint8Array(uvarintSize(n));
  putUvarint(out, 0, n);
  return out;
}

export function encodeVarint(n: number): Uint8Array {
  const out = new Uint8Array(varintSize(n));
  putVarint(out, 0, n);
  return out;
}

/** End position of the last `uvarintAt` read. */
export const uvarintEnd = { pos: 0 };

/**
 * Reads a uvarint at `pos` without allocating: returns the value and leaves the end position in
 * `uvarintEnd.pos` (a [value, end] tuple per varint was most of a node load's garbage). Throws on
 * truncation/overflow.
 */
export function uvarintAt(buf: Uint8Array, pos: number): number {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 8; i++) {
    if (pos >= buf.length) throw new RangeError("truncated uvarint");
    const b = buf[pos++]!;
    result += (b & 0x7f) * mul;
    if (b < 0x80) {
      if (!Number.isSafeInteger(result)) throw new RangeError("uvarint exceeds 2^53");
      uvarintEnd.pos = pos;
      return result;
    }
    mul *= 128;
  }
  throw new RangeError("uvarint too long");
}

/** Reads a uvarint; returns [value, newPos] or throws on truncation/overflow. */
export function readUvarint(buf: Uint8Array, pos: number): [number, number] {
  const v = uvarintAt(buf, pos);
  return [v, uvarintEnd.pos];
}

/** Go binary.ReadVarint (zigzag). */
export function readVarint(buf: Uint8Array, pos: number): [number, number] {
  const [u, p] = readUvarint(buf, pos);
  // Undo zigzag with arithmetic (values may exceed 2^31).
  const v = u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  return [v, p];
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

export function writeBE64(buf: Uint8Array, pos: number, n: number): number {
  // Byte writes instead of a DataView: this runs for every node key of a commit.
  let hi = Math.floor(n / 0x100000000);
  let lo = n >>> 0;
  for (let i = 3; i >= 0; i--) {
    buf[pos + i] = hi & 0xff;
    hi >>>= 8;
    buf[pos + 4 + i] = lo & 0xff;
    lo >>>= 8;
  }
  return pos + 8;
}

export function readBE64(buf: Uint8Array, pos: number): number {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = dv.getUint32(pos) * 0x100000000 + dv.getUint32(pos + 4);
  if (!Number.isSafeInteger(n)) throw new RangeError("BE64 exceeds 2^53");
  return n;
}

/** Smallest byte string greater than every string with this prefix, or undefined if none. */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  const end = Uint8Array.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}

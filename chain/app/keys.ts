/**
 * Store-key building blocks every module uses (DESIGN.md §4): a one-byte collection prefix,
 * length-prefixed variable parts (addresses), big-endian fixed-width numbers so that byte order
 * equals numeric order, and utf-8 strings as the last part.
 *
 * @example
 *   // 0x02 | len(addr) | addr | denom
 *   const balanceKey = storeKey(0x02, lengthPrefixed(addr), utf8(denom));
 *   // 0x10 | BE64(dueTime) | BE64(id)   (a time-keyed queue)
 *   const queueKey = storeKey(0x10, u64BE(dueTime), u64BE(id));
 */

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });

/** prefix ‖ parts… as one new array. */
export function storeKey(prefix: number, ...parts: readonly Uint8Array[]): Uint8Array {
  let n = 1;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  out[0] = prefix;
  let pos = 1;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** len(b) ‖ b, like the SDK's address.MustLengthPrefix; 1..255 bytes. */
export function lengthPrefixed(b: Uint8Array): Uint8Array {
  if (b.length === 0 || b.length > 255) throw new RangeError(`length-prefixed part must be 1..255 bytes, got ${b.length}`);
  const out = new Uint8Array(b.length + 1);
  out[0] = b.length;
  out.set(b, 1);
  return out;
}

/** prefix ‖ len(addr) ‖ addr in one allocation (= storeKey(prefix, lengthPrefixed(addr)); hot path). */
export function prefixedAddressKey(prefix: number, addr: Uint8Array): Uint8Array {
  const n = addr.length;
  if (n === 0 || n > 255) throw new RangeError(`length-prefixed part must be 1..255 bytes, got ${n}`);
  const out = new Uint8Array(n + 2);
  out[0] = prefix;
  out[1] = n;
  out.set(addr, 2);
  return out;
}

/**
 * prefix ‖ len(addr) ‖ addr ‖ utf8(s) in one allocation (= storeKey(prefix, lengthPrefixed(addr),
 * utf8(s))): ASCII strings (denoms) are copied char by char, anything else goes through utf8().
 */
export function prefixedAddressStringKey(prefix: number, addr: Uint8Array, s: string): Uint8Array {
  const n = addr.length;
  if (n === 0 || n > 255) throw new RangeError(`length-prefixed part must be 1..255 bytes, got ${n}`);
  const sl = s.length;
  for (let i = 0; i < sl; i++) {
    if (s.charCodeAt(i) > 0x7f) return storeKey(prefix, lengthPrefixed(addr), utf8(s));
  }
  const out = new Uint8Array(n + 2 + sl);
  out[0] = prefix;
  out[1] = n;
  out.set(addr, 2);
  for (let i = 0, p = n + 2; i < sl; i++, p++) out[p] = s.charCodeAt(i);
  return out;
}

/** Splits len(b) ‖ b ‖ rest; undefined when malformed (a key written by someone else is never trusted). */
export function splitLengthPrefixed(b: Uint8Array): { part: Uint8Array; rest: Uint8Array } | undefined {
  if (b.length < 1) return undefined;
  const n = b[0];
  if (n === 0 || b.length < 1 + n) return undefined;
  return { part: b.subarray(1, 1 + n), rest: b.subarray(1 + n) };
}

/** 8-byte big-endian uint64 (ids, times, heights): byte order = numeric order. */
export function u64BE(v: bigint): Uint8Array {
  if (v < 0n || v > 0xffff_ffff_ffff_ffffn) throw new RangeError(`uint64 out of range: ${v}`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v);
  return out;
}

export function readU64BE(b: Uint8Array): bigint {
  if (b.length !== 8) throw new RangeError(`expected 8 bytes, got ${b.length}`);
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
}

export function utf8(s: string): Uint8Array {
  return enc.encode(s);
}

/** Strict utf-8 decode (throws on invalid bytes). */
export function fromUtf8(b: Uint8Array): string {
  return dec.decode(b);
}

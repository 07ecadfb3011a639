/**
 * auth store layout (store "auth"). One-byte prefixes; addresses are length-prefixed so that
 * 20- and 32-byte addresses never collide and every prefix helper is a byte prefix.
 *
 *   0x01 | len(addr) | addr      → Any(BaseAccount | ModuleAccount) protobuf
 *   0x02                          → next account number (uint64 big-endian)
 *   0x03                          → Params protobuf
 *   0x04 | module name (utf-8)    → module account address
 *   0x05 | len(addr) | addr      → 0x01 marker: `addr` holds a module account (blocked for plain sends)
 */
export const MODULE_NAME = "auth";
export const STORE_NAME = "auth";

export const ACCOUNT_PREFIX = new Uint8Array([0x01]);
export const NEXT_ACCOUNT_NUMBER_KEY = new Uint8Array([0x02]);
export const PARAMS_KEY = new Uint8Array([0x03]);
export const MODULE_ACCOUNT_PREFIX = new Uint8Array([0x04]);

export function lengthPrefixed(addr: Uint8Array): Uint8Array {
  if (addr.length === 0 || addr.length > 255) throw new Error(`address length ${addr.length} out of range`);
  const out = new Uint8Array(addr.length + 1);
  out[0] = addr.length;
  out.set(addr, 1);
  return out;
}

export function accountKey(addr: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + addr.length);
  out[0] = 0x01;
  out[1] = addr.length;
  out.set(addr, 2);
  return out;
}

/** Inverse of accountKey for the part after the prefix; undefined when malformed. */
export function addressFromAccountKey(rel: Uint8Array): Uint8Array | undefined {
  if (rel.length < 1 || rel[0] + 1 !== rel.length) return undefined;
  return rel.subarray(1);
}

export function moduleAddressMarkerKey(addr: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + addr.length);
  out[0] = 0x05;
  out[1] = addr.length;
  out.set(addr, 2);
  return out;
}

export function moduleAccountKey(name: string): Uint8Array {
  const n = new TextEncoder().encode(name);
  const out = new Uint8Array(1 + n.length);
  out[0] = 0x04;
  out.set(n, 1);
  return out;
}

export function encodeU64(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v);
  return out;
}

export function decodeU64(b: Uint8Array): bigint {
  if (b.length !== 8) throw new Error(`expected 8 bytes, got ${b.length}`);
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
}

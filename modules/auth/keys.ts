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
import { lengthPrefixed, prefixedAddressKey, readU64BE, splitLengthPrefixed, storeKey, u64BE, utf8 } from "../../chain/app/keys";

export const MODULE_NAME = "auth";
export const STORE_NAME = "auth";

export const ACCOUNT_PREFIX = new Uint8Array([0x01]);
export const NEXT_ACCOUNT_NUMBER_KEY = new Uint8Array([0x02]);
export const PARAMS_KEY = new Uint8Array([0x03]);
export const MODULE_ACCOUNT_PREFIX = new Uint8Array([0x04]);
/** Prefix of the module-account markers (moduleAddressMarkerKey). */
export const MODULE_MARKER_PREFIX = new Uint8Array([0x05]);

export { lengthPrefixed };

export function accountKey(addr: Uint8Array): Uint8Array {
  return prefixedAddressKey(0x01, addr);
}

export function accountKeyLength(addr: Uint8Array): number {
  return addr.length + 2;
}

/** Inverse of accountKey for the part after the prefix; undefined when malformed. */
export function addressFromAccountKey(rel: Uint8Array): Uint8Array | undefined {
  const s = splitLengthPrefixed(rel);
  return s && s.rest.length === 0 ? s.part : undefined;
}

export function moduleAddressMarkerKey(addr: Uint8Array): Uint8Array {
  return prefixedAddressKey(0x05, addr);
}

export function moduleAccountKey(name: string): Uint8Array {
  return storeKey(0x04, utf8(name));
}

export const encodeU64 = u64BE;
export const decodeU64 = readU64BE;

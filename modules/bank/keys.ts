/**
 * bank store layout (store "bank"), like x/bank/types/keys.go:
 *
 *   0x00 | denom                      → total supply (decimal string)
 *   0x01 | denom                      → denom Metadata protobuf
 *   0x02 | len(addr) | addr | denom   → balance (decimal string); zero balances are deleted
 *   0x04 | denom                      → send enabled flag (0x00 / 0x01)
 *   0x05                              → Params protobuf
 */
import { fromUtf8, prefixedAddressKey, prefixedAddressStringKey, splitLengthPrefixed, storeKey, utf8 } from "../../chain/app/keys";

export const MODULE_NAME = "bank";
export const STORE_NAME = "bank";

export const SUPPLY_PREFIX = new Uint8Array([0x00]);
export const DENOM_METADATA_PREFIX = new Uint8Array([0x01]);
export const BALANCES_PREFIX = new Uint8Array([0x02]);
export const SEND_ENABLED_PREFIX = new Uint8Array([0x04]);
export const PARAMS_KEY = new Uint8Array([0x05]);

export function supplyKey(denom: string): Uint8Array {
  return storeKey(0x00, utf8(denom));
}

export function denomMetadataKey(denom: string): Uint8Array {
  return storeKey(0x01, utf8(denom));
}

export function sendEnabledKey(denom: string): Uint8Array {
  return storeKey(0x04, utf8(denom));
}

/** 0x02 | len | addr: the prefix of every balance of `addr`. */
export function accountBalancesPrefix(addr: Uint8Array): Uint8Array {
  return prefixedAddressKey(0x02, addr);
}

export function balanceKey(addr: Uint8Array, denom: string): Uint8Array {
  return prefixedAddressStringKey(0x02, addr, denom);
}

/** Splits the part of a balance key after 0x02 into (addr, denom); undefined if malformed. */
export function parseBalanceKey(rel: Uint8Array): { addr: Uint8Array; denom: string } | undefined {
  const s = splitLengthPrefixed(rel);
  if (!s || s.rest.length === 0) return undefined;
  return { addr: s.part, denom: fromUtf8(s.rest) };
}

/** Decimal digits of `v` (negative amounts are never stored; they take the generic path). */
export function encodeAmount(v: bigint): Uint8Array {
  const s = v.toString();
  if (v < 0n) return utf8(s);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Up to 15 ASCII digits are summed as a number (exact below 2^53); anything else via BigInt(string). */
export function decodeAmount(b: Uint8Array): bigint {
  const n = b.length;
  if (n > 0 && n <= 15 && (b[0] !== 0x30 || n === 1)) {
    let x = 0;
    for (let i = 0; i < n; i++) {
      const d = b[i] - 0x30;
      if (d < 0 || d > 9) return BigInt(fromUtf8(b));
      x = x * 10 + d;
    }
    return BigInt(x);
  }
  return BigInt(fromUtf8(b));
}

/** decodeAmount of a value held as a latin1 string (one char per byte): the same result or error. */
export function decodeAmountLatin1(s: string): bigint {
  const n = s.length;
  if (n > 0 && n <= 15 && (s.charCodeAt(0) !== 0x30 || n === 1)) {
    let x = 0;
    for (let i = 0; i < n; i++) {
      const d = s.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) return decodeAmount(Buffer.from(s, "latin1"));
      x = x * 10 + d;
    }
    return BigInt(x);
  }
  return decodeAmount(Buffer.from(s, "latin1"));
}

export const decodeDenom = fromUtf8;

/**
 * bank store layout (store "bank"), like x/bank/types/keys.go:
 *
 *   0x00 | denom                      → total supply (decimal string)
 *   0x01 | denom                      → denom Metadata protobuf
 *   0x02 | len(addr) | addr | denom   → balance (decimal string); zero balances are deleted
 *   0x04 | denom                      → send enabled flag (0x00 / 0x01)
 *   0x05                              → Params protobuf
 */
import { fromUtf8, lengthPrefixed, splitLengthPrefixed, storeKey, utf8 } from "../../chain/app/keys";

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
  return storeKey(0x02, lengthPrefixed(addr));
}

export function balanceKey(addr: Uint8Array, denom: string): Uint8Array {
  return storeKey(0x02, lengthPrefixed(addr), utf8(denom));
}

/** Splits the part of a balance key after 0x02 into (addr, denom); undefined if malformed. */
export function parseBalanceKey(rel: Uint8Array): { addr: Uint8Array; denom: string } | undefined {
  const s = splitLengthPrefixed(rel);
  if (!s || s.rest.length === 0) return undefined;
  return { addr: s.part, denom: fromUtf8(s.rest) };
}

export function encodeAmount(v: bigint): Uint8Array {
  return utf8(v.toString());
}

export function decodeAmount(b: Uint8Array): bigint {
  return BigInt(fromUtf8(b));
}

export const decodeDenom = fromUtf8;

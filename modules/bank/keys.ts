/**
 * bank store layout (store "bank"), like x/bank/types/keys.go:
 *
 *   0x00 | denom                      → total supply (decimal string)
 *   0x01 | denom                      → denom Metadata protobuf
 *   0x02 | len(addr) | addr | denom   → balance (decimal string); zero balances are deleted
 *   0x04 | denom                      → send enabled flag (0x00 / 0x01)
 *   0x05                              → Params protobuf
 */
export const MODULE_NAME = "bank";
export const STORE_NAME = "bank";

export const SUPPLY_PREFIX = new Uint8Array([0x00]);
export const DENOM_METADATA_PREFIX = new Uint8Array([0x01]);
export const BALANCES_PREFIX = new Uint8Array([0x02]);
export const SEND_ENABLED_PREFIX = new Uint8Array([0x04]);
export const PARAMS_KEY = new Uint8Array([0x05]);

const enc = new TextEncoder();
const dec = new TextDecoder();

function withPrefix(p: number, rest: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + rest.length);
  out[0] = p;
  out.set(rest, 1);
  return out;
}

export function supplyKey(denom: string): Uint8Array {
  return withPrefix(0x00, enc.encode(denom));
}

export function denomMetadataKey(denom: string): Uint8Array {
  return withPrefix(0x01, enc.encode(denom));
}

export function sendEnabledKey(denom: string): Uint8Array {
  return withPrefix(0x04, enc.encode(denom));
}

/** 0x02 | len | addr: the prefix of every balance of `addr`. */
export function accountBalancesPrefix(addr: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + addr.length);
  out[0] = 0x02;
  out[1] = addr.length;
  out.set(addr, 2);
  return out;
}

export function balanceKey(addr: Uint8Array, denom: string): Uint8Array {
  const d = enc.encode(denom);
  const out = new Uint8Array(2 + addr.length + d.length);
  out[0] = 0x02;
  out[1] = addr.length;
  out.set(addr, 2);
  out.set(d, 2 + addr.length);
  return out;
}

/** Splits the part of a balance key after 0x02 into (addr, denom); undefined if malformed. */
export function parseBalanceKey(rel: Uint8Array): { addr: Uint8Array; denom: string } | undefined {
  if (rel.length < 2) return undefined;
  const n = rel[0];
  if (rel.length < 1 + n + 1) return undefined;
  return { addr: rel.subarray(1, 1 + n), denom: dec.decode(rel.subarray(1 + n)) };
}

export function encodeAmount(v: bigint): Uint8Array {
  return enc.encode(v.toString());
}

export function decodeAmount(b: Uint8Array): bigint {
  return BigInt(dec.decode(b));
}

export function decodeDenom(b: Uint8Array): string {
  return dec.decode(b);
}

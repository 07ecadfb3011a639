/**
 * Account addresses: 20 bytes = ripemd160(sha256(compressed secp256k1 pubkey)), shown as bech32
 * with the `grid` prefix (DESIGN.md §3). Module accounts use the SDK's derivation
 * sha256(moduleName)[:20] (address.Module / authtypes.NewModuleAddress).
 */
import { bech32 } from "bech32";
import { ChainError, sdkErrors } from "../app/errors";
import { ripemd160, sha256 } from "./hash";

export const BECH32_PREFIX = "grid";
export const BECH32_PREFIX_VALOPER = "gridvaloper";
export const BECH32_PREFIX_VALCONS = "gridvalcons";
/** The longest bech32 string we accept (bech32 allows 90; 32-byte addresses need ~63). */
const MAX_BECH32_LENGTH = 90;

const addrCache = new Map<string, Uint8Array>();
const ADDR_CACHE_MAX = 100_000;

/** Address bytes of a compressed (33-byte) secp256k1 public key (memoized: a pure function). */
export function pubkeyToAddress(compressedPubkey: Uint8Array): Uint8Array {
  const k = Buffer.from(compressedPubkey.buffer, compressedPubkey.byteOffset, compressedPubkey.byteLength).toString("latin1");
  let a = addrCache.get(k);
  if (!a) {
    a = ripemd160(sha256(compressedPubkey));
    if (addrCache.size >= ADDR_CACHE_MAX) addrCache.clear();
    addrCache.set(k, a);
  }
  return a;
}

/** The address of module account `name` (sha256(name) truncated to 20 bytes, as the SDK). */
export function moduleAddress(name: string): Uint8Array {
  return sha256(new TextEncoder().encode(name)).subarray(0, 20);
}

/**
 * bech32 <-> bytes of `grid` addresses, memoized (pure functions; events and stored accounts
 * convert the same few thousand addresses per block). Bounded: cleared when full.
 */
const BECH32_CACHE_MAX = 100_000;
const toBech32Cache = new Map<string, string>();
const fromBech32Cache = new Map<string, Uint8Array>();

function latin1Key(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
}

export function toBech32(addr: Uint8Array, prefix = BECH32_PREFIX): string {
  if (prefix !== BECH32_PREFIX) return bech32.encode(prefix, bech32.toWords(addr), MAX_BECH32_LENGTH);
  const k = latin1Key(addr);
  let s = toBech32Cache.get(k);
  if (s === undefined) {
    s = bech32.encode(prefix, bech32.toWords(addr), MAX_BECH32_LENGTH);
    if (toBech32Cache.size >= BECH32_CACHE_MAX) toBech32Cache.clear();
    toBech32Cache.set(k, s);
  }
  return s;
}

/**
 * Parses a bech32 account address with the expected prefix; 20- or 32-byte payloads only.
 * Throws sdkErrors.InvalidAddress with a message naming `field`.
 */
export function fromBech32(s: unknown, field = "address", prefix = BECH32_PREFIX): Uint8Array {
  if (prefix === BECH32_PREFIX && typeof s === "string") {
    const hit = fromBech32Cache.get(s);
    if (hit !== undefined) return hit.slice(); // callers own the bytes they get
    const b = parseBech32(s, field, prefix);
    if (fromBech32Cache.size >= BECH32_CACHE_MAX) fromBech32Cache.clear();
    fromBech32Cache.set(s, b.slice());
    return b;
  }
  return parseBech32(s, field, prefix);
}

function parseBech32(s: unknown, field: string, prefix: string): Uint8Array {
  if (typeof s !== "string" || s.length === 0) throw sdkErrors.InvalidAddress.wrap(`${field} is empty`);
  if (s.length > MAX_BECH32_LENGTH) throw sdkErrors.InvalidAddress.wrap(`${field} is longer than ${MAX_BECH32_LENGTH} characters`);
  let decoded: { prefix: string; words: number[] };
  try {
    decoded = bech32.decode(s, MAX_BECH32_LENGTH);
  } catch (e) {
    throw sdkErrors.InvalidAddress.wrap(`${field} "${clip(s)}" is not valid bech32 (${(e as Error).message})`);
  }
  if (s !== s.toLowerCase()) throw sdkErrors.InvalidAddress.wrap(`${field} "${clip(s)}" must be lower-case`);
  if (decoded.prefix !== prefix) {
    throw sdkErrors.InvalidAddress.wrap(`${field} "${clip(s)}" has prefix "${decoded.prefix}", expected "${prefix}"`);
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(bech32.fromWords(decoded.words));
  } catch (e) {
    throw sdkErrors.InvalidAddress.wrap(`${field} "${clip(s)}" has invalid padding`);
  }
  if (bytes.length !== 20 && bytes.length !== 32) {
    throw sdkErrors.InvalidAddress.wrap(`${field} "${clip(s)}" must be 20 or 32 bytes, got ${bytes.length}`);
  }
  return bytes;
}

/** True when `s` is a valid `grid1...` address. */
export function isValidAddress(s: unknown): boolean {
  try {
    fromBech32(s);
    return true;
  } catch (e) {
    if (e instanceof ChainError) return false;
    throw e;
  }
}

function clip(s: string): string {
  return s.length > 100 ? `${s.slice(0, 100)}...` : s;
}

/**
 * Hashing primitives. node:crypto one-shot hashing is 3-10x faster than pure JS for the short
 * inputs we hash (tx bytes, sign docs, public keys); ripemd160 falls back to @noble/hashes when
 * the local OpenSSL build does not ship it (OpenSSL 3 moved it to the legacy provider).
 */
import * as crypto from "node:crypto";
import { ripemd160 as nobleRipemd160 } from "@noble/hashes/legacy.js";

const hasOneShot = typeof (crypto as { hash?: unknown }).hash === "function";

/** sha256(data) as 32 bytes. */
export function sha256(data: Uint8Array): Uint8Array {
  if (hasOneShot) {
    const b = crypto.hash("sha256", data, "buffer") as Buffer;
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  }
  return new Uint8Array(crypto.createHash("sha256").update(data).digest());
}

let nativeRipemd = true;
try {
  crypto.createHash("ripemd160").update("").digest();
} catch {
  nativeRipemd = false;
}

/** ripemd160(data) as 20 bytes. */
export function ripemd160(data: Uint8Array): Uint8Array {
  if (nativeRipemd) return new Uint8Array(crypto.createHash("ripemd160").update(data).digest());
  return nobleRipemd160(data);
}

/** Upper-case hex of sha256(tx): CometBFT's tx hash, what `tx_search tx.hash=` and CosmJS use. */
export function txHashHex(tx: Uint8Array): string {
  return toHex(sha256(tx)).toUpperCase();
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

export function fromHex(h: string): Uint8Array {
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new Error(`invalid hex string`);
  return new Uint8Array(Buffer.from(h, "hex"));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Unsigned byte-order comparison (store key order). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i];
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

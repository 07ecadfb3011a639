/**
 * secp256k1 ECDSA verification for SIGN_MODE_DIRECT signatures: 64-byte r||s over
 * sha256(SignDoc), low-S only (malleability, as the SDK's secp256k1 keys).
 *
 * Fast path: libsecp256k1 through the `secp256k1` N-API binding (~16k verifies/s/core).
 * Portable fallback: @noble/curves (~600/s). Both enforce the same rules (64 bytes, r,s in
 * [1, n-1], s <= n/2, valid compressed key) and tests run them on the same vectors.
 */
import { secp256k1 as noble } from "@noble/curves/secp256k1.js";
import { FifoMap } from "../util/fifo";

/** The curve order n and n/2. */
export const CURVE_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
export const HALF_N = CURVE_N >> 1n;

export type VerifierName = "native" | "noble";

export interface Secp256k1Verifier {
  readonly name: VerifierName;
  /** Verifies `sig` (64 bytes r||s) over the 32-byte `digest` with a 33-byte compressed `pubkey`. */
  verify(sig: Uint8Array, digest: Uint8Array, pubkey: Uint8Array): boolean;
}

function bytesToBigint(b: Uint8Array, start: number, end: number): bigint {
  let v = 0n;
  for (let i = start; i < end; i++) v = (v << 8n) | BigInt(b[i]);
  return v;
}

function bigintTo32(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}
const N_BYTES = bigintTo32(CURVE_N);
const HALF_N_BYTES = bigintTo32(HALF_N);

/** Big-endian compare of sig[off, off+32) with the 32-byte `ref`: -1, 0, 1. */
function cmp32(sig: Uint8Array, off: number, ref: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const d = sig[off + i] - ref[i];
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function isZero32(sig: Uint8Array, off: number): boolean {
  for (let i = 0; i < 32; i++) if (sig[off + i] !== 0) return false;
  return true;
}

/** r and s in [1, n-1] and s <= n/2 (byte comparisons: this runs for every signature). */
export function isCanonicalLowS(sig: Uint8Array): boolean {
  if (sig.length !== 64) return false;
  return !isZero32(sig, 0) && cmp32(sig, 0, N_BYTES) < 0 && !isZero32(sig, 32) && cmp32(sig, 32, HALF_N_BYTES) <= 0;
}

/** The reference definition of isCanonicalLowS (tests compare the two). */
export function isCanonicalLowSBigint(sig: Uint8Array): boolean {
  if (sig.length !== 64) return false;
  const r = bytesToBigint(sig, 0, 32);
  const s = bytesToBigint(sig, 32, 64);
  return r > 0n && r < CURVE_N && s > 0n && s <= HALF_N;
}

/** A compressed secp256k1 key: 33 bytes with prefix 0x02/0x03 (curve membership is checked by verify). */
export function isCompressedPubkeyShape(pk: Uint8Array): boolean {
  return pk.length === 33 && (pk[0] === 0x02 || pk[0] === 0x03);
}

const nobleVerifier: Secp256k1Verifier = {
  name: "noble",
  verify(sig, digest, pubkey) {
    if (digest.length !== 32 || !isCompressedPubkeyShape(pubkey) || !isCanonicalLowS(sig)) return false;
    try {
      return noble.verify(sig, digest, pubkey, { prehash: false, lowS: true, format: "compact" });
    } catch {
      return false;
    }
  },
};

interface NativeBinding {
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean;
  publicKeyConvert(pubkey: Uint8Array, compressed: boolean, output: Uint8Array): Uint8Array;
}

function loadNative(): NativeBinding | undefined {
  try {
    // The package's index.js silently falls back to a pure-JS `elliptic` build; load the binding itself.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("secp256k1/bindings") as NativeBinding;
  } catch {
    return undefined;
  }
}

const native = loadNative();

/**
 * Compressed key (its 33 bytes as a latin1 string) → the same point serialized uncompressed (65
 * bytes). libsecp256k1 parses a compressed key by computing a square root (~5–7 µs, measured:
 * `publicKeyConvert` costs that much); an uncompressed one only by checking the curve equation.
 * An account signs many txs with one key, so each key is decompressed once. Results cannot change:
 * the uncompressed bytes are the serialization of the very point the compressed key parses to, and
 * a key that does not parse is never cached (its verification fails, as before). Bounded FIFO.
 */
export const KEY_CACHE_MAX = 65_536;
const fullKeys = new FifoMap<string, Uint8Array>(KEY_CACHE_MAX);

/** 65-byte outputs are carved from shared slabs (a fresh Uint8Array > 64 bytes is an off-heap allocation each). */
const SLAB_KEYS = 512;
let slab = new Uint8Array(0);
let slabPos = 0;

function fullKey(bind: NativeBinding, pubkey: Uint8Array): Uint8Array | undefined {
  const k = Buffer.from(pubkey.buffer, pubkey.byteOffset, 33).toString("latin1");
  const hit = fullKeys.get(k);
  if (hit !== undefined) return hit;
  if (slabPos + 65 > slab.length) {
    slab = new Uint8Array(65 * SLAB_KEYS);
    slabPos = 0;
  }
  const out = slab.subarray(slabPos, slabPos + 65);
  try {
    bind.publicKeyConvert(pubkey, false, out);
  } catch {
    return undefined; // not a point on the curve: not cached, the caller's verification fails
  }
  slabPos += 65;
  fullKeys.set(k, out);
  return out;
}

/** Keys held by the native verifier's decompressed-key cache (tests). */
export function keyCacheSize(): number {
  return fullKeys.size;
}

const nativeVerifier: Secp256k1Verifier | undefined = native && {
  name: "native",
  verify(sig, digest, pubkey) {
    if (digest.length !== 32 || !isCompressedPubkeyShape(pubkey) || !isCanonicalLowS(sig)) return false;
    try {
      const full = fullKey(native, pubkey);
      return full !== undefined && native.ecdsaVerify(sig, digest, full);
    } catch {
      return false; // invalid key (not on curve) etc.
    }
  },
};

/** Every verifier available on this machine, fastest first. */
export function availableVerifiers(): Secp256k1Verifier[] {
  return nativeVerifier ? [nativeVerifier, nobleVerifier] : [nobleVerifier];
}

export function getVerifier(name?: VerifierName): Secp256k1Verifier {
  if (name === "noble") return nobleVerifier;
  if (name === "native") {
    if (!nativeVerifier) throw new Error("the native secp256k1 binding is not available on this platform");
    return nativeVerifier;
  }
  return nativeVerifier ?? nobleVerifier;
}

/** Signs a 32-byte digest with low-S (r||s, 64 bytes): for tests, the CLI and benchmarks. */
export function signDigest(digest: Uint8Array, privkey: Uint8Array): Uint8Array {
  return noble.sign(digest, privkey, { prehash: false, lowS: true, format: "compact" });
}

export function compressedPubkey(privkey: Uint8Array): Uint8Array {
  return noble.getPublicKey(privkey, true);
}

/**
 * Node hash preimages (Go (*Node).writeHashBytes) built in one module-level scratch buffer, shared
 * by IavlTree (iavl.ts) and ArenaTree (arenatree.ts), which must hash the same bytes. Synchronous
 * use only: fill, then digest, with nothing in between.
 */
import { hash as cryptoHash } from "node:crypto";
import * as enc from "./encoding";

// Local bindings: CommonJS output turns imported functions into getter calls on every use.
const putUvarint = enc.putUvarint;
const putVarint = enc.putVarint;
const uvarintSize = enc.uvarintSize;

let scratch = Buffer.alloc(1024);
/** Views of `scratch` by length: a subarray per hash would allocate a Buffer view per node. Dropped when scratch grows. */
let scratchViews: (Buffer | undefined)[] = [];

function scratchView(n: number): Buffer {
  let v = scratchViews[n];
  if (v === undefined) {
    v = scratch.subarray(0, n);
    scratchViews[n] = v;
  }
  return v;
}

/**
 * sha256 of `data` as a 32-char latin1 string: much cheaper than a Buffer result (a native Buffer
 * per call means an off-heap backing store per node that the GC has to track).
 */
export function sha256Latin1(data: Uint8Array): string {
  return (cryptoHash as (a: string, d: Uint8Array, e: string) => string)("sha256", data, "latin1");
}

/** zigzag varint of a non-negative n with a one-byte fast path (heights, small sizes). */
export function putNonNegVarint(buf: Uint8Array, pos: number, n: number): number {
  if (n < 64) {
    buf[pos] = n * 2;
    return pos + 1;
  }
  return putVarint(buf, pos, n);
}

/** The scratch buffer (re-read after a leaf preimage: it may have grown). */
export function hashScratch(): Buffer {
  return scratch;
}

/** sha256 of scratch[0, n) as a latin1 string. */
export function digestScratch(n: number): string {
  return sha256Latin1(scratchView(n));
}

/** A leaf's preimage (height 0, size 1, version, key, sha256(value)) into the scratch; returns its length. */
export function writeLeafPreimage(key: string, value: string, version: number): number {
  const vlen = value.length;
  const need = 30 + uvarintSize(key.length) + key.length + 33;
  if (scratch.length < need || scratch.length < vlen) {
    scratch = Buffer.alloc(Math.max(need, vlen) * 2);
    scratchViews = [];
  }
  const buf = scratch;
  // The value's bytes go through the scratch too (no Buffer per leaf).
  buf.write(value, 0, vlen, "latin1");
  const vh = sha256Latin1(vlen <= 4096 ? scratchView(vlen) : buf.subarray(0, vlen));
  buf[0] = 0; // varint(0)
  buf[1] = 2; // varint(1)
  let pos = putNonNegVarint(buf, 2, version);
  pos = putUvarint(buf, pos, key.length);
  if (key.length <= 64) {
    for (let i = 0; i < key.length; i++) buf[pos + i] = key.charCodeAt(i);
    pos += key.length;
  } else {
    pos += buf.write(key, pos, key.length, "latin1");
  }
  buf[pos++] = 0x20;
  for (let i = 0; i < 32; i++) buf[pos + i] = vh.charCodeAt(i);
  return pos + 32;
}

/** An inner node's preimage prefix (height, size, version) into the scratch; returns the position after it. */
export function writeInnerPrefix(height: number, size: number, version: number): number {
  const buf = scratch;
  let pos = putNonNegVarint(buf, 0, height);
  pos = putNonNegVarint(buf, pos, size);
  return putNonNegVarint(buf, pos, version);
}

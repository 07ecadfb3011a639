/**
 * The decode memo's map for ordinary-size txs: keyed by a 30-bit hash of the bytes, a hit is
 * confirmed by comparing the bytes (so it is exact: another tx is never served). Before this the
 * key was the bytes as a ~250-char latin1 string: a string allocated and copied per lookup,
 * hashed char by char by the Map and compared again on a hit (`FifoMap.get` was ~2% of the app
 * in e2e profiles). A small-integer key is hashed by the Map for free.
 *
 * Two different txs with the same hash (~1 pair in a full 50,000-entry memo by chance, or
 * crafted by anyone: the hash is not keyed) are both kept: the second goes to an overflow map
 * keyed by its latin1 bytes, as before, so crafted collisions cost what every lookup used to cost
 * (while the overflow map holds anything, a tx not found by hash is also looked up there: the old
 * per-lookup cost, never more).
 */
import { FifoMap } from "../util/fifo";

/** Hash of the bytes as a non-negative small integer (a V8 Smi: Map keys without allocation). */
export type MemoHash = (b: Uint8Array) => number;

/** Murmur3-style mixing of every byte, 4 at a time; only the spread matters (hits are compared). */
export const memoHash: MemoHash = (b) => {
  const n = b.length;
  let h = n ^ 0x9747b28c;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let k = b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  for (; i < n; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h & 0x3fffffff;
};

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");

/** Bounded FIFO map from tx bytes to V (each of the two maps holds at most `max`). */
export class BytesMemo<V extends { readonly bytes: Uint8Array }> {
  private readonly byHash: FifoMap<number, V>;
  private readonly overflow: FifoMap<string, V>;

  constructor(
    max: number,
    private readonly hash: MemoHash = memoHash,
  ) {
    this.byHash = new FifoMap(max);
    this.overflow = new FifoMap(max);
  }

  get(tx: Uint8Array): V | undefined {
    const v = this.byHash.get(this.hash(tx));
    if (v !== undefined && sameBytes(v.bytes, tx)) return v;
    return this.overflow.size > 0 ? this.overflow.get(latin1(tx)) : undefined;
  }

  /** Remembers `v` (whose `bytes` equal `tx`); a new key past the bound evicts that map's oldest. */
  set(tx: Uint8Array, v: V): void {
    const h = this.hash(tx);
    const held = this.byHash.get(h);
    if (held === undefined || sameBytes(held.bytes, tx)) {
      this.byHash.set(h, v);
      // A copy left in the overflow map (its twin held the hash slot then) would outlive delete().
      if (this.overflow.size > 0) this.overflow.delete(latin1(tx));
    } else this.overflow.set(latin1(tx), v); // a different tx with the same hash
  }

  delete(tx: Uint8Array): boolean {
    const h = this.hash(tx);
    const held = this.byHash.get(h);
    if (held !== undefined && sameBytes(held.bytes, tx)) return this.byHash.delete(h);
    return this.overflow.size > 0 && this.overflow.delete(latin1(tx));
  }

  get size(): number {
    return this.byHash.size + this.overflow.size;
  }
}

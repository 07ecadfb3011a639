/**
 * Node arena: IAVL tree nodes as 64-byte records in one ArrayBuffer instead of one JS object each
 * (README "Round 6"). A node is a slot index; slot 0 is NIL. Record layout of slot s (byte offsets
 * from s * 64, one cache line per node when the buffer is 64-aligned):
 *
 *    0..31  node hash (valid when FLAG_HASHED is set)
 *   32..35  left child slot   (int32; 0 for leaves)
 *   36..39  right child slot  (int32; 0 for leaves)
 *   40..43  nonce             (uint32; IAVL v1 NodeKey nonce, leaves from 2^31; 0 = unsaved)
 *   44      height            (int8; -1 reserved for unloaded stubs)
 *   45      flags             (bit 0: hash valid; bit 1: listed for the hash worker during the apply, ArenaTree.hashBefore)
 *   46      unsaved children (bit 0: left child unsaved, bit 1: right; kept by ArenaTree for its working
 *           nodes, 0 in saved nodes: walks over unsaved nodes skip clean children without reading them)
 *   47      spare
 *   48..55  version           (float64; 0 = unsaved working node)
 *   56..63  size              (float64; number of leaves below)
 *
 * Keys and leaf values stay latin1 strings in two slot-indexed JS arrays (native string compares in
 * tree walks; a string is one flat object for the GC, an array of them is traced without visiting
 * any node object). The numeric part of a node costs the GC nothing.
 *
 * Slots are reused page by page (`pageReuseMin`, below) so that a block's new nodes land close
 * together. Callers that free a slot must know nobody still reads it:
 * ArenaTree frees unsaved garbage at once and saved orphans only some commits later (see there),
 * and bumps `epoch` on every change so iterators holding slot indices can re-seek.
 */

export const SLOT_BYTES = 64;
/** Int32/Uint32 view index of a slot's first word (slot * 16). */
const W = 16;
/** Float64 view index of a slot's first word (slot * 8). */
const D = 8;
const I_LEFT = 8;
const I_RIGHT = 9;
const I_NONCE = 10;
const B_HEIGHT = 44;
const B_FLAGS = 45;
const B_KIDS = 46;
const F_VERSION = 6;
const F_SIZE = 7;
export const FLAG_HASHED = 1;
/** kids() bits: the left / right child is an unsaved (working) node. */
export const KID_LEFT = 1;
export const KID_RIGHT = 2;
/** Handed to the hash worker before the apply ended (ArenaTree.hashBefore); cleared at save. */
export const FLAG_LISTED = 2;
/** Slots per reuse page (64 × 64 B = one 4 KiB memory page). */
const PAGE_SHIFT = 6;
const PAGE = 1 << PAGE_SHIFT;

export interface NodeArenaOptions {
  /**
   * Freed slots are handed out again only from pages ("reuse pages" of 64 slots) with at least this
   * many free slots, one page at a time until it is full; otherwise new slots come from the end of
   * the buffer. New nodes then share 4 KiB pages (TLB, prefetch) instead of landing on scattered
   * orphan slots. Memory cost: up to (min − 1) / 64 of the slots can sit free. 0 = plain LIFO free
   * list (any freed slot first; the Round 6 baseline, kept for A/B runs). Default 16.
   */
  pageReuseMin?: number;
  /**
   * Records in a SharedArrayBuffer, so an ArenaHashWorker (arenahash.ts) can hash inner nodes on
   * another thread. Default false.
   */
  shared?: boolean;
}

export class NodeArena {
  u8!: Uint8Array;
  private i8!: Int8Array;
  private i32!: Int32Array;
  private u32!: Uint32Array;
  private f64!: Float64Array;
  /** Slot → key (latin1). */
  readonly keys: string[] = [""];
  /** Slot → leaf value (latin1); undefined for inner nodes and free slots. */
  readonly vals: (string | undefined)[] = [undefined];
  private cap = 0;
  /** Next never-used slot. */
  private top = 1;
  private readonly free: number[] = [];
  private readonly reuseMin: number;
  private readonly shared: boolean;
  /** Free slots (both modes). */
  private freeCount = 0;
  /** Page mode: free slots per page, and a 64-bit free bitmap per page (two u32 words). */
  private pageFree = new Uint8Array(0);
  private pageBits = new Uint32Array(0);
  /** Page mode: 1 while the page sits in `candidates`. */
  private queued = new Uint8Array(0);
  /** Page mode: pages that reached `reuseMin` free slots since they were last filled. */
  private readonly candidates: number[] = [];
  /** Page mode: the page being filled from its free bits (−1: none). */
  private cur = -1;
  /**
   * Bumped whenever a slot is freed or a tree using the arena changes: an iterator holding slot
   * indices across a yield re-seeks from its last key when this moved.
   */
  epoch = 0;
  /** Slots handed out so far (alloc calls): a cheap estimate of a version's new nodes. */
  allocs = 0;

  constructor(initialSlots = 1024, opts: NodeArenaOptions = {}) {
    this.reuseMin = Math.min(PAGE, Math.max(0, opts.pageReuseMin ?? 16));
    this.shared = opts.shared ?? false;
    this.grow(Math.max(PAGE, initialSlots));
  }

  /** Slots in use (allocated and not freed). */
  get liveSlots(): number {
    return this.top - 1 - this.freeCount;
  }

  /** Slots ever handed out (the high-water mark; memory is capacity × 64 B). */
  get highWater(): number {
    return this.top - 1;
  }

  get capacity(): number {
    return this.cap;
  }

  /**
   * Called around a growth of the buffer (a new buffer: a hash worker still holds the old one).
   * ArenaTree sets it while its worker pass overlaps the apply (hashBefore): `before` waits for
   * the worker, `after` starts a new pass on the new buffer.
   */
  growHook: { before(): void; after(): void } | undefined = undefined;

  private grow(cap: number): void {
    const hook = this.growHook;
    if (hook !== undefined) hook.before();
    this.growBuffers(cap);
    if (hook !== undefined) hook.after();
  }

  private growBuffers(cap: number): void {
    const buf = this.shared ? new SharedArrayBuffer(cap * SLOT_BYTES) : new ArrayBuffer(cap * SLOT_BYTES);
    const u8 = new Uint8Array(buf);
    if (this.u8 !== undefined) u8.set(this.u8);
    this.u8 = u8;
    this.i8 = new Int8Array(buf);
    this.i32 = new Int32Array(buf);
    this.u32 = new Uint32Array(buf);
    this.f64 = new Float64Array(buf);
    this.cap = cap;
    const pages = Math.ceil(cap / PAGE);
    const pf = new Uint8Array(pages);
    pf.set(this.pageFree);
    this.pageFree = pf;
    const pb = new Uint32Array(pages * 2);
    pb.set(this.pageBits);
    this.pageBits = pb;
    const q = new Uint8Array(pages);
    q.set(this.queued);
    this.queued = q;
  }

  /** A free slot to reuse, or 0 when new slots should come from the end of the buffer. */
  private takeFree(): number {
    if (this.reuseMin === 0) return this.free.length > 0 ? this.free.pop()! : 0;
    let p = this.cur;
    if (p < 0 || this.pageFree[p] === 0) {
      p = -1;
      while (this.candidates.length > 0) {
        const c = this.candidates.pop()!;
        this.queued[c] = 0;
        if (this.pageFree[c]! >= this.reuseMin) {
          p = c;
          break;
        }
      }
      this.cur = p;
      if (p < 0) return 0;
    }
    const bits = this.pageBits;
    let w = p * 2;
    if (bits[w] === 0) w++;
    const x = bits[w]!;
    const bit = 31 - Math.clz32(x & -x);
    bits[w] = x & ~(1 << bit);
    this.pageFree[p]!--;
    return (w << 5) + bit; // (p * 64) + (w - 2p) * 32 + bit
  }

  /** A fresh slot: unsaved (version 0, nonce 0), no children, hash not valid. */
  alloc(key: string, val: string | undefined, height: number, size: number): number {
    this.allocs++;
    let s = this.freeCount > 0 ? this.takeFree() : 0;
    if (s !== 0) {
      this.freeCount--;
    } else {
      if (this.top === this.cap) this.grow(this.cap * 2);
      s = this.top++;
    }
    const w = s * W;
    this.i32[w + I_LEFT] = 0;
    this.i32[w + I_RIGHT] = 0;
    this.u32[w + I_NONCE] = 0;
    const b = s * SLOT_BYTES;
    this.i8[b + B_HEIGHT] = height;
    this.u8[b + B_FLAGS] = 0;
    this.u8[b + B_KIDS] = 0;
    const d = s * D;
    this.f64[d + F_VERSION] = 0;
    this.f64[d + F_SIZE] = size;
    this.keys[s] = key;
    this.vals[s] = val;
    return s;
  }

  /**
   * A stub slot: a saved node not loaded yet (height -1) that knows its node key and the hash its
   * parent recorded (`hash[off .. off + 32)`, marked valid: hashing stops at a stub).
   */
  allocStub(version: number, nonce: number, hash: Uint8Array, off: number): number {
    const s = this.alloc("", undefined, -1, 0);
    this.setVersion(s, version);
    this.setNonce(s, nonce);
    this.setHashBytes(s, hash, off);
    return s;
  }

  /** Returns a slot for reuse (the caller guarantees nothing reads it any more). */
  release(s: number): void {
    this.keys[s] = "";
    this.vals[s] = undefined;
    // The record itself is not touched (a cold cache line per orphan): alloc resets it.
    this.freeCount++;
    this.epoch++;
    if (this.reuseMin === 0) {
      this.free.push(s);
      return;
    }
    const p = s >>> PAGE_SHIFT;
    this.pageBits[s >>> 5] |= 1 << (s & 31);
    const n = ++this.pageFree[p]!;
    if (n >= this.reuseMin && p !== this.cur && this.queued[p] === 0) {
      this.queued[p] = 1;
      this.candidates.push(p);
    }
  }

  left(s: number): number {
    return this.i32[s * W + I_LEFT]!;
  }
  setLeft(s: number, c: number): void {
    this.i32[s * W + I_LEFT] = c;
  }
  right(s: number): number {
    return this.i32[s * W + I_RIGHT]!;
  }
  setRight(s: number, c: number): void {
    this.i32[s * W + I_RIGHT] = c;
  }
  nonce(s: number): number {
    return this.u32[s * W + I_NONCE]!;
  }
  setNonce(s: number, n: number): void {
    this.u32[s * W + I_NONCE] = n;
  }
  height(s: number): number {
    return this.i8[s * SLOT_BYTES + B_HEIGHT]!;
  }
  setHeight(s: number, h: number): void {
    this.i8[s * SLOT_BYTES + B_HEIGHT] = h;
  }
  version(s: number): number {
    return this.f64[s * D + F_VERSION]!;
  }
  setVersion(s: number, v: number): void {
    this.f64[s * D + F_VERSION] = v;
  }
  size(s: number): number {
    return this.f64[s * D + F_SIZE]!;
  }
  setSize(s: number, n: number): void {
    this.f64[s * D + F_SIZE] = n;
  }
  hashed(s: number): boolean {
    return (this.u8[s * SLOT_BYTES + B_FLAGS]! & FLAG_HASHED) !== 0;
  }
  /** The flag byte (FLAG_HASHED, FLAG_LISTED). */
  flags(s: number): number {
    return this.u8[s * SLOT_BYTES + B_FLAGS]!;
  }
  /** Unsaved-children bits (KID_LEFT, KID_RIGHT) of a working node; 0 for saved nodes. */
  kids(s: number): number {
    return this.u8[s * SLOT_BYTES + B_KIDS]!;
  }
  setKids(s: number, bits: number): void {
    this.u8[s * SLOT_BYTES + B_KIDS] = bits;
  }
  /** Sets FLAG_LISTED (before the slot is published to the worker). */
  setListed(s: number): void {
    this.u8[s * SLOT_BYTES + B_FLAGS] |= FLAG_LISTED;
  }
  /** Clears FLAG_LISTED, keeping FLAG_HASHED. */
  clearListed(s: number): void {
    this.u8[s * SLOT_BYTES + B_FLAGS] &= FLAG_HASHED;
  }
  /** Marks the hash stale (a working node about to change). */
  clearHashed(s: number): void {
    this.u8[s * SLOT_BYTES + B_FLAGS] = 0;
  }
  /** Writes a 32-char latin1 digest as the slot's hash and marks it valid. */
  setHashLatin1(s: number, h: string): void {
    const u8 = this.u8;
    const o = s * SLOT_BYTES;
    for (let i = 0; i < 32; i++) u8[o + i] = h.charCodeAt(i);
    u8[o + B_FLAGS] |= FLAG_HASHED;
  }
  /** Copies `src[off .. off + 32)` into the slot's hash and marks it valid. */
  setHashBytes(s: number, src: Uint8Array, off: number): void {
    const u8 = this.u8;
    const o = s * SLOT_BYTES;
    for (let i = 0; i < 32; i++) u8[o + i] = src[off + i]!;
    u8[o + B_FLAGS] |= FLAG_HASHED;
  }
  /** Whether the slot's hash equals `h[0 .. 32)`. */
  hashEquals(s: number, h: Uint8Array): boolean {
    const u8 = this.u8;
    const o = s * SLOT_BYTES;
    for (let i = 0; i < 32; i++) if (u8[o + i] !== h[i]) return false;
    return true;
  }
  /** The slot's hash as a new Uint8Array. */
  hashBytes(s: number): Uint8Array {
    const o = s * SLOT_BYTES;
    return this.u8.slice(o, o + 32);
  }
  /** The slot's hash as a 32-char latin1 string (for comparisons with hashes kept as strings). */
  hashLatin1(s: number): string {
    const o = s * SLOT_BYTES;
    return Buffer.from(this.u8.buffer, o, 32).toString("latin1");
  }
  /** Copies the slot's 32-byte hash into `dst` at `pos`; returns pos + 32. */
  copyHash(s: number, dst: Uint8Array, pos: number): number {
    const u8 = this.u8;
    const o = s * SLOT_BYTES;
    for (let i = 0; i < 32; i++) dst[pos + i] = u8[o + i]!;
    return pos + 32;
  }

  /**
   * Makes room for `slots` slots without growing later (a reopened tree pre-sizes to its expected
   * working set): the buffer, the page tables and the key/value arrays are sized once here instead
   * of doubling (copying, and a jump of external memory that makes V8 start a full GC) while a
   * block loads nodes. Never shrinks; contents unchanged.
   */
  reserve(slots: number): void {
    if (slots > this.cap) this.grow(slots);
    const keys = this.keys;
    const vals = this.vals;
    // push keeps the arrays packed (a larger `length` would make them holey or a dictionary).
    while (keys.length < slots) keys.push("");
    while (vals.length < slots) vals.push(undefined);
  }
}

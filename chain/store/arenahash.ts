/**
 * Hashing the new nodes of an ArenaTree on a second thread, straight from the arena's
 * SharedArrayBuffer (README "Round 6b" and "Round 7", issue #2). An inner node's preimage is its
 * record (height, size) + the working version + its two children's hash bytes: nothing is copied.
 * A leaf's key and value are JS strings the worker cannot read, so the main thread copies its
 * preimage (version, key, room for the value hash, value) into a shared slab (Round 7).
 *
 * One hash pass (ArenaTree.workingHash, fresh pass only): the main thread walks the unhashed nodes
 * in post-order and appends each to a shared list (leaves as -(leaf index + 1) with their slab
 * entry), publishing the count every PUBLISH_EVERY nodes. The worker hashes the list in order: a
 * node's children come before it in post-order, so they are hashed by then. While the worker lags
 * more than maxLag nodes behind, the main thread hashes leaves itself, and inner nodes whose
 * children it hashed (or were clean). It then waits for the worker to finish the root. Only the
 * worker writes the hash bytes and flag byte of listed nodes while the pass runs; the main thread
 * touches no listed record.
 *
 * One worker can serve several arenas (the multistore's stores): it keeps views per arena id.
 * The worker source is a plain JS string run with `eval: true`, so it runs the same under tsx,
 * jest and compiled code.
 */
import { Worker } from "node:worker_threads";
import { StoreError } from "./types";
import { NodeArena } from "./arena";
import * as enc from "./encoding";
import * as hb from "./hashbytes";

// Local bindings: CommonJS output turns imported functions into getter calls on every use.
const putUvarint = enc.putUvarint;
const putNonNegVarint = hb.putNonNegVarint;

/** Control words (Int32Array over a SharedArrayBuffer). */
const PUB = 0; // list entries published so far
const END = 1; // 1 once the main thread listed the whole pass
const SIG = 2; // bumped on every publish / end (the worker waits on it)
const DONE = 3; // 1 when the worker finished the pass
const HASHED = 4; // list entries the worker hashed (or encoded) in this pass (updated every 32 while it runs)
const CPU_US = 5; // the worker thread's CPU time in the pass, µs (Linux; 0 elsewhere)
const ERR = 6; // 1 when the pass failed on the worker (it still sets DONE)
const SLEEP = 7; // 1 while the worker is in (or about to enter) Atomics.wait on SIG
const PUBLISH_EVERY = 64;
/** 0x20 and 32 placeholder bytes between a leaf preimage's key and value (pushLeaf). */
const VALUE_HASH_ROOM = " " + "\0".repeat(32);
/** Most bodies in one page an encode pass frames (the worker's per-page table; nodedb PAGE_SIZE is 64). */
const MAX_PAGE = 64;
/** Polls of the published count before the worker sleeps (a futex wake costs a time slice on a busy box). */
const SPIN = 2000;
/**
 * Unhashed listed entries before a publish wakes a sleeping worker (default). Each wake-up is a
 * futex wake and, on a busy box, a context switch of the main thread; a spinning worker sees
 * every publish without one. finish() and waitHashed() always wake it.
 */
const WAKE_MIN = 0;
/** Listed nodes the worker may be behind before the main thread hashes nodes itself (default). */
const MAX_LAG = 1024;
/** Listed nodes the worker may be behind during the apply (hashBefore) before the main thread hashes nodes itself. */
const EARLY_LAG = 8192;
/** A wedged worker must not hang the node forever: the wait gives up (StoreError) after this. */
const WAIT_MS = 30_000;

const WORKER_SRC = `
const { parentPort } = require("node:worker_threads");
const { hash } = require("node:crypto");
const { readFileSync } = require("node:fs");
const { crc32 } = require("node:zlib");
function cpuNs() {
  try { return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]); } catch { return 0; }
}
let u8, i8, i32, u32, f64, list, ctl, slab, meta, out, ends, opos;
// Views per arena id: one worker serves every store's arena (passes run one at a time).
const arenas = new Map();
const buf = Buffer.alloc(128);
const views = [];
for (let n = 0; n <= 128; n++) views.push(buf.subarray(0, n));
function putNN(pos, n) {
  let z = n * 2;
  while (z >= 128) { buf[pos++] = (z % 128) | 128; z = Math.floor(z / 128); }
  buf[pos++] = z;
  return pos;
}
// Leaf j of the pass: meta[4j..4j+3] = slot, offset of its preimage in slab, preimage length up to
// the value hash, value length; the value's bytes follow the 32 bytes left for its hash.
function hashLeaf(j) {
  const s = meta[j * 4], off = meta[j * 4 + 1], pre = meta[j * 4 + 2], vlen = meta[j * 4 + 3];
  const vs = off + pre + 32;
  const vh = hash("sha256", slab.subarray(vs, vs + vlen), "latin1");
  for (let k = 0; k < 32; k++) slab[off + pre + k] = vh.charCodeAt(k);
  const h = hash("sha256", slab.subarray(off, vs), "latin1");
  const o = s * 64;
  for (let k = 0; k < 32; k++) u8[o + k] = h.charCodeAt(k);
  u8[o + 45] |= 1;
}
function hashInner(s, version) {
  const o = s * 64;
  let pos = putNN(0, i8[o + 44]);
  pos = putNN(pos, f64[s * 8 + 7]);
  pos = putNN(pos, version);
  buf[pos++] = 0x20;
  let c = i32[s * 16 + 8] * 64;
  for (let i = 0; i < 32; i++) buf[pos + i] = u8[c + i];
  pos += 32;
  buf[pos++] = 0x20;
  c = i32[s * 16 + 9] * 64;
  for (let i = 0; i < 32; i++) buf[pos + i] = u8[c + i];
  pos += 32;
  const h = hash("sha256", views[pos], "latin1");
  for (let i = 0; i < 32; i++) u8[o + i] = h.charCodeAt(i);
  u8[o + 45] |= 1;
}
function putUv(p, n) {
  while (n >= 128) { out[p++] = (n % 128) | 128; n = Math.floor(n / 128); }
  out[p++] = n;
  return p;
}
// Encode pass entry i: inner slot list[i] (node key and children final), its key at
// slab[meta[4i], +meta[4i+1]); meta[4i+2] = the page's entry count at a page's first entry, else 0.
// Its body (nodedb.ts writeBody format) goes to out after room for the page header; after the
// page's last body the page is framed in place (frameInnerPage's format: u8 2 | uvarint count |
// uvarint len(body) each | bodies | crc32 BE) and ends[last entry] = the page's end in out.
let pageStart = 0, pageBodies = 0, pageCount = 0, pageDone = 0;
const pageEnds = new Int32Array(64);
function encodeInner(i) {
  const s = list[i], ko = meta[i * 4], kl = meta[i * 4 + 1], o = s * 64;
  const count = meta[i * 4 + 2];
  if (count > 0) {
    pageStart = opos;
    pageBodies = opos + 2 + count * 5; // header worst case: count < 128, body lengths < 2^35
    pageCount = count;
    pageDone = 0;
    opos = pageBodies;
  }
  let p = opos;
  out[p++] = 1;
  p = putUv(p, i8[o + 44]);
  p = putUv(p, f64[s * 8 + 7]);
  p = putUv(p, kl);
  for (let k = 0; k < kl; k++) out[p + k] = slab[ko + k];
  p += kl;
  for (let side = 8; side <= 9; side++) {
    const c = i32[s * 16 + side], co = c * 64;
    for (let k = 0; k < 32; k++) out[p + k] = u8[co + k];
    p += 32;
    p = putUv(p, f64[c * 8 + 6]);
    p = putUv(p, u32[c * 16 + 10]);
  }
  opos = p;
  pageEnds[pageDone++] = p;
  if (pageDone === pageCount) ends[i] = framePage(pageCount);
}
function framePage(count) {
  let h = pageStart;
  out[h++] = 2;
  h = putUv(h, count);
  let prev = pageBodies;
  for (let k = 0; k < count; k++) {
    h = putUv(h, pageEnds[k] - prev);
    prev = pageEnds[k];
  }
  out.copyWithin(h, pageBodies, prev);
  let p = h + prev - pageBodies;
  const c = crc32(out.subarray(pageStart, p));
  out[p] = c >>> 24; out[p + 1] = (c >>> 16) & 255; out[p + 2] = (c >>> 8) & 255; out[p + 3] = c & 255;
  opos = p + 4;
  return opos;
}
parentPort.on("message", (m) => {
  if (m.arena !== undefined) {
    arenas.set(m.id, [new Uint8Array(m.arena), new Int8Array(m.arena), new Int32Array(m.arena), new Uint32Array(m.arena), new Float64Array(m.arena)]);
  }
  if (m.out !== undefined) out = new Uint8Array(m.out);
  if (m.ends !== undefined) ends = new Int32Array(m.ends);
  if (m.list !== undefined) list = new Int32Array(m.list);
  if (m.slab !== undefined) slab = new Uint8Array(m.slab);
  if (m.meta !== undefined) meta = new Int32Array(m.meta);
  if (m.ctl !== undefined) ctl = new Int32Array(m.ctl);
  if (m.version === undefined) return;
  const c0 = cpuNs();
  let i = 0;
  try {
    if (m.fail === true) throw new Error("injected failure (test)");
    [u8, i8, i32, u32, f64] = arenas.get(m.id);
    opos = 0;
    pageCount = pageDone = 0;
    const encode = m.encode === true;
    for (;;) {
      const sig = Atomics.load(ctl, ${SIG});
      const end = Atomics.load(ctl, ${END});
      const pub = Atomics.load(ctl, ${PUB});
      for (; i < pub; i++) {
        if (encode) encodeInner(i);
        else {
          const x = list[i];
          if (x > 0) hashInner(x, m.version);
          else hashLeaf(-x - 1);
        }
        if ((i & 31) === 31) Atomics.store(ctl, ${HASHED}, i + 1);
      }
      Atomics.store(ctl, ${HASHED}, i);
      if (end === 1) break; // pub was read after end: final
      let spin = m.spin;
      while (spin-- > 0 && Atomics.load(ctl, ${SIG}) === sig);
      if (spin < 0) {
        // SLEEP before the wait: a publish that finds it 0 bumped SIG first, so the wait returns at once.
        Atomics.store(ctl, ${SLEEP}, 1);
        Atomics.wait(ctl, ${SIG}, sig);
        Atomics.store(ctl, ${SLEEP}, 0);
      }
    }
  } catch {
    Atomics.store(ctl, ${ERR}, 1);
  }
  Atomics.store(ctl, ${HASHED}, i);
  Atomics.store(ctl, ${CPU_US}, Math.round((cpuNs() - c0) / 1000));
  Atomics.store(ctl, ${DONE}, 1);
  Atomics.notify(ctl, ${DONE});
});
`;

/** What starts a pass on the worker (buffers only when new or replaced). */
interface PassMessage {
  version: number;
  spin: number;
  id: number;
  encode?: boolean;
  fail?: boolean;
  arena?: ArrayBufferLike;
  list?: ArrayBufferLike;
  slab?: ArrayBufferLike;
  meta?: ArrayBufferLike;
  ends?: ArrayBufferLike;
  out?: ArrayBufferLike;
}

export interface ArenaHashWorkerOptions {
  /** Listed nodes the worker may be behind before the main thread hashes nodes itself (default 1,024; tests use 0). */
  readonly maxLag?: number;
  /**
   * Listed nodes the worker may be behind during the apply (ArenaTree.hashBefore) before the main
   * thread hashes nodes itself (default 8,192: the final walk still balances the rest).
   */
  readonly earlyLag?: number;
  /** Smallest pass (slots allocated since the tree's last save) sent to the worker (default 2,000). */
  readonly minNodes?: number;
  /** List finished subtrees during the multistore's sorted apply (default true; false = hash after the apply, round 7). */
  readonly early?: boolean;
}

/**
 * A worker thread hashing inner nodes of ArenaTrees whose arenas are shared
 * (`new NodeArena(n, { shared: true })`). One worker can serve several arenas (the multistore's
 * stores): hash passes run one at a time on the main thread. Give it to ArenaTree (`hashWorker`
 * option); `close()` ends the thread.
 */
export class ArenaHashWorker {
  private readonly worker: Worker;
  private readonly ctl = new Int32Array(new SharedArrayBuffer(8 * 4));
  private list: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private n = 0;
  /** Leaf preimages (key, 32 bytes for the value hash, value) written by the main thread for the worker. */
  private slab: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  private slabPos = 0;
  /** Per listed leaf: slot, offset in slab, preimage length before the value hash, value length. */
  private meta: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private leaves = 0;
  /** Slab bytes / leaves that did not fit in this pass (the next pass grows the buffers). */
  private slabShort = 0;
  private metaShort = 0;
  /** Per arena: its id on the worker and the buffer last sent (an arena's buffer changes when it grows). */
  private readonly sent = new WeakMap<NodeArena, { id: number; buffer: ArrayBufferLike }>();
  private nextId = 1;
  private broken = false;
  private failNext = false;
  /** Passes run and inner nodes the worker hashed (tests, benchmarks). */
  passes = 0;
  workerHashed = 0;
  /** Worker thread CPU over all passes, ms (Linux). */
  workerCpuMs = 0;
  /** Main-thread time spent waiting for the worker at the end of passes, ms. */
  waitMs = 0;

  private readonly maxLag: number;

  /**
   * A hash pass uses the worker only when at least this many slots were allocated since the
   * tree's last save (the message and wake-up cost ~0.1 ms; a small pass is faster serially).
   */
  readonly minNodes: number;

  constructor(opts: ArenaHashWorkerOptions = {}) {
    this.maxLag = opts.maxLag ?? MAX_LAG;
    this.earlyLag = opts.earlyLag ?? EARLY_LAG;
    this.minNodes = opts.minNodes ?? 2000;
    this.early = opts.early ?? true;
    this.worker = new Worker(WORKER_SRC, { eval: true });
    this.worker.unref();
    this.worker.postMessage({ ctl: this.ctl.buffer });
  }

  /** Polls of the published count before the worker sleeps (A/B runs). */
  spin = SPIN;

  /** Whether the multistore's apply lists finished subtrees early (RootMultiStore applyPending; A/B runs may flip it). */
  early: boolean;

  /** Set false to hash serially (A/B runs in one process). */
  enabled = true;
  /** Set false to hash leaves on the main thread (Round 6b; A/B runs in one process). */
  leavesOnWorker = true;

  /** Whether passes can use the worker (false when disabled or after a failure: callers hash serially). */
  get usable(): boolean {
    return this.enabled && !this.broken;
  }

  /** Whether a pass over `arena` can use the worker (its records must be in a SharedArrayBuffer). */
  canHash(arena: NodeArena): boolean {
    return this.usable && arena.u8.buffer instanceof SharedArrayBuffer;
  }

  /** Test hook: the next pass fails on the worker (finish() then throws StoreError). */
  failNextPass(): void {
    this.failNext = true;
  }

  /** Starts a pass over `arena` for working version `version`; `maxInner` bounds the inner nodes it may list. */
  begin(arena: NodeArena, version: number, maxInner: number): void {
    const msg = this.prepare(arena, version, maxInner);
    if (this.failNext) {
      this.failNext = false;
      msg.fail = true;
    }
    this.passes++;
    this.worker.postMessage(msg);
  }

  /** The message starting a pass: buffers (re)sent when new or grown, control words reset. */
  private prepare(arena: NodeArena, version: number, maxEntries: number): PassMessage {
    const buf = arena.u8.buffer;
    if (!(buf instanceof SharedArrayBuffer)) throw new StoreError("ArenaHashWorker needs a NodeArena created with { shared: true }");
    let e = this.sent.get(arena);
    const msg: PassMessage = { version, id: 0, spin: this.spin };
    if (e === undefined) {
      e = { id: this.nextId++, buffer: buf };
      this.sent.set(arena, e);
      msg.arena = buf;
    } else if (e.buffer !== buf) {
      e.buffer = buf;
      msg.arena = buf;
    }
    msg.id = e.id;
    if (this.list.length < maxEntries) {
      this.list = new Int32Array(new SharedArrayBuffer(Math.max(1024, maxEntries * 2) * 4));
      msg.list = this.list.buffer;
    }
    if (this.slabShort > 0 || this.slab.length === 0) {
      const size = Math.max(1 << 20, Math.ceil((this.slab.length + this.slabShort) * 1.5));
      this.slab = Buffer.from(new SharedArrayBuffer(size));
      msg.slab = this.slab.buffer;
    }
    if (this.metaShort > 0 || this.meta.length === 0) {
      const n = Math.max(4096, Math.ceil((this.meta.length / 4 + this.metaShort) * 1.5));
      this.meta = new Int32Array(new SharedArrayBuffer(n * 16));
      msg.meta = this.meta.buffer;
      this.ends = new Int32Array(new SharedArrayBuffer(n * 4));
      msg.ends = this.ends.buffer;
    }
    if (this.outShort > 0 || this.out.length === 0) {
      const size = Math.max(1 << 20, Math.ceil((this.out.length + this.outShort) * 1.5));
      this.out = Buffer.from(new SharedArrayBuffer(size));
      msg.out = this.out.buffer;
    }
    this.slabPos = 0;
    this.slabShort = 0;
    this.leaves = 0;
    this.metaShort = 0;
    this.outWorst = 0;
    this.outShort = 0;
    const c = this.ctl;
    Atomics.store(c, PUB, 0);
    Atomics.store(c, END, 0);
    Atomics.store(c, DONE, 0);
    Atomics.store(c, HASHED, 0);
    Atomics.store(c, ERR, 0);
    Atomics.store(c, SLEEP, 0);
    this.n = 0;
    return msg;
  }

  // ---- encode passes (ArenaNodeWriter): inner pages' bodies encoded on the worker ----

  /** Encode passes run (tests, benchmarks). */
  encodePasses = 0;
  /** Inner nodes encoded on the worker. */
  workerEncoded = 0;
  private outWorst = 0;
  private outShort = 0;
  private out: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  private ends: Int32Array<ArrayBufferLike> = new Int32Array(0);

  /**
   * Starts an encode pass over `arena` (its inner nodes' node keys, heights, sizes and children
   * final: during a save). False when the worker cannot be used (the caller encodes itself).
   */
  beginEncode(arena: NodeArena): boolean {
    if (!this.canHash(arena)) return false;
    const msg = this.prepare(arena, 0, arena.liveSlots);
    msg.encode = true;
    if (this.failNext) {
      this.failNext = false;
      msg.fail = true;
    }
    this.encodePasses++;
    this.worker.postMessage(msg);
    return true;
  }

  /**
   * Lists one page of inner slots (`keys`: the arena's key strings) for the worker to encode and
   * frame as an inner page (frameInnerPage's bytes); returns the index of its first entry, or -1
   * when the pass's buffers cannot take it (the caller encodes the page itself; the next pass gets
   * bigger buffers). The framed pages lie back to back in finishEncode()'s `out`, in push order.
   */
  pushEncodePage(slots: readonly number[], keys: readonly (string | undefined)[]): number {
    const count = slots.length;
    const first = this.n;
    if (count === 0 || count > MAX_PAGE) return -1;
    if (first + count > this.list.length || first + count > this.ends.length) {
      this.metaShort += count;
      return -1;
    }
    // The page's keys go to the slab as one concatenation in one native latin1 write: V8 copies
    // the rope's pieces with memcpy, where a charCodeAt loop costs ~6–20 ns per byte on these
    // cold, scattered strings (Round 9).
    const m = this.meta;
    const list = this.list;
    const start = this.slabPos;
    let pos = start;
    let all = "";
    for (let i = 0; i < count; i++) {
      const s = slots[i]!;
      const key = keys[s]!;
      const klen = key.length;
      all += key;
      const j = first + i;
      m[j * 4] = pos;
      m[j * 4 + 1] = klen;
      m[j * 4 + 2] = i === 0 ? count : 0;
      list[j] = s;
      pos += klen;
    }
    if (pos > this.slab.length) {
      this.slabShort += pos - start;
      return -1;
    }
    if (pos > start) this.slab.write(all, start, pos - start, "latin1");
    // A body is at most 1 + 3 varints (≤ 9 B) + key + 2 × (32 + 2 varints); the page's frame
    // (the worker's room for it) at most 2 + 5 per body + crc.
    const worst = count * (1 + 27 + 2 * (32 + 18) + 5) + (pos - start) + 6;
    if (this.outWorst + worst > this.out.length) {
      this.outShort += worst;
      return -1;
    }
    this.outWorst += worst;
    this.slabPos = pos;
    this.n = first + count;
    if (!this.holdPublish) this.publish();
    return first;
  }

  /**
   * Ends the encode pass and waits for the worker: the framed pages, back to back in push order
   * from 0, the page whose first entry is f ending at ends[f + count - 1]; or undefined when the
   * worker failed (it is not used again; the caller encodes the pages itself).
   */
  finishEncode(): { out: Buffer; ends: Int32Array<ArrayBufferLike> } | undefined {
    const hashed = this.workerHashed;
    try {
      this.finish();
    } catch {
      return undefined;
    } finally {
      this.workerEncoded += this.workerHashed - hashed;
      this.workerHashed = hashed;
    }
    return { out: this.out, ends: this.ends };
  }

  /**
   * Whether the worker is more than `maxLag` listed nodes behind: the main thread then hashes the
   * inner nodes it can (both children hashed by itself or clean) instead of listing them.
   */
  lagging(): boolean {
    return this.n - Atomics.load(this.ctl, HASHED) > this.maxLag;
  }

  /** lagging() for listings during the apply, which tolerate `earlyLag` nodes of backlog (the final walk catches up). */
  laggingEarly(): boolean {
    return this.n - Atomics.load(this.ctl, HASHED) > this.earlyLag;
  }

  /** Backlog tolerated during the apply before the main thread hashes listed nodes itself (default 8,192). */
  earlyLag: number;

  /** Publishes every listed entry now (the end of an early listing: the worker need not wait for 64 more). */
  publish(): void {
    const c = this.ctl;
    if (Atomics.load(c, PUB) === this.n) return;
    Atomics.store(c, PUB, this.n);
    Atomics.add(c, SIG, 1);
    this.wake(false);
  }

  /**
   * Wakes the worker if it sleeps and (unless `force`) at least wakeMin entries wait for it. SIG
   * was bumped before SLEEP is read here and the worker sets SLEEP before it reads SIG for its
   * wait (all seq-cst), so a worker that sleeps on entries published here is always seen.
   */
  private wake(force: boolean): void {
    const c = this.ctl;
    if (Atomics.load(c, SLEEP) === 0) return;
    if (!force && this.n - Atomics.load(c, HASHED) < this.wakeMin) return;
    this.wakes++;
    Atomics.notify(c, SIG);
  }

  /** Unhashed entries before a publish wakes a sleeping worker (A/B runs; 0 wakes it on every publish). */
  wakeMin = WAKE_MIN;
  /** Times a publish woke the worker (benchmarks). */
  wakes = 0;

  /**
   * Waits until the worker set the hashed flag of a listed slot (flag byte `u8[off]`): the main
   * thread is about to change that node. False when the worker failed or is wedged (the caller
   * stops using it: finish() then reports the failure).
   */
  waitHashed(u8: Uint8Array, off: number): boolean {
    this.publish();
    this.wake(true);
    const c = this.ctl;
    const t0 = performance.now();
    let spins = 0;
    while ((Atomics.load(u8, off) & 1) === 0) {
      if (Atomics.load(c, ERR) !== 0 || Atomics.load(c, DONE) !== 0) return false;
      if (++spins > 1000) {
        if (performance.now() - t0 > WAIT_MS) return false;
        Atomics.wait(c, HASHED, Atomics.load(c, HASHED), 0.05);
      }
    }
    this.touchWaits++;
    this.waitMs += performance.now() - t0;
    return true;
  }

  /**
   * While set, listed entries are published only by publish() (ArenaTree.hashBefore publishes
   * once per listing: a wake-up of a waiting worker per 64 entries cost more than the worker gained).
   */
  holdPublish = false;

  /** hashBefore publishes each listing once at its end (true) or every 64 entries (treebench --publish-ab flips it). */
  earlyHoldPublish = true;

  /** Main-thread waits for a listed node it had to change during the apply (tests, benchmarks). */
  touchWaits = 0;

  /** Lists inner slot `s` (its children are hashed or listed before it). */
  push(s: number): void {
    this.append(s);
  }

  /**
   * Lists leaf slot `s` with its key and value (latin1) at version `version`: its preimage is
   * written here for the worker to hash. False when the pass's buffers are full (the caller hashes
   * it; the next pass gets bigger buffers).
   */
  pushLeaf(s: number, key: string, value: string, version: number): boolean {
    if (!this.leavesOnWorker) return false;
    const klen = key.length;
    const vlen = value.length;
    const need = 17 + klen + 33 + vlen;
    const start = this.slabPos;
    if (start + need > this.slab.length) {
      this.slabShort += need;
      return false;
    }
    const j = this.leaves;
    if ((j + 1) * 4 > this.meta.length) {
      this.metaShort++;
      return false;
    }
    const b = this.slab;
    b[start] = 0; // height varint(0)
    b[start + 1] = 2; // size varint(1)
    let pos = putNonNegVarint(b, start + 2, version);
    pos = putUvarint(b, pos, klen);
    // key | 0x20 | 32 bytes for the value hash (the worker writes them) | value, in one native
    // write of a rope (cheaper than a charCodeAt loop over the cold key, Round 9).
    const pre = pos + klen + 1 - start;
    pos += b.write(key + VALUE_HASH_ROOM + value, pos, klen + 33 + vlen, "latin1");
    this.slabPos = pos;
    const m = this.meta;
    m[j * 4] = s;
    m[j * 4 + 1] = start;
    m[j * 4 + 2] = pre;
    m[j * 4 + 3] = vlen;
    this.leaves = j + 1;
    this.append(-j - 1);
    return true;
  }

  private append(x: number): void {
    const n = this.n;
    // Sized at begin() for the pass's nodes; overflowing it would be a bug here, never a silent loss.
    if (n === this.list.length) throw new StoreError("arena hash worker list overflow");
    this.list[n] = x;
    this.n = n + 1;
    if ((n + 1) % PUBLISH_EVERY === 0 && !this.holdPublish) {
      Atomics.store(this.ctl, PUB, n + 1);
      Atomics.add(this.ctl, SIG, 1);
      this.wake(false);
    }
  }

  /**
   * Ends the pass and waits until the worker hashed every listed node. A failed or wedged worker
   * is never used again and the pass throws StoreError (the listed nodes stay unhashed: the
   * caller's next hash pass hashes them serially).
   */
  finish(): void {
    const c = this.ctl;
    Atomics.store(c, PUB, this.n);
    Atomics.store(c, END, 1);
    Atomics.add(c, SIG, 1);
    Atomics.notify(c, SIG);
    const t0 = performance.now();
    let waited = 0;
    while (Atomics.load(c, DONE) === 0) {
      if (waited >= WAIT_MS) {
        this.broken = true;
        void this.worker.terminate();
        throw new StoreError("arena hash worker did not finish a pass");
      }
      Atomics.wait(c, DONE, 0, 1000);
      waited += 1000;
    }
    this.waitMs += performance.now() - t0;
    this.workerHashed += Atomics.load(c, HASHED);
    this.workerCpuMs += Atomics.load(c, CPU_US) / 1000;
    if (Atomics.load(c, ERR) !== 0) {
      this.broken = true;
      void this.worker.terminate();
      throw new StoreError("arena hash worker failed during a pass");
    }
  }

  /** Ends the thread (idempotent). */
  close(): Promise<number> {
    this.broken = true;
    return this.worker.terminate();
  }
}

/**
 * NodeWriter (nodedb.ts) for arena slots: the same leaf records and inner pages, byte for byte,
 * encoded from the slot records (child hashes, versions and nonces read from the slab instead of
 * from the children's objects and hash strings). Format: nodedb.ts header and README "On-disk format".
 */
import { crc32 } from "node:zlib";
import { StoreError } from "./types";
import * as enc from "./encoding";
import { NodeArena } from "./arena";
import type { ArenaHashWorker } from "./arenahash";
import * as iavlMod from "./iavl";
import * as ndb from "./nodedb";
import type { RecordSink, StoreKeys } from "./nodedb";

// Local bindings: CommonJS output turns imported names into getter calls on every use (hot here).
const putUvarint = enc.putUvarint;
const PAGE_SIZE = ndb.PAGE_SIZE;
const frameInnerPage = ndb.frameInnerPage;
const pageOf = ndb.pageOf;
const putInnerCount = ndb.putInnerCount;
const LEAF_NONCE_BASE = iavlMod.LEAF_NONCE_BASE;

function putUv(out: Uint8Array, pos: number, n: number): number {
  if (n < 0x80) {
    out[pos] = n;
    return pos + 1;
  }
  return putUvarint(out, pos, n);
}

/** Body of leaf slot `s` (nodedb.ts writeBody format); returns the end. */
function writeLeafBody(out: Buffer, pos: number, a: NodeArena, s: number): number {
  const key = a.keys[s]!;
  const v = a.vals[s]!;
  out[pos++] = 0;
  pos = putUv(out, pos, 0);
  pos = putUv(out, pos, a.size(s));
  pos = putUv(out, pos, key.length);
  // Key and value are adjacent: one native write of the pair (a charCodeAt loop over a cold
  // key string costs more than building the rope, Round 9).
  return pos + out.write(key + v, pos, key.length + v.length, "latin1");
}

function copyLatin1(out: Buffer, pos: number, src: string): number {
  const n = src.length;
  if (n > 64) return pos + out.write(src, pos, n, "latin1");
  for (let i = 0; i < n; i++) out[pos + i] = src.charCodeAt(i);
  return pos + n;
}

/** Body of inner slot `s` (nodedb.ts writeBody format); returns the end. */
function writeInnerBody(out: Buffer, pos: number, a: NodeArena, s: number): number {
  const key = a.keys[s]!;
  out[pos++] = 1;
  pos = putUv(out, pos, a.height(s));
  pos = putUv(out, pos, a.size(s));
  pos = putUv(out, pos, key.length);
  pos = copyLatin1(out, pos, key);
  const l = a.left(s);
  const r = a.right(s);
  pos = a.copyHash(l, out, pos);
  pos = putUv(out, pos, a.version(l));
  pos = putUv(out, pos, a.nonce(l));
  pos = a.copyHash(r, out, pos);
  pos = putUv(out, pos, a.version(r));
  return putUv(out, pos, a.nonce(r));
}

let encScratch = Buffer.allocUnsafe(64 * 1024);
let recScratch = Buffer.allocUnsafe(64 * 1024);
/** Views of recScratch by length (a block's leaf records have few distinct lengths: no Buffer object per record). */
let recViews: (Buffer | undefined)[] = [];

function recView(len: number): Buffer {
  let v = recViews[len];
  if (v === undefined) {
    v = recScratch.subarray(0, len);
    if (len <= 4096) recViews[len] = v;
  }
  return v;
}

/** Pages a save encodes itself before it hands the rest to the worker (small saves stay local). */
const LOCAL_PAGES = 8;

/**
 * Collects one version's new slots (in save order: inner nonces ascending) into leaf records and
 * inner pages for `sink` (which copies them; the buffers are reused). With a `worker` (the tree's
 * hash worker) the inner pages after the first LOCAL_PAGES are encoded and framed on the worker
 * while this thread encodes the leaves; finish() hands them to `sink` (same records; the batch
 * holds them in another order, which LevelDB does not keep).
 */
export class ArenaNodeWriter {
  private pending: number[] = [];
  private inner = 0;
  private localPages = 0;
  /** 1: pages go to the worker, -1: it could not be used, 0: not tried yet. */
  private wState = 0;
  /** Pages handed to the worker: their slots and first entry. */
  private readonly wPages: { slots: number[]; first: number }[] = [];
  constructor(
    private readonly arena: NodeArena,
    private readonly keys: StoreKeys,
    private readonly sink: RecordSink,
    private readonly worker?: ArenaHashWorker,
  ) {}

  add(s: number): void {
    const a = this.arena;
    const nonce = a.nonce(s);
    if (nonce >= LEAF_NONCE_BASE) {
      // Room for the worst case (three varints ≤ 9 B each), then the body's own length.
      const worst = 1 + 27 + a.keys[s]!.length + a.vals[s]!.length + 4;
      if (recScratch.length < worst) {
        recScratch = Buffer.allocUnsafe(worst * 2);
        recViews = [];
      }
      const out = recScratch;
      const len = writeLeafBody(out, 0, a, s);
      out.writeUInt32BE(crc32(recView(len)), len);
      this.sink.put(this.keys.nodeTmp(a.version(s), nonce), recView(len + 4));
      return;
    }
    if (nonce !== this.inner + 1) throw new StoreError(`inner node nonces out of order (${nonce} after ${this.inner})`);
    this.inner = nonce;
    this.pending.push(s);
    if (this.pending.length === PAGE_SIZE) this.flush();
  }

  /** Writes the last partial page and the worker's pages; returns the number of inner nodes written. */
  finish(version: number): number {
    if (this.pending.length > 0) this.flush();
    if (this.wState === 1) {
      const r = this.worker!.finishEncode();
      const a = this.arena;
      let start = 0;
      for (const { slots, first } of this.wPages) {
        if (r === undefined) {
          this.encodePage(slots); // the worker failed: same page from here
          continue;
        }
        // Framed on the worker (same bytes as frameInnerPage), back to back in push order.
        const end = r.ends[first + slots.length - 1]!;
        const s0 = slots[0]!;
        this.sink.put(this.keys.nodeTmp(a.version(s0), pageOf(a.nonce(s0))), r.out.subarray(start, end));
        start = end;
      }
    }
    putInnerCount(this.sink, this.keys, version, this.inner);
    return this.inner;
  }

  private flush(): void {
    const slots = this.pending;
    this.pending = [];
    const w = this.worker;
    if (w !== undefined && this.wState >= 0 && ++this.localPages > LOCAL_PAGES) {
      if (this.wState === 0) this.wState = w.beginEncode(this.arena) ? 1 : -1;
      if (this.wState === 1) {
        const first = w.pushEncodePage(slots, this.arena.keys);
        if (first >= 0) {
          this.wPages.push({ slots, first });
          return;
        }
      }
    }
    this.encodePage(slots);
  }

  private encodePage(slots: number[]): void {
    const a = this.arena;
    const count = slots.length;
    // A rope + one native write of the keys (as pushEncodePage does) measured no faster here
    // (encodebench --no-worker): the cold child records dominate.
    let need = 0;
    for (let i = 0; i < count; i++) need += 1 + 3 * 9 + a.keys[slots[i]!]!.length + 2 * (32 + 2 * 9);
    if (encScratch.length < need) encScratch = Buffer.allocUnsafe(need * 2);
    const scratch = encScratch;
    const ends: number[] = new Array<number>(count);
    let pos = 0;
    for (let i = 0; i < count; i++) {
      pos = writeInnerBody(scratch, pos, a, slots[i]!);
      ends[i] = pos;
    }
    const out = frameInnerPage(scratch, ends, count);
    const first = slots[0]!;
    this.sink.put(this.keys.nodeTmp(a.version(first), pageOf(a.nonce(first))), out);
  }
}

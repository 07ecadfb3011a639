/**
 * On-disk layout (one LevelDB database, every key starts with a one-byte table tag):
 *
 *   'm'                                   metadata (JSON): latest version, AppHash, store names,
 *                                         pruning progress
 *   'c' BE64(version)                     commit record (JSON): per store root hash + root node key
 *   'n' u8(len name) name BE64(v) BE32(x) node storage of version v:
 *                                           x >= 2^31: one leaf, node key (v, nonce x)
 *                                           x <  2^31: page x of inner nodes, nonces 64x+1 .. 64x+64
 *   'f' u8(len name) name key             fast index: latest committed value of `key`
 *   'o' BE64(lastVersion) u8(len) name    orphans: node keys last alive at `lastVersion`
 *   'v' u8(len name) name BE64(v)         uvarint number of inner nodes written at version v
 *   'd' u8(len name) name BE64(v) BE32(p) bitmap of pruned nodes of inner page p of version v
 *
 * Node body: u8 kind (0 leaf, 1 inner) | uvarint height | uvarint size | uvarint len(key) | key |
 *   leaf:  value
 *   inner: left hash(32) | uvarint left version | uvarint left nonce | right hash(32) | ... right
 * Leaf record = body | crc32(body). Inner page = u8 2 | uvarint count | count x uvarint len(body) |
 * bodies | crc32 of everything before. Inner nodes keep their children's hashes, so a loaded node's
 * hash is recomputed and checked against what its parent (or the commit record) expects: a corrupt,
 * swapped or missing record raises StoreError, never a wrong hash.
 *
 * Why pages: a 10,000-write block on a 1M-key tree creates ~90,000 nodes, ~80,000 of them inner
 * nodes that mostly die within a few blocks; one LevelDB entry per inner node made the commit
 * batch the bottleneck. Leaves live long, so they stay single records (no page kept alive by
 * one surviving leaf). A page is deleted once every node in it is pruned.
 */
import { crc32 } from "node:zlib";
import { StoreError } from "./types";
import { hashNodeH, LEAF_NONCE_BASE, Node, NodeLoader } from "./iavl";
import type { NodeArena } from "./arena";
import type { ArenaLoader } from "./arenaload";
import { hashSlot } from "./arenatree";
import * as enc from "./encoding";
import { FifoMap } from "../util/fifo";

// Local bindings (CommonJS output turns imported functions into getter calls on every use).
const putUvarint = enc.putUvarint;
const readUvarint = enc.readUvarint;
const toHex = enc.toHex;
const uvarintSize = enc.uvarintSize;
const writeBE64 = enc.writeBE64;

export const TAG_META = 0x6d; // 'm'
export const TAG_COMMIT = 0x63; // 'c'
export const TAG_NODE = 0x6e; // 'n'
export const TAG_FAST = 0x66; // 'f'
export const TAG_ORPHANS = 0x6f; // 'o'
export const TAG_INNER_COUNT = 0x76; // 'v'
export const TAG_DEAD = 0x64; // 'd'

/** Inner nodes per page. */
export const PAGE_SIZE = 64;
const PAGE_FORMAT = 2;

export const META_KEY = new Uint8Array([TAG_META]);

function storePrefix(tag: number, name: string): Uint8Array {
  const nb = Buffer.from(name, "utf8");
  const out = new Uint8Array(2 + nb.length);
  out[0] = tag;
  out[1] = nb.length;
  out.set(nb, 2);
  return out;
}

export function commitKey(version: number): Uint8Array {
  const k = new Uint8Array(9);
  k[0] = TAG_COMMIT;
  writeBE64(k, 1, version);
  return k;
}

export function orphanKey(lastVersion: number, name: string): Uint8Array {
  const nb = Buffer.from(name, "utf8");
  const k = new Uint8Array(10 + nb.length);
  k[0] = TAG_ORPHANS;
  writeBE64(k, 1, lastVersion);
  k[9] = nb.length;
  k.set(nb, 10);
  return k;
}

/** Key helpers bound to one store name. */
/** The node key (version u64 BE ‖ nonce u32 BE) at `off` in `k`. */
function writeNodeKey(k: Uint8Array, off: number, version: number, nonce: number): void {
  writeBE64(k, off, version);
  const i = off + 8;
  k[i] = (nonce >>> 24) & 0xff;
  k[i + 1] = (nonce >>> 16) & 0xff;
  k[i + 2] = (nonce >>> 8) & 0xff;
  k[i + 3] = nonce & 0xff;
}

export class StoreKeys {
  readonly nodePrefix: Uint8Array;
  readonly fastPrefix: Uint8Array;
  constructor(readonly name: string) {
    this.nodePrefix = storePrefix(TAG_NODE, name);
    this.fastPrefix = storePrefix(TAG_FAST, name);
  }
  node(version: number, nonce: number): Uint8Array {
    const p = this.nodePrefix;
    const k = new Uint8Array(p.length + 12);
    k.set(p, 0);
    writeNodeKey(k, p.length, version, nonce);
    return k;
  }
  fast(key: Uint8Array): Uint8Array {
    const p = this.fastPrefix;
    const k = new Uint8Array(p.length + key.length);
    k.set(p, 0);
    k.set(key, p.length);
    return k;
  }
  private fastScratch = new Uint8Array(0);
  /** Buffer view of fastScratch, for one native latin1 write per key. */
  private fastBuf = Buffer.alloc(0);
  private fastViews: (Uint8Array | undefined)[] = [];
  /** fast(key) for a latin1 key string, in a scratch buffer valid until the next call (for a batch op, which copies it). */
  fastTmp(key: string): Uint8Array {
    const p = this.fastPrefix;
    const pl = p.length;
    const len = pl + key.length;
    if (this.fastScratch.length < len) {
      this.fastScratch = new Uint8Array(Math.max(len, 256));
      this.fastScratch.set(p, 0);
      this.fastBuf = Buffer.from(this.fastScratch.buffer, 0, this.fastScratch.length);
      this.fastViews = [];
    }
    // One native write: a charCodeAt loop over these cold key strings costs ~6-20 ns per byte (Round 9/10).
    this.fastBuf.write(key, pl, key.length, "latin1");
    let v = this.fastViews[len];
    if (v === undefined) {
      v = this.fastScratch.subarray(0, len);
      this.fastViews[len] = v;
    }
    return v;
  }
  private nodeScratch: Uint8Array | undefined;
  /** node(version, nonce) in a scratch buffer, valid until the next call (for a batch op). */
  nodeTmp(version: number, nonce: number): Uint8Array {
    const p = this.nodePrefix;
    let k = this.nodeScratch;
    if (k === undefined) {
      k = new Uint8Array(p.length + 12);
      k.set(p, 0);
      this.nodeScratch = k;
    }
    writeNodeKey(k, p.length, version, nonce);
    return k;
  }
  /** Storage key of node (version, nonce): its leaf record or its inner page. */
  storageKey(version: number, nonce: number): Uint8Array {
    return nonce >= LEAF_NONCE_BASE ? this.node(version, nonce) : this.node(version, pageOf(nonce));
  }
  innerCount(version: number): Uint8Array {
    const k = new Uint8Array(this.nodePrefix.length + 8);
    k.set(this.nodePrefix, 0);
    k[0] = TAG_INNER_COUNT;
    writeBE64(k, this.nodePrefix.length, version);
    return k;
  }
  dead(version: number, page: number): Uint8Array {
    const k = this.node(version, page);
    k[0] = TAG_DEAD;
    return k;
  }
}

export function pageOf(innerNonce: number): number {
  return Math.floor((innerNonce - 1) / PAGE_SIZE);
}

/** Size of node body. */
function copyH(out: Uint8Array, pos: number, h: string): number {
  for (let i = 0; i < 32; i++) out[pos + i] = h.charCodeAt(i);
  return pos + 32;
}

function bodySize(n: Node): number {
  const key = n.k;
  let len = 1 + uvarintSize(n.height) + uvarintSize(n.size) + uvarintSize(key.length) + key.length;
  if (n.height === 0) return len + n.v!.length;
  const l = n.left!;
  const r = n.right!;
  return len + 64 + uvarintSize(l.version) + uvarintSize(l.nonce) + uvarintSize(r.version) + uvarintSize(r.nonce);
}

/** A latin1 string's bytes; a loop beats a native write for short keys. */
function copyLatin1(out: Buffer, pos: number, src: string): number {
  const n = src.length;
  if (n > 64) return pos + out.write(src, pos, n, "latin1");
  for (let i = 0; i < n; i++) out[pos + i] = src.charCodeAt(i);
  return pos + n;
}

/** uvarint with fast paths for the small numbers of node bodies. */
function putUv(out: Uint8Array, pos: number, n: number): number {
  if (n < 0x80) {
    out[pos] = n;
    return pos + 1;
  }
  return putUvarint(out, pos, n);
}

function writeBody(out: Buffer, pos: number, n: Node): number {
  const key = n.k;
  out[pos++] = n.height === 0 ? 0 : 1;
  pos = putUv(out, pos, n.height);
  pos = putUv(out, pos, n.size);
  pos = putUv(out, pos, key.length);
  pos = copyLatin1(out, pos, key);
  if (n.height === 0) {
    const v = n.v!;
    return pos + out.write(v, pos, v.length, "latin1");
  }
  const l = n.left!;
  const r = n.right!;
  pos = copyH(out, pos, l.h!);
  pos = putUv(out, pos, l.version);
  pos = putUv(out, pos, l.nonce);
  pos = copyH(out, pos, r.h!);
  pos = putUv(out, pos, r.version);
  return putUv(out, pos, r.nonce);
}

/** Leaf record: body | crc32. */
export function encodeLeaf(n: Node): Uint8Array {
  const len = bodySize(n);
  const out = Buffer.allocUnsafe(len + 4);
  writeBody(out, 0, n);
  out.writeUInt32BE(crc32(out.subarray(0, len)), len);
  return out;
}

/** Scratch for encoding: bodies of a page, then each record (the batch copies it on put). */
let encScratch = Buffer.allocUnsafe(64 * 1024);
let recScratch = Buffer.allocUnsafe(64 * 1024);

/** Writes a version's inner-node count record (uvarint; none when the version wrote no inner node). Used by both node writers. */
export function putInnerCount(sink: RecordSink, keys: StoreKeys, version: number, count: number): void {
  if (count === 0) return;
  const k = new Uint8Array(uvarintSize(count));
  putUvarint(k, 0, count);
  sink.put(keys.innerCount(version), k);
}

/**
 * Frames `count` inner-node bodies (laid out back to back in `bodies`, `ends[i]` = end of body i)
 * as an inner page: u8 2 | uvarint count | uvarint len(body) each | bodies | crc32. Returns a view
 * of a reused buffer, valid until the next call (RecordSink copies). Used by both node writers.
 */
export function frameInnerPage(bodies: Buffer, ends: number[], count: number): Buffer {
  const size = ends[count - 1]!;
  let len = 1 + uvarintSize(count) + size;
  let prev = 0;
  for (let i = 0; i < count; i++) {
    len += uvarintSize(ends[i]! - prev);
    prev = ends[i]!;
  }
  if (recScratch.length < len + 4) recScratch = Buffer.allocUnsafe((len + 4) * 2);
  const out = recScratch;
  out[0] = PAGE_FORMAT;
  let pos = putUvarint(out, 1, count);
  prev = 0;
  for (let i = 0; i < count; i++) {
    pos = putUv(out, pos, ends[i]! - prev);
    prev = ends[i]!;
  }
  bodies.copy(out, pos, 0, size);
  pos += size;
  out.writeUInt32BE(crc32(out.subarray(0, pos)), pos);
  return out.subarray(0, pos + 4);
}

/** Where NodeWriter hands finished records; key and value are only valid during the call. */
export interface RecordSink {
  put(key: Uint8Array, value: Uint8Array): void;
}

/**
 * Collects one version's new nodes (in save order: inner nonces ascending) into leaf records and
 * inner pages, handing each finished record to `sink` (the commit's native batch, which copies
 * it: records and keys are encoded into reused scratch buffers, nothing is allocated per record
 * but the view).
 */
export class NodeWriter {
  private pending: Node[] = [];
  private inner = 0;
  constructor(
    private readonly keys: StoreKeys,
    private readonly sink: RecordSink,
  ) {}

  add(n: Node): void {
    if (n.nonce >= LEAF_NONCE_BASE) {
      const len = bodySize(n);
      if (recScratch.length < len + 4) recScratch = Buffer.allocUnsafe((len + 4) * 2);
      const out = recScratch;
      writeBody(out, 0, n);
      const rec = out.subarray(0, len + 4);
      out.writeUInt32BE(crc32(out.subarray(0, len)), len);
      this.sink.put(this.keys.nodeTmp(n.version, n.nonce), rec);
      return;
    }
    if (n.nonce !== this.inner + 1) throw new StoreError(`inner node nonces out of order (${n.nonce} after ${this.inner})`);
    this.inner = n.nonce;
    this.pending.push(n);
    if (this.pending.length === PAGE_SIZE) this.flush();
  }

  /** Writes the last partial page; returns the number of inner nodes written. */
  finish(version: number): number {
    if (this.pending.length > 0) this.flush();
    putInnerCount(this.sink, this.keys, version, this.inner);
    return this.inner;
  }

  private flush(): void {
    const nodes = this.pending;
    this.pending = [];
    const count = nodes.length;
    // Bodies go to the scratch in one pass (ends[i] = end of body i); the header needs their sizes.
    let need = 0;
    for (let i = 0; i < count; i++) {
      const n = nodes[i]!;
      need += 1 + 3 * 9 + n.k.length + 2 * (32 + 2 * 9);
    }
    if (encScratch.length < need) encScratch = Buffer.allocUnsafe(need * 2);
    const scratch = encScratch;
    const ends: number[] = new Array<number>(count);
    let pos = 0;
    for (let i = 0; i < count; i++) {
      pos = writeBody(scratch, pos, nodes[i]!);
      ends[i] = pos;
    }
    const out = frameInnerPage(scratch, ends, count);
    const first = nodes[0]!;
    this.sink.put(this.keys.nodeTmp(first.version, pageOf(first.nonce)), out);
  }
}

/** A parsed inner page: body i = buf[offsets[i] .. offsets[i+1]). */
export interface Page {
  readonly buf: Uint8Array;
  readonly offsets: number[];
}

function parsePage(rec: Uint8Array): Page {
  if (rec.length < 6) throw new Error("page too short");
  const body = rec.subarray(0, rec.length - 4);
  const want = Buffer.from(rec.buffer, rec.byteOffset, rec.byteLength).readUInt32BE(rec.length - 4);
  if (crc32(body) !== want) throw new Error("page checksum mismatch");
  if (body[0] !== PAGE_FORMAT) throw new Error(`unknown page format ${body[0]}`);
  let [count, pos] = readUvarint(body, 1);
  if (count < 1 || count > PAGE_SIZE) throw new Error(`bad page count ${count}`);
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    let sz: number;
    [sz, pos] = readUvarint(body, pos);
    sizes.push(sz);
  }
  const offsets = [pos];
  for (const sz of sizes) offsets.push(offsets[offsets.length - 1]! + sz);
  if (offsets[count] !== body.length) throw new Error("page length mismatch");
  return { buf: body, offsets };
}

/** Strips and checks the crc32 of a leaf record. */
function leafBody(rec: Uint8Array): Uint8Array {
  if (rec.length < 5) throw new Error("record too short");
  const body = rec.subarray(0, rec.length - 4);
  const want = Buffer.from(rec.buffer, rec.byteOffset, rec.byteLength).readUInt32BE(rec.length - 4);
  if (crc32(body) !== want) throw new Error("checksum mismatch");
  return body;
}

/**
 * A node body (leaf record body or one body of an inner page) parsed and checked; nothing else
 * is built. `kids` (inner nodes): for left then right, the offset of its 32-byte hash in the body,
 * its version and its nonce.
 */
interface NodeBody {
  height: number;
  size: number;
  key: string;
  /** Leaf value (latin1); undefined for an inner node. */
  value: string | undefined;
  kids: [number, number, number, number, number, number] | undefined;
}

/**
 * Parses a node body; throws Error on any inconsistency. Shared by both loaders below; `maxHeight`
 * bounds an inner node's height (the arena keeps it in an int8).
 */
function parseNodeBody(body: Uint8Array, maxHeight: number): NodeBody {
  let pos = 0;
  const kind = body[pos++];
  let height: number, size: number, klen: number;
  [height, pos] = readUvarint(body, pos);
  [size, pos] = readUvarint(body, pos);
  [klen, pos] = readUvarint(body, pos);
  if (pos + klen > body.length) throw new Error("truncated key");
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const key = bytes.toString("latin1", pos, pos + klen);
  pos += klen;
  if (kind === 0) {
    if (height !== 0 || size !== 1) throw new Error("bad leaf header");
    return { height, size, key, value: bytes.toString("latin1", pos), kids: undefined };
  }
  if (kind !== 1) throw new Error(`unknown node kind ${kind}`);
  if (height < 1 || height > maxHeight || size < 2) throw new Error("bad inner header");
  const kids: number[] = [];
  for (let i = 0; i < 2; i++) {
    if (pos + 32 > body.length) throw new Error("truncated child hash");
    const hashAt = pos;
    pos += 32;
    let v: number, nonce: number;
    [v, pos] = readUvarint(body, pos);
    [nonce, pos] = readUvarint(body, pos);
    kids.push(hashAt, v, nonce);
  }
  if (pos !== body.length) throw new Error("trailing bytes");
  return { height, size, key, value: undefined, kids: kids as NodeBody["kids"] };
}

/** Fills `stub` from a node body; throws on any inconsistency. */
export function decodeNodeInto(stub: Node, body: Uint8Array): void {
  const d = parseNodeBody(body, Infinity);
  const k = d.kids;
  if (k === undefined) {
    stub.v = d.value;
  } else {
    const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    stub.left = Node.stubH(k[1], k[2], bytes.toString("latin1", k[0], k[0] + 32));
    stub.right = Node.stubH(k[4], k[5], bytes.toString("latin1", k[3], k[3] + 32));
  }
  stub.k = d.key;
  stub.size = d.size;
  stub.height = d.height;
}

// Bound locally: CommonJS output would turn each call of an imported function into a getter call.
const uvAt = enc.uvarintAt;
const uvEndBox = enc.uvarintEnd;

/** latin1 string of bytes [start, end) of any Uint8Array (Buffer's native slice, no Buffer view allocated). */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;

/**
 * Fills stub slot `s` of an arena from a node body; an inner node gets two new stub children whose
 * hashes are copied from the body bytes. Throws Error on any inconsistency, before changing anything.
 * The same format and checks (in the same order, same messages) as parseNodeBody, parsed without
 * allocating anything but the key and value strings: this runs for every node a reopened tree loads.
 */
export function decodeBodyIntoSlot(a: NodeArena, s: number, body: Uint8Array): void {
  const n = body.length;
  let pos = 1;
  const kind = body[0];
  const height = uvAt(body, pos);
  const size = uvAt(body, uvEndBox.pos);
  const klen = uvAt(body, uvEndBox.pos);
  pos = uvEndBox.pos;
  if (pos + klen > n) throw new Error("truncated key");
  const key = latin1Slice.call(body, pos, pos + klen);
  pos += klen;
  if (kind === 0) {
    if (height !== 0 || size !== 1) throw new Error("bad leaf header");
    a.vals[s] = latin1Slice.call(body, pos, n);
  } else {
    if (kind !== 1) throw new Error(`unknown node kind ${kind}`);
    if (height < 1 || height > 127 || size < 2) throw new Error("bad inner header"); // the slot's height is an int8
    if (pos + 32 > n) throw new Error("truncated child hash");
    const lHash = pos;
    const lv = uvAt(body, pos + 32);
    const ln = uvAt(body, uvEndBox.pos);
    pos = uvEndBox.pos;
    if (pos + 32 > n) throw new Error("truncated child hash");
    const rHash = pos;
    const rv = uvAt(body, pos + 32);
    const rn = uvAt(body, uvEndBox.pos);
    if (uvEndBox.pos !== n) throw new Error("trailing bytes");
    a.setLeft(s, a.allocStub(lv, ln, body, lHash));
    a.setRight(s, a.allocStub(rv, rn, body, rHash));
  }
  a.keys[s] = key;
  a.setSize(s, size);
  a.setHeight(s, height);
}

/** Most inner-node bodies read ahead of need a loader keeps (~130 B each: ~35 MB at the bound). */
export const MAX_AHEAD_NODES = 262_144;

/** A number naming inner node (version, nonce) (exact below version 2^22), else a string. */
function nodeRef(version: number, nonce: number): number | string {
  return version < 4194304 ? version * 2147483648 + nonce : `${version}/${nonce}`;
}

/** A page record parsed and crc-checked, or undefined when malformed (prefetch.ts: then nothing is prefetched from it). */
export function tryParsePage(rec: Uint8Array): Page | undefined {
  try {
    return parsePage(rec);
  } catch {
    return undefined;
  }
}

/** Body of inner node `nonce` in its parsed page, or undefined when the page has no such body. */
export function pageBody(page: Page, nonce: number): Uint8Array | undefined {
  const i = (nonce - 1) % PAGE_SIZE;
  if (i + 1 >= page.offsets.length) return undefined;
  return page.buf.subarray(page.offsets[i]!, page.offsets[i + 1]!);
}

/**
 * The child of an inner node body on the path to `key` (IAVL: left when key < the node's key):
 * [version, nonce], or undefined when the body does not parse as an inner node.
 */
export function childToward(body: Uint8Array, key: string): [number, number] | undefined {
  let d: NodeBody;
  try {
    d = parseNodeBody(body, 127);
  } catch {
    return undefined;
  }
  const k = d.kids;
  if (k === undefined) return undefined;
  return key < d.key ? [k[1], k[2]] : [k[4], k[5]];
}

/** Minimal synchronous point-read interface (classic-level's getSync). */
export interface SyncReader {
  getSync(key: Uint8Array): Uint8Array | undefined;
}

/** Loads stubs of one store's tree from LevelDB, verifying each node's hash. */
export class DbNodeLoader implements NodeLoader, ArenaLoader {
  /**
   * Recently read inner pages (a tree walk reads parent and child from the same page often), keyed
   * by version × 2^25 + page number (a version has < 2^31 / 64 pages; exact below version 2^28, a
   * string above).
   * A FifoMap: evicting with `map.keys().next()` walks V8's deleted slots (chain/util/fifo.ts).
   */
  private readonly pages: FifoMap<number | string, Page>;
  constructor(
    private readonly db: SyncReader,
    private readonly keys: StoreKeys,
    maxPages = 1024,
    maxAhead = MAX_AHEAD_NODES,
  ) {
    this.pages = new FifoMap(maxPages);
    this.ahead = new FifoMap(maxAhead);
  }

  /**
   * Inner-node bodies read ahead of need by the prefetcher (prefetch.ts), latin1, keyed like
   * `nodeRef`: a node key names one immutable node, so such a body can never be stale. `body()`
   * takes (and forgets) one before reading a page; the loader's hash check still runs on it.
   */
  private readonly ahead: FifoMap<number | string, string>;
  private readonly aheadScratch = { buf: Buffer.alloc(256) };
  /** Nodes loaded from a prefetched body (benchmark, tests). */
  aheadUsed = 0;

  /** The hash a loading slot must have (its record's hash is overwritten by the check). */
  private readonly expected = new Uint8Array(32);

  /** How errors name a node. */
  private where(version: number, nonce: number): string {
    return `store "${this.keys.name}": node (version ${version}, nonce ${nonce})`;
  }

  /** A node's body (errors name the node; the text is built only then). */
  private body(version: number, nonce: number): Uint8Array {
    if (nonce >= LEAF_NONCE_BASE) {
      const rec = this.db.getSync(this.keys.node(version, nonce));
      if (rec === undefined) throw new StoreError(`${this.where(version, nonce)} is missing from the database`);
      try {
        return leafBody(rec);
      } catch (e) {
        throw new StoreError(`${this.where(version, nonce)} is corrupt: ${(e as Error).message}`);
      }
    }
    if (this.ahead.size !== 0) {
      const r = nodeRef(version, nonce);
      const pre = this.ahead.get(r);
      if (pre !== undefined) {
        this.ahead.delete(r);
        this.aheadUsed++;
        return this.scratchOf(pre);
      }
    }
    const pageNo = pageOf(nonce);
    const ck = version < 268435456 ? version * 33554432 + pageNo : `${version}/${pageNo}`;
    let page = this.pages.get(ck);
    if (page === undefined) {
      const rec = this.db.getSync(this.keys.node(version, pageNo));
      if (rec === undefined) throw new StoreError(`${this.where(version, nonce)} is missing from the database (page ${pageNo})`);
      try {
        page = parsePage(rec);
      } catch (e) {
        throw new StoreError(`${this.where(version, nonce)} is corrupt: ${(e as Error).message} (page ${pageNo})`);
      }
      this.pages.set(ck, page);
    }
    const i = (nonce - 1) % PAGE_SIZE;
    if (i + 1 >= page.offsets.length) throw new StoreError(`${this.where(version, nonce)} is missing from its page ${pageNo}`);
    return page.buf.subarray(page.offsets[i]!, page.offsets[i + 1]!);
  }

  /** A prefetched body as bytes, in a scratch buffer reused by the next call (decoders copy what they keep). */
  private scratchOf(body: string): Uint8Array {
    let b = this.aheadScratch.buf;
    if (b.length < body.length) b = this.aheadScratch.buf = Buffer.alloc(body.length * 2);
    const n = b.write(body, 0, "latin1");
    return b.subarray(0, n);
  }

  /** Keeps the body of inner node (version, nonce) read ahead of need (bounded; the oldest goes first). */
  offerAhead(version: number, nonce: number, body: string): void {
    const r = nodeRef(version, nonce);
    if (this.ahead.get(r) === undefined) this.ahead.set(r, body);
  }

  /** The body of inner node (version, nonce) if it was read ahead and not used yet (latin1; kept). */
  peekAhead(version: number, nonce: number): string | undefined {
    return this.ahead.size === 0 ? undefined : this.ahead.get(nodeRef(version, nonce));
  }

  /** Prefetched bodies held. */
  get aheadSize(): number {
    return this.ahead.size;
  }

  load(stub: Node): void {
    const body = this.body(stub.version, stub.nonce);
    const expected = stub.h!;
    try {
      decodeNodeInto(stub, body);
    } catch (e) {
      stub.height = -1;
      throw new StoreError(`${this.where(stub.version, stub.nonce)} is corrupt: ${(e as Error).message}`);
    }
    // Recompute: hashNode() returns the cached hash unless cleared.
    stub.h = undefined;
    const got = hashNodeH(stub, stub.version);
    if (got !== expected) {
      stub.height = -1;
      stub.h = expected;
      throw new StoreError(`${this.where(stub.version, stub.nonce)} is corrupt: hash ${toHex(enc.keyToBytes(got))} but its parent expects ${toHex(enc.keyToBytes(expected))}`);
    }
  }

  /** load() for a stub slot of an ArenaTree: decodes into the slot and checks its hash. */
  loadSlot(a: NodeArena, s: number): void {
    const version = a.version(s);
    const nonce = a.nonce(s);
    const body = this.body(version, nonce);
    const expected = this.expected;
    a.copyHash(s, expected, 0);
    try {
      decodeBodyIntoSlot(a, s, body); // changes nothing when it throws
    } catch (e) {
      throw new StoreError(`${this.where(version, nonce)} is corrupt: ${(e as Error).message}`);
    }
    a.clearHashed(s);
    hashSlot(a, s, version);
    if (!a.hashEquals(s, expected)) {
      const got = a.hashBytes(s);
      if (a.height(s) > 0) {
        a.release(a.left(s));
        a.release(a.right(s));
        a.setLeft(s, 0);
        a.setRight(s, 0);
      }
      a.setHeight(s, -1);
      a.keys[s] = "";
      a.vals[s] = undefined;
      a.setHashBytes(s, expected, 0);
      throw new StoreError(`${this.where(version, nonce)} is corrupt: hash ${toHex(got)} but its parent expects ${toHex(expected)}`);
    }
  }
}

/**
 * IAVL+ tree, byte-compatible with cosmos/iavl v1 (node hashing and the AVL+ insert/remove/
 * rotation algorithm of mutable_tree.go; see shared/reference/iavl-ics23-ibc.md §1).
 * Ported with attribution: cosmos/iavl is Apache-2.0.
 *
 * Nodes are immutable once saved (version > 0). Nodes created while building the working
 * version have version 0 and are mutated in place (Go clones them instead; the resulting tree
 * and hashes are identical because an unsaved node has exactly one parent). Saved nodes are
 * cloned on write and remembered as orphans so the store can prune them later.
 *
 * Children may be "stubs": a node whose record has not been loaded yet (height -1) and that
 * only knows its node key (version, nonce) and the hash its parent recorded. `NodeLoader`
 * fills a stub in place; every field access other than version/nonce/hash goes through load().
 */
import { StoreError } from "./types";
import * as enc from "./encoding";
import * as hb from "./hashbytes"; // hot: bound locally below
import { bytesToKey, keyToBytes } from "./encoding";

// Local bindings: CommonJS output turns imported functions into getter calls on every use,
// which shows up in tree walks and hashing (the hottest code of the store).
const putUvarint = enc.putUvarint;
const digestScratch = hb.digestScratch;
const hashScratch = hb.hashScratch;
const writeInnerPrefix = hb.writeInnerPrefix;
const writeLeafPreimage = hb.writeLeafPreimage;
const varintSize = enc.varintSize;
const EMPTY_HASH = enc.EMPTY_HASH;

/** Leaf nonces start here (high bit of the 32-bit nonce); inner node nonces count from 1. */
export const LEAF_NONCE_BASE = 0x80000000;

export class Node {
  /**
   * The key as a latin1 string (one char per byte; JS string order is unsigned byte order). A
   * Uint8Array per key is a typed array plus an ArrayBuffer the GC traces and sweeps separately;
   * a string is one flat object, and comparisons are native. `key` converts; hot paths use `k`.
   */
  k: string;
  /**
   * Leaf value as a latin1 string (one char per byte); undefined for inner nodes. A string is one
   * plain heap object; a Uint8Array per leaf is a typed array, an ArrayBuffer and an off-heap
   * backing store the GC tracks separately (a million of them made full GCs ~35% slower and each
   * new value ~3x dearer to collect). `value` converts; hot paths use `v`.
   */
  v: string | undefined;
  /** -1 while this is an unloaded stub. */
  height: number;
  size: number;
  /** Version that created the node; 0 = unsaved working node. */
  version: number;
  /**
   * The nonce, kept as a small integer: inner nonces as they are, leaf nonces (from 2^31) as
   * -(nonce - 2^31). A field that ever holds a number outside the 31-bit Smi range is stored as
   * a boxed HeapNumber in every node (pointer compression), i.e. one more heap object per node
   * for the GC; `nonce` converts.
   */
  nk: number;
  /**
   * The node hash as a 32-char latin1 string (one char per byte): a flat string costs the GC far
   * less than a Uint8Array per node. `hash` converts; hot paths use `h`.
   */
  h: string | undefined;
  left: Node | undefined;
  right: Node | undefined;

  constructor(k: string, v: string | undefined, height: number, size: number) {
    this.k = k;
    this.v = v;
    this.height = height;
    this.size = size;
    this.version = 0;
    this.nk = 0;
    this.h = undefined;
    this.left = undefined;
    this.right = undefined;
  }

  /** The key as bytes (a new Buffer per call). */
  get key(): Uint8Array {
    return Buffer.from(this.k, "latin1");
  }

  set key(b: Uint8Array) {
    this.k = bytesToKey(b);
  }

  /** Nonce within that version (IAVL v1 NodeKey); 0 = unsaved. */
  get nonce(): number {
    const x = this.nk;
    return x < 0 ? LEAF_NONCE_BASE - x : x;
  }

  set nonce(v: number) {
    this.nk = v > LEAF_NONCE_BASE ? LEAF_NONCE_BASE - v : v;
  }

  /** The leaf value as bytes (a new Buffer per call: callers treat it as read-only anyway). */
  get value(): Uint8Array | undefined {
    return this.v === undefined ? undefined : Buffer.from(this.v, "latin1");
  }

  set value(b: Uint8Array | undefined) {
    this.v = b === undefined ? undefined : bytesToKey(b);
  }

  get hash(): Uint8Array | undefined {
    return this.h === undefined ? undefined : keyToBytes(this.h);
  }

  set hash(v: Uint8Array | undefined) {
    this.h = v === undefined ? undefined : bytesToKey(v);
  }

  static stub(version: number, nonce: number, hash: Uint8Array): Node {
    return Node.stubH(version, nonce, bytesToKey(hash));
  }

  /** A stub from a latin1 hash string. */
  static stubH(version: number, nonce: number, h: string): Node {
    const n = new Node(EMPTY_KEY, undefined, -1, 0);
    n.version = version;
    n.nonce = nonce;
    n.h = h;
    return n;
  }

  isLeaf(): boolean {
    return this.height === 0;
  }
}

const EMPTY_KEY = "";

/** Path order of saved nodes: is `a` above where `b` would be (newer version, or later in post-order)? */
function newerThan(a: Node, b: Node): boolean {
  if (a.version !== b.version) return a.version > b.version;
  // Same version: leaves (nonces from 2^31) are at the bottom, inner nodes by post-order nonce.
  const ra = a.nk < 0 ? 0 : a.nk;
  const rb = b.nk < 0 ? 0 : b.nk;
  return ra > rb;
}

/** Returned by `LenderCursor.find` when the live tree does not hold the node. */
export const NOT_SHARED: unique symbol = Symbol("not-shared");

/**
 * A live tree of another representation (the arena, storetree.ts) that an old version's point
 * reads may borrow saved nodes from, with the same cursor rule as getShared.
 */
export interface NodeLender {
  /** A cursor at the live saved root, for one point read of `key` (latin1). */
  cursor(key: string): LenderCursor;
}

export interface LenderCursor {
  /**
   * Moves down the live path to the key past nodes newer than node (version, nonce); when the
   * node there is that node (same node key and hash, latin1), returns the key's value below it
   * (latin1, null = absent), else NOT_SHARED.
   */
  find(version: number, nonce: number, hash: string): string | null | typeof NOT_SHARED;
}

/** Fills a stub node from storage (throws StoreError when missing or corrupt). */
export interface NodeLoader {
  load(stub: Node): void;
}

function copy32(dst: Uint8Array, pos: number, src: string): number {
  for (let i = 0; i < 32; i++) dst[pos + i] = src.charCodeAt(i);
  return pos + 32;
}

/** Go (*Node).writeHashBytes + sha256, with `version` for nodes not yet saved. */
export function hashNode(node: Node, version: number): Uint8Array {
  return keyToBytes(hashNodeH(node, version));
}

/** hashNode as a latin1 string (cached in node.h). */
export function hashNodeH(node: Node, version: number): string {
  if (node.h !== undefined) return node.h;
  const v = node.version !== 0 ? node.version : version;
  let pos = 0;
  if (node.height === 0) {
    pos = writeLeafPreimage(node.k, node.v!, v);
  } else {
    const lh = hashNodeH(node.left!, version);
    const rh = hashNodeH(node.right!, version);
    const buf = hashScratch();
    pos = writeInnerPrefix(node.height, node.size, v);
    buf[pos++] = 0x20;
    pos = copy32(buf, pos, lh);
    buf[pos++] = 0x20;
    pos = copy32(buf, pos, rh);
  }
  const h = digestScratch(pos);
  node.h = h;
  return h;
}

/** Size in bytes of the hash preimage prefix (used by tests and proof code). */
export function innerPrefixSize(height: number, size: number, version: number): number {
  return varintSize(height) + varintSize(size) + varintSize(version);
}

export interface PathStep {
  readonly height: number;
  readonly size: number;
  readonly version: number;
  /** Set when the path continues to the right: the left sibling's hash. */
  readonly left: Uint8Array | undefined;
  /** Set when the path continues to the left: the right sibling's hash. */
  readonly right: Uint8Array | undefined;
}

/**
 * One IAVL tree: the working root plus the last saved root. Also used read-only for older
 * versions (a root loaded from disk, no writes).
 */
export class IavlTree {
  /** Working root (may contain unsaved nodes). */
  root: Node | undefined;
  /** Root of the last saved version. */
  savedRoot: Node | undefined;
  /** Last saved version (0 = none). */
  version: number;
  initialVersion = 0;
  /**
   * Saved nodes replaced while building the working version, encoded as they are orphaned
   * (uvarint version, uvarint nonce each: the store's orphan record). Encoding at commit meant a
   * second pass over those cold nodes; this also lets them die before the commit.
   */
  private orphanBuf = new Uint8Array(1024);
  private orphanPos = 0;
  /** Number of orphans recorded in the working version. */
  orphanCount = 0;
  private updated = false;

  constructor(
    private readonly loader: NodeLoader | undefined,
    root: Node | undefined = undefined,
    version = 0,
  ) {
    this.root = root;
    this.savedRoot = root;
    this.version = version;
  }

  /** The version the next save will have. */
  get workingVersion(): number {
    if (this.version === 0 && this.initialVersion > 0) return this.initialVersion;
    return this.version + 1;
  }

  load(n: Node): Node {
    if (n.height < 0) {
      if (this.loader === undefined) throw new StoreError(`unloaded node (version ${n.version}, nonce ${n.nonce}) in an in-memory tree`);
      this.loader.load(n);
      this.cachedNodes++;
    }
    return n;
  }

  /**
   * Approximate number of nodes of the latest tree held in memory (loaded + saved new nodes −
   * orphaned); the multistore uses it to bound memory.
   */
  cachedNodes = 0;

  /** Unloaded leaves replaced without reading them (setLatin1 with `exists`): a counter for tests and diagnostics. */
  leafLoadsSkipped = 0;

  /**
   * Drops loaded nodes below `depth` of the saved tree (their parents keep stubs, reloaded on
   * demand), bounding memory. Only valid when the working tree has no unsaved nodes.
   */
  evictBelow(depth: number): void {
    if (this.root !== this.savedRoot) throw new StoreError("cannot evict nodes with unsaved changes");
    let kept = 0;
    const walk = (n: Node, d: number): void => {
      kept++;
      if (n.height <= 0) return;
      if (d >= depth) {
        const l = n.left!;
        const r = n.right!;
        if (l.height >= 0) n.left = Node.stubH(l.version, l.nonce, l.h!);
        if (r.height >= 0) n.right = Node.stubH(r.version, r.nonce, r.h!);
        return;
      }
      walk(n.left!, d + 1);
      walk(n.right!, d + 1);
    };
    if (this.root !== undefined) walk(this.root, 0);
    this.cachedNodes = kept;
  }

  get size(): number {
    return this.root === undefined ? 0 : this.load(this.root).size;
  }

  /** Root hash of the working tree (hashes new nodes with the working version). */
  workingHash(): Uint8Array {
    if (this.root === undefined) return EMPTY_HASH;
    return hashNode(this.root, this.workingVersion);
  }

  /** Hash of the last saved version. */
  savedHash(): Uint8Array {
    return this.savedRoot === undefined ? EMPTY_HASH : this.savedRoot.hash!;
  }

  /**
   * For a tree of an older version: the store's live tree, whose committed nodes it may borrow
   * (see getShared). Unset for the live tree itself and for in-memory trees.
   */
  shared: IavlTree | undefined = undefined;
  /** Like `shared`, for a live tree that is not an IavlTree (the arena). */
  lender: NodeLender | undefined = undefined;

  get(key: Uint8Array): Uint8Array | undefined {
    const k = bytesToKey(key);
    if (this.shared !== undefined) return this.getShared(k, this.shared);
    if (this.lender !== undefined) return this.getLent(k, this.lender);
    return this.getFrom(this.root, k);
  }

  private getFrom(n: Node | undefined, key: string): Uint8Array | undefined {
    if (n === undefined) return undefined;
    this.load(n);
    while (n.height > 0) {
      n = key < n.k ? n.left! : n.right!;
      this.load(n);
    }
    return n.k === key ? n.value : undefined;
  }

  /**
   * get() on an old version without loading what the live tree already holds. A node key
   * (version, nonce) names one immutable node, so when a stub of this tree has the same key and
   * hash as a node on the live tree's path to `key`, the rest of the walk happens in the live
   * tree (in memory) instead of loading from LevelDB. Only the nodes changed since this version
   * are loaded (and kept, as before). Along a root-to-leaf path node keys only get older (a
   * parent is created with or after its children; within a version inner nonces are post-order
   * and leaves sit at the bottom), so one cursor walks the live path alongside this one.
   */
  private getShared(key: string, live: IavlTree): Uint8Array | undefined {
    let n = this.root;
    if (n === undefined) return undefined;
    let m = live.savedRoot;
    for (;;) {
      if (n.height < 0) {
        while (m !== undefined && newerThan(m, n)) {
          live.load(m);
          m = m.height === 0 ? undefined : key < m.k ? m.left! : m.right!;
        }
        if (m !== undefined && m.version === n.version && m.nk === n.nk && m.h === n.h) return live.getFrom(m, key);
        this.load(n);
      }
      if (n.height === 0) return n.k === key ? n.value : undefined;
      n = key < n.k ? n.left! : n.right!;
    }
  }

  /** getShared with a NodeLender: the same walk, the live cursor kept by the lender. */
  private getLent(key: string, lender: NodeLender): Uint8Array | undefined {
    let n = this.root;
    if (n === undefined) return undefined;
    const c = lender.cursor(key);
    for (;;) {
      if (n.height < 0) {
        const v = c.find(n.version, n.nonce, n.h!);
        if (v !== NOT_SHARED) return v === null ? undefined : Buffer.from(v, "latin1");
        this.load(n);
      }
      if (n.height === 0) return n.k === key ? n.value : undefined;
      n = key < n.k ? n.left! : n.right!;
    }
  }

  /** Go ImmutableTree.GetWithIndex: index of the key or of where it would be inserted. */
  getWithIndex(key: Uint8Array): [number, Uint8Array | undefined] {
    let n = this.root;
    if (n === undefined) return [0, undefined];
    this.load(n);
    const k = bytesToKey(key);
    let index = 0;
    while (n.height > 0) {
      if (k < n.k) {
        n = this.load(n.left!);
      } else {
        const r = this.load(n.right!);
        index += n.size - r.size;
        n = r;
      }
    }
    if (n.k < k) return [index + 1, undefined];
    if (n.k > k) return [index, undefined];
    return [index, n.value];
  }

  getByIndex(index: number): [Uint8Array, Uint8Array] | undefined {
    let n = this.root;
    if (n === undefined) return undefined;
    this.load(n);
    if (index < 0 || index >= n.size) return undefined;
    while (n.height > 0) {
      const l = this.load(n.left!);
      if (index < l.size) {
        n = l;
      } else {
        index -= l.size;
        n = this.load(n.right!);
      }
    }
    return [n.key, n.value!];
  }

  /** Root-to-leaf path for `key` (which must exist), as used by ICS-23 existence proofs. */
  pathToLeaf(key: Uint8Array): { path: PathStep[]; leaf: Node } {
    let n = this.root;
    if (n === undefined) throw new StoreError("cannot build a proof in an empty tree");
    this.load(n);
    const path: PathStep[] = [];
    const wv = this.workingVersion;
    const k = bytesToKey(key);
    while (n.height > 0) {
      const goLeft = k < n.k;
      const version = n.version !== 0 ? n.version : wv;
      if (goLeft) {
        path.push({ height: n.height, size: n.size, version, left: undefined, right: hashNode(n.right!, wv) });
        n = this.load(n.left!);
      } else {
        path.push({ height: n.height, size: n.size, version, left: hashNode(n.left!, wv), right: undefined });
        n = this.load(n.right!);
      }
    }
    if (n.k !== k) throw new StoreError(`key ${Buffer.from(key).toString("hex")} not in tree`);
    return { path, leaf: n };
  }

  /** Ordered iteration over [start, end); walks (and lazily loads) tree nodes. */
  *iterate(start: Uint8Array | undefined, end: Uint8Array | undefined, reverse: boolean): Generator<[Uint8Array, Uint8Array]> {
    if (this.root === undefined) return;
    const lo = start === undefined ? undefined : bytesToKey(start);
    const hi = end === undefined ? undefined : bytesToKey(end);
    const stack: Node[] = [this.root];
    while (stack.length > 0) {
      const n = this.load(stack.pop()!);
      if (n.height === 0) {
        if ((lo === undefined || n.k >= lo) && (hi === undefined || n.k < hi)) {
          yield [n.key, n.value!];
        }
        continue;
      }
      // Left subtree keys < n.k <= right subtree keys.
      const wantLeft = lo === undefined || lo < n.k;
      const wantRight = hi === undefined || n.k < hi;
      if (reverse) {
        if (wantLeft) stack.push(n.left!);
        if (wantRight) stack.push(n.right!);
      } else {
        if (wantRight) stack.push(n.right!);
        if (wantLeft) stack.push(n.left!);
      }
    }
  }

  // ---- mutation (mirrors mutable_tree.go) ----

  /** Sets key=value; returns true when an existing key was updated. */
  set(key: Uint8Array, value: Uint8Array): boolean {
    return this.setLatin1(bytesToKey(key), bytesToKey(value));
  }

  /**
   * set() with key and value as latin1 strings (one char per byte). `exists` = the caller knows
   * for certain that the key is in the working tree (from the latest-value cache): the search path
   * of an existing key ends at its own leaf, so an unloaded leaf there is replaced without being
   * read from disk (same tree, same hashes: an update never changes the shape). After a restart
   * that saves one LevelDB read per updated key. A wrong `true` would corrupt the tree: pass it
   * only from authoritative state.
   */
  setLatin1(key: string, value: string, exists = false): boolean {
    if (this.root === undefined) {
      this.root = new Node(key, value, 0, 1);
      return false;
    }
    this.updated = false;
    this.root = this.setRec(this.root, key, value, exists);
    return this.updated;
  }

  /** Removes key; returns true when it existed. */
  remove(key: Uint8Array): boolean {
    return this.removeLatin1(bytesToKey(key));
  }

  /** remove() with the key as a latin1 string. */
  removeLatin1(key: string): boolean {
    if (this.root === undefined) return false;
    const r = this.removeRec(this.root, key);
    if (!r.removed) return false;
    this.root = r.newSelf;
    return true;
  }

  /**
   * Forgets the hashes of unsaved nodes (they embed the working version, which changes when
   * the initial version is set after writes were hashed).
   */
  invalidateUnsavedHashes(): void {
    const walk = (n: Node | undefined): void => {
      if (n === undefined || n.version !== 0) return;
      n.h = undefined;
      walk(n.left);
      walk(n.right);
    };
    walk(this.root);
  }

  /** Drops every unsaved change (working root back to the saved root). */
  rollback(): void {
    this.root = this.savedRoot;
    this.orphanPos = 0;
    this.orphanCount = 0;
  }

  /**
   * Saves the working version: assigns node keys (post-order, so children precede parents)
   * and hashes, calling `persist` for each new node. Returns the root hash.
   */
  saveVersion(persist?: (n: Node) => void): Uint8Array {
    const version = this.workingVersion;
    const hash = this.workingHash();
    if (this.root !== undefined && this.root.version === 0) {
      // Inner nodes and leaves get separate nonce ranges so storage can page inner nodes
      // (short-lived, written together) and keep leaves (long-lived) as single records.
      let inner = 0;
      let leaf = 0;
      const visit = (n: Node): void => {
        if (n.height > 0) {
          if (n.left!.version === 0) visit(n.left!);
          if (n.right!.version === 0) visit(n.right!);
        }
        n.version = version;
        n.nk = n.height === 0 ? -++leaf : ++inner;
        this.cachedNodes++;
        if (persist !== undefined) persist(n);
      };
      visit(this.root);
    }
    this.version = version;
    this.savedRoot = this.root;
    // Orphans were in memory and are now unreachable from the latest tree.
    this.cachedNodes = Math.max(0, this.cachedNodes - this.orphanCount);
    this.orphanPos = 0;
    this.orphanCount = 0;
    return hash;
  }

  private orphan(n: Node): void {
    if (n.version !== 0) this.addOrphan(n);
  }

  private addOrphan(n: Node): void {
    // uvarint(version < 2^53) <= 8 bytes, uvarint(nonce < 2^32) <= 5.
    if (this.orphanPos + 14 > this.orphanBuf.length) {
      const b = new Uint8Array(this.orphanBuf.length * 2);
      b.set(this.orphanBuf.subarray(0, this.orphanPos));
      this.orphanBuf = b;
    }
    let pos = putUvarint(this.orphanBuf, this.orphanPos, n.version);
    pos = putUvarint(this.orphanBuf, pos, n.nonce);
    this.orphanPos = pos;
    this.orphanCount++;
  }

  /** The orphan record of the working version (a copy; empty when nothing was orphaned). */
  encodedOrphans(): Uint8Array {
    return this.orphanBuf.slice(0, this.orphanPos);
  }

  /** A node this version may modify: unsaved nodes in place, saved ones cloned. */
  private mutable(n: Node): Node {
    if (n.version === 0) {
      n.h = undefined;
      return n;
    }
    this.load(n);
    this.addOrphan(n);
    const c = new Node(n.k, undefined, n.height, n.size);
    c.left = n.left;
    c.right = n.right;
    return c;
  }

  private setRec(node: Node, key: string, value: string, exists: boolean): Node {
    if (exists && node.height < 0 && node.nonce >= LEAF_NONCE_BASE) {
      // An unloaded leaf on an existing key's path is that key's leaf (see setLatin1).
      this.orphan(node);
      this.updated = true;
      this.leafLoadsSkipped++;
      return new Node(key, value, 0, 1);
    }
    this.load(node);
    if (node.height === 0) {
      const nk = node.k;
      if (key < nk) {
        const inner = new Node(nk, undefined, 1, 2);
        inner.left = new Node(key, value, 0, 1);
        inner.right = node;
        return inner;
      }
      if (key !== nk) {
        const inner = new Node(key, undefined, 1, 2);
        inner.left = node;
        inner.right = new Node(key, value, 0, 1);
        return inner;
      }
      this.orphan(node);
      this.updated = true;
      // Same bytes: keep the old leaf's key so the caller's copy can die young.
      return new Node(nk, value, 0, 1);
    }
    const n = this.mutable(node);
    if (key < n.k) n.left = this.setRec(n.left!, key, value, exists);
    else n.right = this.setRec(n.right!, key, value, exists);
    if (this.updated) return n;
    this.calcHeightAndSize(n);
    return this.balance(n);
  }

  private removeRec(node: Node, key: string): { newSelf: Node | undefined; newKey: string | undefined; removed: boolean } {
    this.load(node);
    if (node.height === 0) {
      if (key === node.k) {
        this.orphan(node);
        return { newSelf: undefined, newKey: undefined, removed: true };
      }
      return { newSelf: node, newKey: undefined, removed: false };
    }
    if (key < node.k) {
      const r = this.removeRec(node.left!, key);
      if (!r.removed) return r;
      if (r.newSelf === undefined) {
        // The left child was the removed leaf: this node disappears, its right child moves up.
        this.orphan(node);
        return { newSelf: node.right, newKey: node.k, removed: true };
      }
      const n = this.mutable(node);
      n.left = r.newSelf;
      this.calcHeightAndSize(n);
      return { newSelf: this.balance(n), newKey: r.newKey, removed: true };
    }
    const r = this.removeRec(node.right!, key);
    if (!r.removed) return r;
    if (r.newSelf === undefined) {
      this.orphan(node);
      return { newSelf: node.left, newKey: undefined, removed: true };
    }
    const n = this.mutable(node);
    n.right = r.newSelf;
    if (r.newKey !== undefined) n.k = r.newKey;
    this.calcHeightAndSize(n);
    return { newSelf: this.balance(n), newKey: undefined, removed: true };
  }

  private calcHeightAndSize(n: Node): void {
    const l = this.load(n.left!);
    const r = this.load(n.right!);
    n.height = (l.height > r.height ? l.height : r.height) + 1;
    n.size = l.size + r.size;
  }

  private calcBalance(n: Node): number {
    return this.load(n.left!).height - this.load(n.right!).height;
  }

  private balance(n: Node): Node {
    const b = this.calcBalance(n);
    if (b > 1) {
      if (this.calcBalance(this.load(n.left!)) >= 0) return this.rotateRight(n);
      n.left = this.rotateLeft(n.left!);
      return this.rotateRight(n);
    }
    if (b < -1) {
      if (this.calcBalance(this.load(n.right!)) <= 0) return this.rotateLeft(n);
      n.right = this.rotateRight(n.right!);
      return this.rotateLeft(n);
    }
    return n;
  }

  private rotateRight(node: Node): Node {
    const n = this.mutable(node);
    const nn = this.mutable(this.load(n.left!));
    n.left = nn.right;
    nn.right = n;
    this.calcHeightAndSize(n);
    this.calcHeightAndSize(nn);
    return nn;
  }

  private rotateLeft(node: Node): Node {
    const n = this.mutable(node);
    const nn = this.mutable(this.load(n.right!));
    n.right = nn.left;
    nn.left = n;
    this.calcHeightAndSize(n);
    this.calcHeightAndSize(nn);
    return nn;
  }
}

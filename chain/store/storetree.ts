/**
 * The two tree implementations behind one store of the multistore (`InternalStoreOptions.arena`):
 * `IavlTree` (nodes as JS objects) or `ArenaTree` (nodes as records in one ArrayBuffer, Round 6).
 * Both produce the same hashes, node keys, records and orphan lists byte for byte (tests in
 * arena.test.ts and the multistore tests run in both modes), so a database written by one is read
 * by the other. Older versions are always read through `IavlTree`s loaded from disk.
 */
import { ArenaTree } from "./arenatree";
import { ArenaNodeWriter } from "./arenawriter";
import { NodeArena } from "./arena";
import type { ArenaHashWorker } from "./arenahash";
import { IavlTree, LEAF_NONCE_BASE, LenderCursor, NOT_SHARED, NodeLender, Node } from "./iavl";
import { DbNodeLoader, NodeWriter, RecordSink, StoreKeys } from "./nodedb";
import type { ProvableTree } from "./proofs";
import type { Bytes } from "./types";

/** What committed reads need of a tree: point reads, ordered iteration, proofs. */
export interface ReadTree extends ProvableTree {
  get(key: Bytes): Bytes | undefined;
  iterate(start: Bytes | undefined, end: Bytes | undefined, reverse: boolean): Iterator<[Uint8Array, Uint8Array]>;
}

/** The live (latest, writable) tree of one store: what multistore.ts uses. */
export interface LiveTree {
  /** Last saved version (0 = none). */
  readonly version: number;
  readonly workingVersion: number;
  initialVersion: number;
  readonly orphanCount: number;
  /** Nodes held in memory (the memory bound compares it with maxCachedNodes). */
  readonly cachedNodes: number;
  /** Unloaded leaves replaced without reading them (tests, diagnostics). */
  readonly leafLoadsSkipped: number;
  /** Opens the tree at a committed root from the commit record (before any write). */
  openSaved(version: number, root: readonly [number, number] | null, hash: Uint8Array): void;
  /** `exists`: the key is certainly in the working tree (see IavlTree.setLatin1). */
  setLatin1(key: string, value: string, exists: boolean): boolean;
  removeLatin1(key: string): boolean;
  workingHash(): Uint8Array;
  invalidateUnsavedHashes(): void;
  rollback(): void;
  encodedOrphans(): Uint8Array;
  iterate(start: Bytes | undefined, end: Bytes | undefined, reverse: boolean): Iterator<[Uint8Array, Uint8Array]>;
  /** Saves the working version with its new nodes' records into `sink`; returns root hash and node key. */
  save(keys: StoreKeys, sink: RecordSink): { hash: Uint8Array; root: [number, number] | null };
  /** A read-only tree of the last saved version, valid at least until the next save completes. */
  committed(): ReadTree;
  /** An old version's tree (from disk) may borrow what it still shares with this one. */
  lendTo(old: IavlTree): void;
  evictBelow(depth: number): void;
  /**
   * Bounded warm-up after opening a saved version (README "Round 7"): loads the nodes of the top
   * `depth` levels (at most 2^depth − 1: the nodes every block's paths cross) and, in arena mode,
   * pre-sizes the arena for the expected working set (`maxSlots` at most). Reads only; the same
   * nodes would be loaded by the first reads anyway.
   */
  warmUp(depth: number, maxSlots: number): WarmUpStats;
  /**
   * The first unloaded inner node on the saved tree's path to `key` (prefetch.ts reads it and the
   * rest of the path ahead of need): [version, nonce], or undefined when the path is loaded down
   * to a leaf or ends in an unloaded leaf. Reads memory only, loads nothing.
   */
  firstStubOnPath(key: string): [number, number] | undefined;
  /**
   * Loads the unloaded inner nodes on the saved tree's path to `key` whose bodies were read ahead
   * (`DbNodeLoader.peekAhead`), top down, at most `budget` of them (README "Round 10 (k10)"): the
   * same loads (hash-checked) the block's apply would do, done between requests. Only while the
   * working tree has no unsaved change (else -1, nothing done); stops at the first node with no
   * body ahead, a leaf, or a node that fails to load (it stays a stub; the block's read reports
   * it). Returns the nodes loaded.
   */
  installPath(key: string, budget: number): number;
}

/** What a warm-up did (logged by the node, printed by the benchmark). */
export interface WarmUpStats {
  /** Nodes loaded from storage. */
  loaded: number;
  /** Leaves of the saved tree (its root's size; 0 when empty). */
  leaves: number;
  /** Arena slots reserved up front (0 in IavlTree mode). */
  reserved: number;
  /** Set when a node failed to load (the warm-up of that store stopped; reads report it). */
  failed?: string;
}

/** Largest reservation at open: 2^20 slots = 64 MB of records (zero pages until used) + 16 MB of key/value arrays. */
export const MAX_RESERVED_SLOTS = 1 << 20;
/** Largest arena grown ahead of a block at commit (ArenaLiveTree.growAhead; 128 MB of records); beyond, it grows when full. */
export const MAX_GROW_AHEAD_SLOTS = 1 << 21;

/**
 * Slots an arena reopened on a tree of `leaves` leaves reserves: half the leaf count as a power of
 * two (a 1M-key tree serving blocks of 10k random keys settles at ~280k slots after reopening;
 * the whole tree would be 2 × leaves), at least 1,024, at most `maxSlots` and MAX_RESERVED_SLOTS
 * (the key/value arrays are real heap from the start; a bigger working set still grows later).
 */
export function reserveFor(leaves: number, maxSlots: number): number {
  const cap = Math.max(1024, Math.min(maxSlots, MAX_RESERVED_SLOTS));
  let n = 1024;
  while (n < leaves / 2 && n < cap) n *= 2;
  return Math.min(n, cap);
}

export class IavlLiveTree implements LiveTree {
  readonly tree: IavlTree;
  constructor(private readonly loader: DbNodeLoader) {
    this.tree = new IavlTree(loader);
  }
  get version(): number {
    return this.tree.version;
  }
  set version(v: number) {
    this.tree.version = v;
  }
  get workingVersion(): number {
    return this.tree.workingVersion;
  }
  get initialVersion(): number {
    return this.tree.initialVersion;
  }
  set initialVersion(v: number) {
    this.tree.initialVersion = v;
  }
  get orphanCount(): number {
    return this.tree.orphanCount;
  }
  get cachedNodes(): number {
    return this.tree.cachedNodes;
  }
  get leafLoadsSkipped(): number {
    return this.tree.leafLoadsSkipped;
  }
  openSaved(version: number, root: readonly [number, number] | null, hash: Uint8Array): void {
    if (root !== null) {
      const n = Node.stub(root[0], root[1], hash);
      this.tree.root = n;
      this.tree.savedRoot = n;
    }
    this.tree.version = version;
  }
  setLatin1(key: string, value: string, exists: boolean): boolean {
    return this.tree.setLatin1(key, value, exists);
  }
  removeLatin1(key: string): boolean {
    return this.tree.removeLatin1(key);
  }
  workingHash(): Uint8Array {
    return this.tree.workingHash();
  }
  invalidateUnsavedHashes(): void {
    this.tree.invalidateUnsavedHashes();
  }
  rollback(): void {
    this.tree.rollback();
  }
  encodedOrphans(): Uint8Array {
    return this.tree.encodedOrphans();
  }
  iterate(start: Bytes | undefined, end: Bytes | undefined, reverse: boolean): Iterator<[Uint8Array, Uint8Array]> {
    return this.tree.iterate(start, end, reverse);
  }
  save(keys: StoreKeys, sink: RecordSink): { hash: Uint8Array; root: [number, number] | null } {
    const writer = new NodeWriter(keys, sink);
    const hash = this.tree.saveVersion((n) => writer.add(n));
    writer.finish(this.tree.version);
    const r = this.tree.root;
    return { hash, root: r === undefined ? null : [r.version, r.nonce] };
  }
  committed(): ReadTree {
    // Saved nodes are immutable (copy-on-write), so this stays valid however long it is held.
    return new IavlTree(this.loader, this.tree.savedRoot, this.tree.version);
  }
  lendTo(old: IavlTree): void {
    old.shared = this.tree;
  }
  evictBelow(depth: number): void {
    this.tree.evictBelow(depth);
  }
  firstStubOnPath(key: string): [number, number] | undefined {
    let n = this.tree.savedRoot;
    while (n !== undefined) {
      if (n.height < 0) return n.nonce < LEAF_NONCE_BASE ? [n.version, n.nonce] : undefined;
      if (n.height === 0) return undefined;
      n = key < n.k ? n.left : n.right;
    }
    return undefined;
  }
  installPath(key: string, budget: number): number {
    const t = this.tree;
    if (t.root !== t.savedRoot) return -1;
    let n = t.savedRoot;
    let loaded = 0;
    while (n !== undefined && loaded < budget) {
      if (n.height < 0) {
        if (n.nonce >= LEAF_NONCE_BASE || this.loader.peekAhead(n.version, n.nonce) === undefined) break;
        try {
          t.load(n);
        } catch {
          break;
        }
        loaded++;
      }
      if (n.height === 0) break;
      n = key < n.k ? n.left : n.right;
    }
    return loaded;
  }
  warmUp(depth: number): WarmUpStats {
    const root = this.tree.savedRoot;
    if (root === undefined || depth <= 0) return { loaded: 0, leaves: root?.size ?? 0, reserved: 0 };
    let loaded = 0;
    const walk = (n: Node, d: number): void => {
      if (n.height < 0) loaded++;
      this.tree.load(n);
      if (n.height === 0 || d + 1 >= depth) return;
      walk(n.left!, d + 1);
      walk(n.right!, d + 1);
    };
    walk(root, 0);
    return { loaded, leaves: root.size, reserved: 0 };
  }
}

export class ArenaLiveTree implements LiveTree {
  readonly tree: ArenaTree;
  /** With `hashWorker` the arena is shared and inner nodes are hashed on that thread (arenahash.ts). */
  constructor(
    private readonly loader: DbNodeLoader,
    hashWorker?: ArenaHashWorker,
  ) {
    this.tree = hashWorker === undefined ? new ArenaTree({ loader }) : new ArenaTree({ loader, hashWorker, arena: new NodeArena(1024, { shared: true }) });
  }
  get version(): number {
    return this.tree.version;
  }
  get workingVersion(): number {
    return this.tree.workingVersion;
  }
  get initialVersion(): number {
    return this.tree.initialVersion;
  }
  set initialVersion(v: number) {
    this.tree.initialVersion = v;
  }
  get orphanCount(): number {
    return this.tree.orphanCount;
  }
  /** Slots in use: loaded nodes, stubs, and retired slots not freed yet. */
  get cachedNodes(): number {
    return this.tree.arena.liveSlots;
  }
  get leafLoadsSkipped(): number {
    return this.tree.leafLoadsSkipped;
  }
  openSaved(version: number, root: readonly [number, number] | null, hash: Uint8Array): void {
    if (root !== null) this.tree.openSaved(version, root[0], root[1], hash);
    else this.tree.version = version;
  }
  setLatin1(key: string, value: string, exists: boolean): boolean {
    return exists ? this.tree.setLatin1Exists(key, value) : this.tree.setLatin1(key, value);
  }
  removeLatin1(key: string): boolean {
    return this.tree.removeLatin1(key);
  }
  workingHash(): Uint8Array {
    return this.tree.workingHash();
  }
  invalidateUnsavedHashes(): void {
    this.tree.invalidateUnsavedHashes();
  }
  rollback(): void {
    this.tree.rollback();
  }
  encodedOrphans(): Uint8Array {
    return this.tree.encodedOrphans();
  }
  iterate(start: Bytes | undefined, end: Bytes | undefined, reverse: boolean): Iterator<[Uint8Array, Uint8Array]> {
    return this.tree.iterate(start, end, reverse);
  }
  save(keys: StoreKeys, sink: RecordSink): { hash: Uint8Array; root: [number, number] | null } {
    const writer = new ArenaNodeWriter(this.tree.arena, keys, sink, this.tree.hashWorker);
    const hash = this.tree.saveVersion((s) => writer.add(s));
    writer.finish(this.tree.version);
    return { hash, root: this.tree.rootNodeKey() };
  }
  /**
   * A view over the arena: readable while its version is among the last keepVersions (2) saved,
   * i.e. through the next commit; the multistore re-resolves committed reads per read (view.ts).
   */
  committed(): ReadTree {
    this.growAhead();
    // An empty version has no slots to lose (and version 0 counts as released).
    if (this.tree.savedRoot === 0) return new IavlTree(undefined, undefined, this.tree.version);
    return this.tree.view(this.tree.savedRoot, this.tree.version);
  }
  /** Live slots after the last commit (-1 before the first). */
  private liveAtCommit = -1;
  /**
   * Arena growth between blocks (README "Round 9 (p9)"): called when a commit has landed; when the
   * block that was just committed grew the working set by g slots and another g would not fit,
   * the arena grows now (powers of two, up to MAX_GROW_AHEAD_SLOTS) instead of doubling in the
   * middle of the next block's apply (a new buffer there starts a full GC inside FinalizeBlock).
   * Memory only: which slot holds a node never changes a hash or a byte on disk.
   */
  private growAhead(): void {
    const a = this.tree.arena;
    const live = a.liveSlots;
    const grew = this.liveAtCommit < 0 ? 0 : live - this.liveAtCommit;
    this.liveAtCommit = live;
    if (grew <= 0) return;
    let cap = a.capacity;
    if (live + grew <= cap) return;
    while (cap < live + grew) cap *= 2;
    if (cap <= MAX_GROW_AHEAD_SLOTS) a.reserve(cap);
  }
  lendTo(old: IavlTree): void {
    old.lender = this.lender;
  }
  private readonly lender: NodeLender = { cursor: (key) => new ArenaCursor(this.tree, key) };
  evictBelow(depth: number): void {
    this.tree.evictBelow(depth);
  }
  firstStubOnPath(key: string): [number, number] | undefined {
    const a = this.tree.arena;
    let m = this.tree.savedRoot;
    while (m !== 0) {
      const h = a.height(m);
      if (h < 0) return a.nonce(m) < LEAF_NONCE_BASE ? [a.version(m), a.nonce(m)] : undefined;
      if (h === 0) return undefined;
      m = key < a.keys[m]! ? a.left(m) : a.right(m);
    }
    return undefined;
  }
  installPath(key: string, budget: number): number {
    const t = this.tree;
    if (t.root !== t.savedRoot) return -1;
    const a = t.arena;
    let m = t.savedRoot;
    let loaded = 0;
    while (m !== 0 && loaded < budget) {
      const h = a.height(m);
      if (h < 0) {
        const v = a.version(m);
        const n = a.nonce(m);
        if (n >= LEAF_NONCE_BASE || this.loader.peekAhead(v, n) === undefined) break;
        try {
          t.loadSlot(m);
        } catch {
          break;
        }
        loaded++;
      } else if (h === 0) {
        break;
      }
      m = key < a.keys[m]! ? a.left(m) : a.right(m);
    }
    return loaded;
  }
  warmUp(depth: number, maxSlots: number): WarmUpStats {
    const t = this.tree;
    const a = t.arena;
    const root = t.savedRoot;
    if (root === 0 || depth <= 0) return { loaded: 0, leaves: 0, reserved: 0 };
    let loaded = a.height(root) < 0 ? 1 : 0;
    t.loadSlot(root);
    const leaves = a.size(root);
    const reserved = reserveFor(leaves, maxSlots);
    a.reserve(reserved);
    // Level by level (breadth first), so the bound is on depth whatever the tree's shape.
    let level = [root];
    for (let d = 1; d < depth && level.length > 0; d++) {
      const next: number[] = [];
      for (const n of level) {
        if (a.height(n) <= 0) continue;
        for (const c of [a.left(n), a.right(n)]) {
          if (a.height(c) < 0) loaded++;
          t.loadSlot(c);
          next.push(c);
        }
      }
      level = next;
    }
    return { loaded, leaves, reserved };
  }
}

/**
 * The live-path cursor of IavlTree.getShared over the arena's saved tree. Used inside one
 * synchronous point read (no slot can be freed meanwhile). Node keys only get older down a path
 * (leaves, nonces from 2^31, rank below every inner node of their version).
 */
class ArenaCursor implements LenderCursor {
  private m: number;
  constructor(
    private readonly t: ArenaTree,
    private readonly key: string,
  ) {
    this.m = t.savedRoot;
  }

  find(version: number, nonce: number, hash: string): string | null | typeof NOT_SHARED {
    const t = this.t;
    const a = t.arena;
    const key = this.key;
    const rank = nonce >= LEAF_NONCE_BASE ? 0 : nonce;
    let m = this.m;
    while (m !== 0) {
      const mv = a.version(m);
      const mn = a.nonce(m);
      if (mv < version || (mv === version && (mn >= LEAF_NONCE_BASE ? 0 : mn) <= rank)) break; // not newer
      t.loadSlot(m);
      m = a.height(m) === 0 ? 0 : key < a.keys[m]! ? a.left(m) : a.right(m);
    }
    this.m = m;
    if (m === 0 || a.version(m) !== version || a.nonce(m) !== nonce || a.hashLatin1(m) !== hash) return NOT_SHARED;
    t.loadSlot(m);
    while (a.height(m) > 0) m = t.loadSlot(key < a.keys[m]! ? a.left(m) : a.right(m));
    return a.keys[m] === key ? a.vals[m]! : null;
  }
}

/**
 * The store contract every other layer programs against (DESIGN.md §4).
 *
 * All reads and writes are SYNCHRONOUS: state-machine code never awaits, so no two
 * transactions can interleave and nothing depends on I/O completion order. Only opening
 * and committing (disk writes) are async.
 *
 * Keys and values are raw bytes. Iteration is always in unsigned byte order of keys.
 */

export type Bytes = Uint8Array;

/** A key/value pair yielded by iterators. */
export type KVPair = readonly [key: Bytes, value: Bytes];

export interface KVRead {
  /** The value at `key`, or undefined when absent. */
  get(key: Bytes): Bytes | undefined;
  has(key: Bytes): boolean;
  /**
   * Ordered iteration over keys in [start, end). `undefined` bounds are open.
   * Ascending unless `reverse`. Writes made during iteration are not guaranteed visible.
   */
  iterator(start?: Bytes, end?: Bytes, reverse?: boolean): IterableIterator<KVPair>;
  /** Ordered iteration over every key that starts with `prefix`. */
  prefixIterator(prefix: Bytes, reverse?: boolean): IterableIterator<KVPair>;
}

export interface KVStore extends KVRead {
  /** Rejects (throws StoreError) empty keys, empty values and oversized keys/values. */
  set(key: Bytes, value: Bytes): void;
  delete(key: Bytes): void;
}

/** A write-buffered view over a parent; `write()` flushes into the parent, dropping it discards. */
export interface CacheKVStore extends KVStore {
  write(): void;
}

/** A set of named substores seen through one (possibly branched) view. */
export interface MultiStoreView {
  /** Throws StoreError for a store name that is not mounted. */
  getStore(name: string): KVStore;
  /** A nested write-buffered branch over this view (per tx, per message). */
  branch(): CacheMultiStore;
}

export interface CacheMultiStore extends MultiStoreView {
  /** Flush every substore's buffered writes into the parent view. */
  write(): void;
}

/** A read-only view of one committed version (CommitMultiStore.viewAt). */
export interface CommittedMultiStoreView extends MultiStoreView {
  /** The committed version actually read (0 only when nothing is committed yet). */
  readonly version: number;
}

export interface CommitInfo {
  /** The committed version (= block height); 0 before the first commit. */
  readonly version: number;
  /** The AppHash (rootmulti CommitInfo hash) of that version. */
  readonly appHash: Bytes;
}

/** One CometBFT ProofOp, as returned in ResponseQuery.proof_ops. */
export interface ProofOp {
  readonly type: string; // "ics23:iavl" | "ics23:simple"
  readonly key: Bytes;
  readonly data: Bytes; // encoded cosmos.ics23.v1.CommitmentProof
}

export interface QueryResult {
  readonly value: Bytes | undefined;
  /** The version actually read. */
  readonly version: number;
  /** Present when a proof was requested: [iavl op, simple op]. */
  readonly proofOps?: readonly ProofOp[];
}

/**
 * The root store: one IAVL tree per mounted name, persisted to LevelDB.
 *
 * Block lifecycle (driven by chain/app):
 *   const block = cms.branch();           // FinalizeBlock: one branch per block
 *   ...txs in nested block.branch()...     // write() on success, drop on failure
 *   block.write();                         // into the root's pending (uncommitted) layer
 *   const appHash = cms.workingHash();     // apply pending writes in sorted key order, no disk I/O
 *   await cms.commit();                    // Commit: one atomic LevelDB batch, then answer
 *
 * Reads through `cms.getStore(name)` / `cms.branch()` see committed state plus pending writes;
 * `cms.viewAt(version)` reads committed state only (queries, Simulate, export).
 * Anything not committed is lost on restart (crash safety: Info reports `lastCommit`).
 */
export interface CommitMultiStore extends MultiStoreView {
  readonly storeNames: readonly string[];
  readonly lastCommit: CommitInfo;
  /**
   * Sets the version the next commit will have when nothing is committed yet
   * (InitChain's initial_height). Throws if a version was already committed.
   */
  setInitialVersion(version: number): void;
  /** Applies pending writes to the trees (sorted by key) and returns the working AppHash. */
  workingHash(): Bytes;
  /** Persists the working version atomically and returns its CommitInfo. */
  commit(): Promise<CommitInfo>;
  /** Drops every pending write and uncommitted tree change (e.g. InitChain again after a crash). */
  discardPending(): void;
  /** Read a key at a committed version (0 = latest), with an ICS-23 proof when `prove`. */
  query(storeName: string, key: Bytes, version: number, prove: boolean): QueryResult;
  /**
   * A read-only view of committed `version` (0 = the latest committed version; with nothing
   * committed yet that is the empty state). It never sees pending writes: its stores' get/has/
   * iterator/prefixIterator read that version, set/delete throw StoreError, and `branch()` gives
   * a write-buffered cache over it whose writes cannot reach this store. A version that is not
   * retained (pruned, never committed) or above the latest throws StoreError naming the version
   * and the retained range. The view keeps reading its version after later commits, until
   * pruning deletes it (reads then throw StoreError).
   */
  viewAt(version: number): CommittedMultiStoreView;
  /** The lowest version still retained (pruning); CometBFT's retain_height is derived from it. */
  readonly earliestVersion: number;
  /**
   * Optional: starts reading keys of store `name` a coming block will touch (`written`, default
   * true: and will write, so their tree paths are needed too), so that block finds them in memory (RootMultiStore: prefetch.ts). Returns at once; caches only (no result or gas
   * changes); never throws.
   */
  prefetch?(name: string, keys: readonly Bytes[], written?: boolean): void;
  /**
   * Optional, the same per key for a hot caller (chain/app/prefetch.ts): a function taking one
   * latin1 key string (`written` as above) that returns at once and never throws; undefined for an
   * unknown store. A key whose value and (if written) tree path are already in memory costs a
   * cache peek and a path walk, nothing else.
   */
  prefetchTo?(name: string): ((key: string, written: boolean) => void) | undefined;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Directory of the LevelDB database. */
  readonly dir: string;
  /** Module store names to mount (sorted internally). */
  readonly storeNames: readonly string[];
  /** Keep the latest N versions (default 100; 0 = keep everything). */
  readonly keepRecent?: number;
  /** Also keep every K-th version (default 0 = none). */
  readonly keepEvery?: number;
}

/** Errors raised by the store: bad input (empty/oversized key or value) or a corrupt/missing node. */
export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreError";
  }
}

/** Limits enforced by set(). */
export const MAX_KEY_BYTES = 64 * 1024;
export const MAX_VALUE_BYTES = 4 * 1024 * 1024;

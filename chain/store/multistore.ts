/**
 * The root multistore: one IAVL tree per mounted store name on a single LevelDB database.
 * Layout and formats: nodedb.ts and README.md.
 *
 * Layers of one store, top to bottom:
 *   pending      writes from block.write() / direct writes, not yet in the tree (CacheKV)
 *   working tree pending writes applied in sorted key order by workingHash(); changed keys are
 *                also kept in `unsavedFast` so point reads never walk the tree
 *   fast index   LevelDB 'f' records = values at the last committed version (getSync)
 * Iteration walks the working tree (nodes loaded on demand with getSync) merged with pending.
 */
import { Level } from "level";
import type { ClassicLevel } from "classic-level";
import { Prefetcher, type PrefetchOptions } from "./prefetch";
import {
  Bytes,
  CacheMultiStore,
  CommitInfo,
  CommitMultiStore,
  KVPair,
  KVStore,
  ProofOp,
  QueryResult,
  StoreError,
  StoreOptions,
} from "./types";
import { CacheKV, CacheMulti, Latin1Read, Latin1Value, latin1ToBytes, validateKey, validateValue } from "./cachekv";
import { IavlTree, LEAF_NONCE_BASE, Node } from "./iavl";
import { ArenaLiveTree, IavlLiveTree, LiveTree, ReadTree, WarmUpStats } from "./storetree";
import { ArenaHashWorker, ArenaHashWorkerOptions } from "./arenahash";
import { commitKey, DbNodeLoader, META_KEY, orphanKey, PAGE_SIZE, pageOf, StoreKeys, TAG_COMMIT } from "./nodedb";
import { bytesToKey, compareStrings, EMPTY_HASH, fromHex, keyToBytes, prefixEnd, readBE64, readUvarint, toHex } from "./encoding";
import { CommittedView, NO_FAST } from "./view";
import { MAX_PINNED, ValueCache } from "./valuecache";
import { commitInfoHash, encodeProof, iavlProof, PROOF_OP_IAVL, PROOF_OP_SIMPLE, storeExistenceProof, StoreRoot } from "./proofs";

type DB = ClassicLevel<Uint8Array, Uint8Array>;
type ChainedBatch = ReturnType<DB["batch"]>;

/**
 * A commit's operations go straight into LevelDB's native chained batch, which copies key and
 * value during each call (classic-level batch_put): callers may pass scratch buffers, and no op
 * list or per-record allocation is kept (an abstract-level array batch() also costs ~10 µs per op).
 */
class BatchSink {
  ops = 0;
  bytes = 0;
  constructor(private readonly batch: ChainedBatch) {}
  put(key: Uint8Array, value: Uint8Array): void {
    this.batch.put(key, value);
    this.ops++;
    this.bytes += key.length + value.length;
  }
  del(key: Uint8Array): void {
    this.batch.del(key);
    this.ops++;
  }
}

const STORE_NAME_RE = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
/** Node deletions per commit; the rest of a pruned version waits for later commits. */
export const DEFAULT_PRUNE_BUDGET = 50_000;
export const DEFAULT_MAX_CACHED_NODES = 4_000_000;
/** Latest committed values cached per store (≈ 200 B of heap each with 32 B keys and 100 B values: ~40 MB). */
export const DEFAULT_MAX_CACHED_VALUES = 200_000;
/**
 * Live trees on the node arena unless `arena: false`: at 1M keys it is at parity or better in CPU per
 * block with about half the JS heap and much cheaper full GCs (README "Round 6").
 */
export const DEFAULT_ARENA = true;
/**
 * Levels of each live tree loaded at open: ≤ 2^12 − 1 nodes per store. Their pages are spread over
 * the versions that rewrote the top of the tree (~900 page reads per 1M-key tree, 0.2–1 s at open).
 */
export const DEFAULT_WARM_UP_DEPTH = 12;
/**
 * No hash worker unless `hashWorker` is set: it takes main-thread CPU off but costs more CPU in all,
 * and a node's second core runs CometBFT (README "Round 7"; hashgrid.json "storeHashWorker").
 */
export const DEFAULT_HASH_WORKER = false;
/** Depth above which nodes stay cached when a tree is trimmed (2^16 nodes, a few MB). */
const EVICT_DEPTH = 16;

/** Extra options beyond the StoreOptions contract (tests, benchmarks). */
export interface InternalStoreOptions extends StoreOptions {
  /** Max node deletions per commit (default DEFAULT_PRUNE_BUDGET). */
  readonly pruneBudget?: number;
  /** fsync each commit batch (default true). */
  readonly sync?: boolean;
  /**
   * Memory bound: when a store's tree holds more nodes than this after a commit, nodes below
   * depth 16 are dropped and reloaded on demand (default 4,000,000 ≈ 2M keys per store).
   */
  readonly maxCachedNodes?: number;
  /** Depth kept in memory when trimming (default 16). */
  readonly evictDepth?: number;
  /**
   * Latest committed values (and absences) cached per store in front of the fast index
   * (default DEFAULT_MAX_CACHED_VALUES; 0 = no cache). See valuecache.ts.
   */
  readonly maxCachedValues?: number;
  /**
   * Live trees on the node arena (`ArenaTree`, README "Round 6") instead of `IavlTree` objects:
   * same hashes and bytes on disk, less JS heap. Default DEFAULT_ARENA (true); false = IavlTree.
   */
  readonly arena?: boolean;
  /**
   * Warm-up at open (README "Round 7"): each live tree loads its top `warmUpDepth` levels and an
   * arena is pre-sized for a reopened tree's working set. Default DEFAULT_WARM_UP_DEPTH; 0 = none.
   */
  readonly warmUpDepth?: number;
  /**
   * Arena mode only: one worker thread (ArenaHashWorker, arenahash.ts) hashes the inner nodes of
   * every store's large hash passes, from the stores' shared arenas; started on open, ended by
   * close(). Same hashes and bytes. Default DEFAULT_HASH_WORKER; an object = on with those
   * ArenaHashWorker options (tests: `{ minNodes: 0 }` sends every pass to the worker).
   */
  readonly hashWorker?: boolean | ArenaHashWorkerOptions;
  /**
   * Small key ranges held whole in the latest-value cache, per store name: every committed entry
   * under each prefix is read at open and kept exact by every commit, so a point read of a key in
   * the range is never a LevelDB read, absent or present (README "Round 8": the auth store's
   * module-account markers, read for every MsgSend recipient). Same values, same gas. A range of
   * more than MAX_PINNED entries (valuecache.ts) is read as usual.
   */
  readonly completePrefixes?: Readonly<Record<string, readonly Uint8Array[]>>;
  /** Bounds of the read-ahead of coming blocks' keys (prefetch.ts; `prefetch`). */
  readonly prefetch?: PrefetchOptions;
}

export interface CommitStats {
  readonly version: number;
  /** Applying pending writes + hashing (0 when workingHash() ran before commit). */
  readonly hashMs: number;
  /** Assigning node keys, encoding records and adding them to the native batch. */
  readonly encodeMs: number;
  readonly pruneMs: number;
  /** The atomic LevelDB write (the ops are already in the native batch). */
  readonly writeMs: number;
  readonly ops: number;
  readonly bytes: number;
}

interface Meta {
  format: 1;
  version: number;
  appHash: string;
  storeNames: string[];
  /** Versions that left the keep-recent window and still have orphans to prune, oldest first. */
  pruneQueue: number[];
  /** Progress inside pruneQueue[0]: index of the store name, entries done. */
  pruneCursor: [number, number];
  /** Highest version already judged against the pruning policy. */
  judgedThrough: number;
}

interface CommitRecord {
  version: number;
  stores: { name: string; hash: string; root: [number, number] | null }[];
}

/** Point reads and iteration over one store's working tree plus its fast index. */
class TreeView implements KVStore, Latin1Read {
  constructor(private readonly s: StoreState) {}
  get(key: Bytes): Bytes | undefined {
    return latin1ToBytes(this.s.getWorking(bytesToKey(key)));
  }
  getLatin1(key: string): string | null {
    return this.s.getWorking(key);
  }
  has(key: Bytes): boolean {
    return this.get(key) !== undefined;
  }
  iterator(start?: Bytes, end?: Bytes, reverse = false): IterableIterator<KVPair> {
    return this.s.wrap(() => this.s.tree.iterate(start, end, reverse), "iterating");
  }
  prefixIterator(prefix: Bytes, reverse = false): IterableIterator<KVPair> {
    return this.iterator(prefix, prefixEnd(prefix), reverse);
  }
  set(key: Bytes, value: Bytes): void {
    validateKey(key);
    validateValue(key, value);
    this.s.applyWrite(bytesToKey(key), bytesToKey(value));
  }
  delete(key: Bytes): void {
    validateKey(key);
    this.s.applyWrite(bytesToKey(key), null);
  }
}

class StoreState {
  readonly keys: StoreKeys;
  readonly loader: DbNodeLoader;
  readonly tree: LiveTree;
  /** Changes applied to the working tree since the last commit, latin1 key → latin1 value (null = deleted). */
  unsavedFast = new Map<string, Latin1Value>();
  readonly view: TreeView;
  /** Writes not yet applied to the tree. */
  readonly pending: CacheKV;
  /** Latest committed values: what the fast index holds, for recently used keys. */
  readonly committed: ValueCache;

  constructor(
    readonly name: string,
    private readonly db: DB,
    maxCachedValues: number,
    arena: boolean,
    hashWorker: ArenaHashWorker | undefined,
  ) {
    this.committed = new ValueCache(maxCachedValues);
    this.keys = new StoreKeys(name);
    this.loader = new DbNodeLoader(db, this.keys);
    this.tree = arena ? new ArenaLiveTree(this.loader, hashWorker) : new IavlLiveTree(this.loader);
    this.view = new TreeView(this);
    this.pending = new CacheKV(this.view);
  }

  /**
   * Warm-up at open. A node that fails to load stays a stub and the warm-up of this store stops
   * there: the read that needs it raises the StoreError naming the key, as without a warm-up.
   */
  warmUp(depth: number, maxSlots: number): WarmUpStats {
    try {
      return this.tree.warmUp(depth, maxSlots);
    } catch (e) {
      if (e instanceof StoreError) return { loaded: 0, leaves: 0, reserved: 0, failed: e.message };
      throw e;
    }
  }

  /** Working value of a latin1 key as latin1 (null = absent): applied writes, then committed. */
  getWorking(mk: string): string | null {
    if (this.unsavedFast.size !== 0) {
      const u = this.unsavedFast.get(mk);
      if (u !== undefined) return u;
    }
    return this.getCommitted(mk);
  }

  /** Value at the last committed version (cache, then the fast index), latin1 (null = absent). */
  getCommitted(mk: string): string | null {
    const c = this.committed.get(mk);
    if (c !== undefined) return c;
    const v = this.db.getSync(this.keys.fast(Buffer.from(mk, "latin1")));
    const l = v === undefined ? null : bytesToKey(v);
    this.committed.set(mk, l);
    return l;
  }

  /**
   * True only when the key is certainly in the working tree, answered from memory (this version's
   * applied writes, then the latest-value cache; never a disk read): lets the tree replace an
   * unloaded leaf without loading it. Unknown = false (the tree then loads the leaf as usual).
   */
  private knownToExist(key: string): boolean {
    if (this.unsavedFast.size !== 0) {
      const u = this.unsavedFast.get(key);
      if (u !== undefined) return u !== null;
    }
    const c = this.committed.get(key);
    return c !== undefined && c !== null;
  }

  /** Key and value as latin1 strings (value null = delete). */
  applyWrite(key: string, value: Latin1Value): void {
    try {
      if (value === null) {
        if (!this.tree.removeLatin1(key)) return; // absent: no change, no fast-index entry
      } else {
        this.tree.setLatin1(key, value, this.knownToExist(key));
      }
    } catch (e) {
      throw this.annotate(e, `writing key ${toHex(keyToBytes(key))}`);
    }
    this.unsavedFast.set(key, value);
  }

  /**
   * Applies the pending writes to the tree in sorted key order (validated when buffered). With a
   * hash worker, every EARLY_CHUNK writes the tree lists the subtrees the apply has moved past for
   * the worker (ArenaTree.hashBefore), so hashing overlaps the rest of the apply.
   */
  applyPending(): void {
    const writes = this.pending.takeSorted();
    const count = writes.length;
    const t = this.tree instanceof ArenaLiveTree && this.tree.tree.hashWorker?.early === true && count >= EARLY_MIN ? this.tree.tree : undefined;
    for (let i = 0; i < count; i++) {
      const [k, v] = writes[i]!;
      this.applyWrite(k, v);
      if (t !== undefined && (i + 1) % EARLY_CHUNK === 0 && i + 1 < count) {
        const next = writes[i + 1]![0];
        this.wrapCall(() => t.hashBefore(next, count - i - 1), "hashing");
      }
    }
  }

  wrapCall<T>(f: () => T, what: string): T {
    try {
      return f();
    } catch (e) {
      throw this.annotate(e, what);
    }
  }

  annotate(e: unknown, what: string): unknown {
    if (e instanceof StoreError) return new StoreError(`${e.message} (${what} at working version ${this.tree.workingVersion})`);
    return e;
  }

  /** Wraps a generator so storage errors name the store and version. */
  *wrap(f: () => Iterator<KVPair>, what: string): Generator<KVPair> {
    const it = f();
    for (;;) {
      let r: IteratorResult<KVPair>;
      try {
        r = it.next();
      } catch (e) {
        throw this.annotate(e, what);
      }
      if (r.done) return;
      yield r.value;
    }
  }
}

/** Writes between two early listings of finished subtrees for the hash worker (applyPending). */
const EARLY_CHUNK = 512;
/** Smallest apply that lists subtrees early (a small block is hashed at the end in one pass). */
const EARLY_MIN = 2 * EARLY_CHUNK;

export class RootMultiStore implements CommitMultiStore {
  readonly storeNames: readonly string[];
  private readonly stores: Map<string, StoreState>;
  private commitInfo: CommitInfo;
  private lastRecord: CommitRecord | undefined;
  private meta: Meta;
  /** Versions that have a commit record (retained), ascending. */
  private retained: number[];
  private initialVersion = 0;
  private broken: string | undefined;
  private readonly oldTrees = new Map<number, Map<string, IavlTree>>();
  /** Encoded store-level (TendermintSpec) proofs by "version/store": the same for every key. */
  private readonly simpleProofs = new Map<string, Uint8Array>();
  /**
   * Trees of the last version whose batch is on disk (queries may run while a commit awaits):
   * `LiveTree.committed()` taken when that batch landed.
   */
  private readonly committedTrees = new Map<string, ReadTree>();
  private readonly keepRecent: number;
  private readonly keepEvery: number;
  private readonly pruneBudget: number;
  private readonly sync: boolean;
  private readonly maxCachedNodes: number;
  private readonly evictDepth: number;
  private readonly maxCachedValues: number;
  /** Live trees are ArenaTrees (InternalStoreOptions.arena). */
  readonly arena: boolean;
  /** What the warm-up at open did, per store (metrics, benchmark). */
  readonly openStats: { warmUpMs: number; stores: Record<string, WarmUpStats> };
  /** The worker hashing inner nodes (InternalStoreOptions.hashWorker), closed by close(). */
  readonly hashWorker: ArenaHashWorker | undefined;
  /** Timings of the last commit (metrics, benchmark): ms spent per phase, batch size. */
  lastCommitStats: CommitStats | undefined;
  /** Wall ms of the last workingHash(): applying pending writes to the trees, hashing them. */
  lastWorkingHashStats: { applyMs: number; hashMs: number } | undefined;
  /** Reads the keys of coming blocks ahead of need (prefetch.ts; `prefetch`). */
  readonly prefetcher: Prefetcher;
  /** Test hook: called with the prepared batch just before it is written (simulate a crash by throwing). */
  beforeWrite: (() => void) | undefined;

  private constructor(
    private readonly db: DB,
    opts: InternalStoreOptions,
    names: string[],
    meta: Meta,
    record: CommitRecord | undefined,
    retained: number[],
    pins: Map<string, [string, Map<string, string>][]>,
  ) {
    this.storeNames = names;
    this.meta = meta;
    this.lastRecord = record;
    this.retained = retained;
    this.keepRecent = opts.keepRecent ?? 100;
    this.keepEvery = opts.keepEvery ?? 0;
    this.pruneBudget = opts.pruneBudget ?? DEFAULT_PRUNE_BUDGET;
    this.sync = opts.sync ?? true;
    this.maxCachedNodes = opts.maxCachedNodes ?? DEFAULT_MAX_CACHED_NODES;
    this.evictDepth = opts.evictDepth ?? EVICT_DEPTH;
    this.maxCachedValues = opts.maxCachedValues ?? DEFAULT_MAX_CACHED_VALUES;
    this.arena = opts.arena ?? DEFAULT_ARENA;
    this.commitInfo = { version: meta.version, appHash: meta.version === 0 ? EMPTY_HASH : fromHex(meta.appHash) };
    this.stores = new Map();
    this.prefetcher = new Prefetcher(db, () => this.stableVersion(), opts.prefetch);
    const hw = opts.hashWorker ?? DEFAULT_HASH_WORKER;
    this.hashWorker = this.arena && hw !== false ? new ArenaHashWorker(hw === true ? {} : hw) : undefined;
    try {
      for (const n of names) {
        const s = new StoreState(n, db, this.maxCachedValues, this.arena, this.hashWorker);
        for (const [prefix, entries] of pins.get(n) ?? []) s.committed.pin(prefix, entries);
        const r = record?.stores.find((x) => x.name === n);
        s.tree.openSaved(meta.version, r?.root ?? null, r === undefined ? EMPTY_HASH : fromHex(r.hash));
        this.committedTrees.set(n, s.tree.committed());
        this.stores.set(n, s);
      }
      const t0 = process.hrtime.bigint();
      const warm: Record<string, WarmUpStats> = {};
      const depth = opts.warmUpDepth ?? DEFAULT_WARM_UP_DEPTH;
      for (const [n, s] of this.stores) warm[n] = s.warmUp(depth, this.maxCachedNodes);
      this.openStats = { warmUpMs: Number(process.hrtime.bigint() - t0) / 1e6, stores: warm };
    } catch (e) {
      void this.hashWorker?.close();
      throw e;
    }
  }

  static async open(opts: InternalStoreOptions): Promise<RootMultiStore> {
    const names = [...new Set(opts.storeNames)].sort(compareStrings);
    if (names.length === 0) throw new StoreError("at least one store name must be mounted");
    for (const n of names) {
      if (!STORE_NAME_RE.test(n)) throw new StoreError(`invalid store name "${n}" (lowercase letters, digits, _ . -)`);
    }
    for (const [k, v] of [["keepRecent", opts.keepRecent], ["keepEvery", opts.keepEvery], ["pruneBudget", opts.pruneBudget], ["maxCachedNodes", opts.maxCachedNodes], ["evictDepth", opts.evictDepth], ["maxCachedValues", opts.maxCachedValues], ["warmUpDepth", opts.warmUpDepth]] as const) {
      if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw new StoreError(`${k} must be a non-negative integer, got ${v}`);
    }
    const db = new Level<Uint8Array, Uint8Array>(opts.dir, {
      keyEncoding: "view",
      valueEncoding: "view",
      // A commit writes several MB; the 4 MB default memtable would flush to level 0 on every
      // commit and provoke write stalls. 64 MB block cache for node pages and the fast index.
      writeBufferSize: 64 * 1024 * 1024,
      cacheSize: 64 * 1024 * 1024,
    }) as unknown as DB;
    await db.open();
    try {
      const raw = db.getSync(META_KEY);
      let meta: Meta;
      let record: CommitRecord | undefined;
      if (raw === undefined) {
        meta = { format: 1, version: 0, appHash: toHex(EMPTY_HASH), storeNames: names, pruneQueue: [], pruneCursor: [0, 0], judgedThrough: 0 };
      } else {
        meta = JSON.parse(Buffer.from(raw).toString("utf8")) as Meta;
        if (meta.format !== 1) throw new StoreError(`unknown store format ${meta.format} in ${opts.dir}`);
        const missing = meta.storeNames.filter((n) => !names.includes(n));
        if (missing.length > 0) throw new StoreError(`stores ${missing.join(", ")} exist in ${opts.dir} but are not mounted`);
        const rec = db.getSync(commitKey(meta.version));
        if (rec === undefined) throw new StoreError(`commit record of latest version ${meta.version} is missing`);
        record = JSON.parse(Buffer.from(rec).toString("utf8")) as CommitRecord;
      }
      const retained: number[] = [];
      for await (const k of db.keys({ gt: new Uint8Array([TAG_COMMIT]), lt: new Uint8Array([TAG_COMMIT + 1]) })) {
        retained.push(readBE64(k, 1));
      }
      const pins = await readCompletePrefixes(db, names, opts.completePrefixes);
      return new RootMultiStore(db, opts, names, meta, record, retained, pins);
    } catch (e) {
      await db.close();
      throw e;
    }
  }

  /**
   * Starts reading keys of store `name` that a coming block will touch (values into the latest-value
   * cache and, for keys it will write (`written`), the inner nodes of their tree paths into the
   * loader); returns at once. Caches only: no result
   * or gas changes, and an unknown store or a failed read only means nothing is prefetched.
   */
  prefetch(name: string, keys: readonly Bytes[], written = true): void {
    const s = this.stores.get(name);
    if (s === undefined || this.broken !== undefined || keys.length === 0) return;
    this.prefetcher.want(s, keys.map((k) => bytesToKey(k)), written);
  }

  /** `prefetch` per latin1 key for a hot caller (CommitMultiStore.prefetchTo; Prefetcher.wantKey skips keys already in memory). */
  prefetchTo(name: string): ((key: string, written: boolean) => void) | undefined {
    const s = this.stores.get(name);
    if (s === undefined) return undefined;
    const p = this.prefetcher;
    return (key, written) => {
      if (this.broken === undefined) p.wantKey(s, key, written);
    };
  }

  /** The latest committed version when no commit is in flight (every tree still at it), else undefined. */
  private stableVersion(): number | undefined {
    if (this.broken !== undefined) return undefined;
    const v = this.commitInfo.version;
    for (const s of this.stores.values()) if (s.tree.version !== v) return undefined;
    return v;
  }

  private check(): void {
    if (this.broken !== undefined) throw new StoreError(`store is unusable: ${this.broken}; reopen it`);
  }

  private state(name: string): StoreState {
    const s = this.stores.get(name);
    if (s === undefined) throw new StoreError(`store "${name}" is not mounted (mounted: ${this.storeNames.join(", ")})`);
    return s;
  }

  get lastCommit(): CommitInfo {
    return this.commitInfo;
  }

  get earliestVersion(): number {
    return this.retained.length > 0 ? this.retained[0]! : 0;
  }

  getStore(name: string): KVStore {
    this.check();
    return this.state(name).pending;
  }

  branch(): CacheMultiStore {
    this.check();
    return new CacheMulti(this);
  }

  setInitialVersion(version: number): void {
    this.check();
    if (this.commitInfo.version !== 0) throw new StoreError(`cannot set initial version ${version}: version ${this.commitInfo.version} is already committed`);
    if (!Number.isSafeInteger(version) || version < 1) throw new StoreError(`initial version must be a positive integer, got ${version}`);
    this.initialVersion = version;
    for (const s of this.stores.values()) {
      s.tree.initialVersion = version;
      s.tree.invalidateUnsavedHashes(); // in case workingHash() already ran at the old version
    }
  }

  /** The version the next commit will write. */
  get workingVersion(): number {
    const v = this.commitInfo.version;
    if (v === 0) return this.initialVersion > 0 ? this.initialVersion : 1;
    return v + 1;
  }

  workingHash(): Bytes {
    this.check();
    const roots: StoreRoot[] = [];
    let applyMs = 0;
    let hashMs = 0;
    for (const name of this.storeNames) {
      const s = this.stores.get(name)!;
      const t0 = performance.now();
      try {
        s.applyPending();
      } catch (e) {
        // Writes are half applied (a node could not be read): the working state is unknown.
        this.broken = `applying pending writes to "${name}" failed (${(e as Error).message})`;
        throw e;
      }
      const t1 = performance.now();
      roots.push({ name, hash: s.wrapCall(() => s.tree.workingHash(), "hashing") });
      applyMs += t1 - t0;
      hashMs += performance.now() - t1;
    }
    this.lastWorkingHashStats = { applyMs, hashMs };
    return commitInfoHash(roots);
  }

  discardPending(): void {
    this.check();
    for (const s of this.stores.values()) {
      s.pending.takeSorted(); // drop, keeping the object callers may hold from getStore()
      s.tree.rollback();
      s.unsavedFast = new Map();
    }
  }

  async commit(): Promise<CommitInfo> {
    this.check();
    const t0 = performance.now();
    const appHash = this.workingHash();
    const version = this.workingVersion;
    const t1 = performance.now();
    const batch = this.db.batch();
    const ops = new BatchSink(batch);
    const record: CommitRecord = { version, stores: [] };
    try {
      for (const name of this.storeNames) {
        const s = this.stores.get(name)!;
        const prev = s.tree.version;
        const orphans = s.tree.orphanCount > 0 ? s.tree.encodedOrphans() : undefined;
        const { hash, root } = s.tree.save(s.keys, ops);
        record.stores.push({ name, hash: toHex(hash), root });
        if (orphans !== undefined) ops.put(orphanKey(prev, name), orphans);
        for (const [k, v] of s.unsavedFast) {
          if (v === null) ops.del(s.keys.fastTmp(k));
          else ops.put(s.keys.fastTmp(k), latin1Tmp(v));
        }
      }
      ops.put(commitKey(version), Buffer.from(JSON.stringify(record), "utf8"));
      const t2 = performance.now();
      const retained = [...this.retained, version];
      const meta: Meta = {
        ...this.meta,
        version,
        appHash: toHex(appHash),
        storeNames: [...this.storeNames],
        pruneQueue: [...this.meta.pruneQueue],
        pruneCursor: [...this.meta.pruneCursor] as [number, number],
      };
      const dropped = this.judgeVersions(meta, retained, version, ops);
      await this.prune(meta, retained, version, ops);
      ops.put(META_KEY, Buffer.from(JSON.stringify(meta), "utf8"));
      if (this.beforeWrite !== undefined) this.beforeWrite();
      const t3 = performance.now();
      await batch.write({ sync: this.sync });
      const t4 = performance.now();
      this.lastCommitStats = { version, hashMs: t1 - t0, encodeMs: t2 - t1, pruneMs: t3 - t2, writeMs: t4 - t3, ops: ops.ops, bytes: ops.bytes };
      // Only now does the in-memory state move to the new version.
      this.meta = meta;
      this.retained = retained;
      this.lastRecord = record;
      this.commitInfo = { version, appHash };
      for (const v of dropped) this.oldTrees.delete(v);
      for (const s of this.stores.values()) {
        // The fast index now holds these values: so must the cache (before anyone reads again).
        for (const [mk, v] of s.unsavedFast) s.committed.set(mk, v);
        s.unsavedFast = new Map();
        this.committedTrees.set(s.name, s.tree.committed());
        if (s.tree.cachedNodes > this.maxCachedNodes) s.tree.evictBelow(this.evictDepth);
      }
      return this.commitInfo;
    } catch (e) {
      // The trees already moved to `version` in memory; only a reopen restores a consistent view.
      this.broken = `commit of version ${version} failed (${(e as Error).message})`;
      await batch.close().catch(() => undefined); // nothing of it was written
      throw e;
    }
  }

  /** Applies keep-recent/keep-every to versions that just left the window. */
  private judgeVersions(meta: Meta, retained: number[], version: number, ops: BatchSink): number[] {
    const dropped: number[] = [];
    if (this.keepRecent === 0) return dropped;
    const limit = version - this.keepRecent; // versions <= limit leave the window
    if (limit <= meta.judgedThrough) return dropped;
    for (let i = 0; i < retained.length; ) {
      const v = retained[i]!;
      if (v > limit) break;
      if (v <= meta.judgedThrough || (this.keepEvery > 0 && v % this.keepEvery === 0)) {
        i++;
        continue;
      }
      retained.splice(i, 1);
      ops.del(commitKey(v));
      meta.pruneQueue.push(v);
      dropped.push(v);
    }
    meta.judgedThrough = limit;
    return dropped;
  }

  /**
   * Deletes orphaned nodes of queued versions, at most pruneBudget per commit. A node orphaned
   * after version P lived in [node.version, P]; it is deleted unless a retained version is in
   * that range (a keep-every snapshot).
   */
  private async prune(meta: Meta, retained: readonly number[], version: number, ops: BatchSink): Promise<void> {
    let budget = this.pruneBudget;
    // Pruned-node bitmaps of inner pages touched in this batch (the database has the old ones).
    const dead = new Map<string, { keys: StoreKeys; version: number; page: number; bits: Uint8Array }>();
    while (budget > 0 && meta.pruneQueue.length > 0) {
      const p = meta.pruneQueue[0]!;
      // Orphans last alive at p are written by commit p+1; with keepRecent = 1 that is this very
      // batch, so wait for the next commit.
      if (p + 1 >= version) break;
      let [si, done] = meta.pruneCursor;
      if (si >= this.storeNames.length) {
        meta.pruneQueue.shift();
        meta.pruneCursor = [0, 0];
        continue;
      }
      const name = this.storeNames[si]!;
      const okey = orphanKey(p, name);
      const blob = await this.db.get(okey);
      const entries = blob === undefined ? [] : decodeOrphans(blob);
      const keys = this.stores.get(name)!.keys;
      while (done < entries.length && budget > 0) {
        const [v, nonce] = entries[done]!;
        if (!retainedIn(retained, v, p)) {
          if (nonce >= LEAF_NONCE_BASE) {
            ops.del(keys.node(v, nonce));
          } else {
            const page = pageOf(nonce);
            const ck = `${name}/${v}/${page}`;
            let d = dead.get(ck);
            if (d === undefined) {
              const old = this.db.getSync(keys.dead(v, page));
              d = { keys, version: v, page, bits: old === undefined ? new Uint8Array(PAGE_SIZE / 8) : Uint8Array.from(old) };
              dead.set(ck, d);
            }
            const i = (nonce - 1) % PAGE_SIZE;
            d.bits[i >> 3]! |= 1 << (i & 7);
          }
          budget--;
        }
        done++;
      }
      if (done >= entries.length) {
        if (blob !== undefined) ops.del(okey);
        meta.pruneCursor = [si + 1, 0];
      } else {
        meta.pruneCursor = [si, done];
      }
    }
    // A page goes once all its nodes are pruned; otherwise remember which ones are.
    const innerCounts = new Map<string, number>();
    for (const d of dead.values()) {
      const ck = `${d.keys.name}/${d.version}`;
      let count = innerCounts.get(ck);
      if (count === undefined) {
        const raw = this.db.getSync(d.keys.innerCount(d.version));
        if (raw === undefined) throw new StoreError(`store "${d.keys.name}": inner node count of version ${d.version} is missing`);
        count = readUvarint(raw, 0)[0];
        innerCounts.set(ck, count);
      }
      const inPage = Math.min(PAGE_SIZE, count - d.page * PAGE_SIZE);
      let n = 0;
      for (const byte of d.bits) for (let b = byte; b !== 0; b &= b - 1) n++;
      if (n >= inPage) {
        ops.del(d.keys.node(d.version, d.page));
        ops.del(d.keys.dead(d.version, d.page));
      } else {
        ops.put(d.keys.dead(d.version, d.page), d.bits);
      }
    }
  }

  /** The tree of a store at a retained committed version (read-only use; tests and tools). */
  treeAt(name: string, version: number): ReadTree {
    const s = this.state(name);
    if (version === this.commitInfo.version) {
      // Not the live tree's saved root: during an in-flight commit that is already the new version.
      return this.committedTrees.get(name)!;
    }
    let trees = this.oldTrees.get(version);
    if (trees === undefined) {
      const i = bsearch(this.retained, version);
      if (i < 0) throw new StoreError(`version ${version} is not available (pruned or never committed; earliest ${this.earliestVersion}, latest ${this.commitInfo.version})`);
      const raw = this.db.getSync(commitKey(version));
      if (raw === undefined) throw new StoreError(`commit record of version ${version} is missing`);
      const rec = JSON.parse(Buffer.from(raw).toString("utf8")) as CommitRecord;
      trees = new Map();
      for (const st of rec.stores) {
        const root = st.root === null ? undefined : Node.stub(st.root[0], st.root[1], fromHex(st.hash));
        const s = this.state(st.name);
        const t = new IavlTree(s.loader, root, version);
        s.tree.lendTo(t); // point reads borrow the nodes it still shares with the live tree
        trees.set(st.name, t);
      }
      // A few recent old versions keep their loaded nodes (relayers query H-1, H-2, ...).
      if (this.oldTrees.size >= 8) this.oldTrees.delete(this.oldTrees.keys().next().value!);
      this.oldTrees.set(version, trees);
    }
    const t = trees.get(name);
    if (t === undefined) throw new StoreError(`store "${name}" did not exist at version ${version}`);
    return t;
  }

  private rootsAt(version: number): StoreRoot[] {
    let rec: CommitRecord | undefined = this.lastRecord;
    if (version !== this.commitInfo.version) {
      const raw = this.db.getSync(commitKey(version));
      if (raw === undefined) throw new StoreError(`commit record of version ${version} is missing`);
      rec = JSON.parse(Buffer.from(raw).toString("utf8")) as CommitRecord;
    }
    return rec!.stores.map((s) => ({ name: s.name, hash: fromHex(s.hash) }));
  }

  query(storeName: string, key: Bytes, version: number, prove: boolean): QueryResult {
    this.check();
    validateKey(key);
    const latest = this.commitInfo.version;
    if (latest === 0) throw new StoreError("nothing has been committed yet");
    if (!Number.isSafeInteger(version) || version < 0) throw new StoreError(`invalid query version ${version}`);
    const v = version === 0 ? latest : version;
    if (v > latest) throw new StoreError(`version ${v} is not committed yet (latest ${latest})`);
    const s = this.state(storeName);
    const tree = this.treeAt(storeName, v);
    try {
      if (!prove) {
        const value = v === latest ? this.fastGet(s, key) : tree.get(key);
        return { value, version: v };
      }
      const value = tree.get(key);
      const iavlOp: ProofOp = { type: PROOF_OP_IAVL, key: Uint8Array.from(key), data: encodeProof(iavlProof(tree, key)) };
      const ck = `${v}/${storeName}`;
      let simpleData = this.simpleProofs.get(ck);
      if (simpleData === undefined) {
        simpleData = encodeProof(storeExistenceProof(this.rootsAt(v), storeName));
        if (this.simpleProofs.size >= 256) this.simpleProofs.delete(this.simpleProofs.keys().next().value!);
        this.simpleProofs.set(ck, simpleData);
      }
      const simpleOp: ProofOp = { type: PROOF_OP_SIMPLE, key: Buffer.from(storeName, "utf8"), data: simpleData };
      return { value, version: v, proofOps: [iavlOp, simpleOp] };
    } catch (e) {
      if (e instanceof StoreError) throw new StoreError(`${e.message} (query store "${storeName}" key ${toHex(key)} at version ${v})`);
      throw e;
    }
  }

  /**
   * A read-only view of a committed version (0 = latest committed). See CommitMultiStore.viewAt.
   *
   * Latest committed version (the hot path: wallet balance queries): point reads use the fast
   * index, i.e. one LevelDB getSync and no tree walk. That is exact because the 'f' records are
   * written only inside the commit batch: pending writes live in `pending` (CacheKV), then in the
   * working tree and `unsavedFast` after workingHash(), and never touch the fast index. So between
   * FinalizeBlock and Commit the fast index still holds exactly the last committed version and
   * pending writes need no fallback. The one window where it does not is a commit in flight
   * (awaiting the LevelDB write, which may land before `commitInfo` moves on) and, for a view
   * held across commits, every later time: both are detected per read by the store's tree
   * version (`saveVersion` bumps it before the batch is written), and the read then walks the
   * committed tree (`committedRoots`, which only moves once the batch is on disk).
   * Iteration at latest walks the committed tree; its nodes are shared with the working tree
   * (copy-on-write), so loaded nodes are usually in memory already.
   *
   * Older versions: every read walks that version's tree from its commit record's root (nodes
   * loaded on demand from LevelDB, ~log2(n) getSync per uncached point read); `treeAt` keeps the
   * 8 most recent old versions' trees so repeated queries at H-1, H-2 reuse loaded nodes.
   */
  viewAt(version: number): CommittedView {
    this.check();
    const latest = this.commitInfo.version;
    if (!Number.isSafeInteger(version) || version < 0) throw new StoreError(`invalid version ${version}: must be a non-negative integer (0 = latest committed)`);
    const v = version === 0 ? latest : version;
    if (v > latest) {
      throw new StoreError(`version ${v} is not committed yet (${latest === 0 ? "nothing committed" : `retained versions ${this.retainedRange()}`})`);
    }
    if (v !== latest && bsearch(this.retained, v) < 0) {
      throw new StoreError(`version ${v} does not exist: pruned or never committed (retained versions ${this.retainedRange()})`);
    }
    return new CommittedView(v, (name) => {
      const s = this.state(name);
      this.treeAt(name, v); // throws now for a store that did not exist at v
      // Re-resolved per read: while v is the latest committed version this is the live tree's
      // committed tree (an ArenaTree view in arena mode, valid only through the next commit);
      // once newer versions are committed, v's tree loaded from disk.
      const treeOf = (): ReadTree => this.treeAt(name, v);
      if (v !== latest || v === 0) {
        return {
          get tree() {
            return treeOf();
          },
        };
      }
      return {
        get tree() {
          return treeOf();
        },
        fast: (key) => {
          this.check();
          return s.tree.version === v ? s.getCommitted(key) : NO_FAST;
        },
      };
    });
  }

  /** "E..L" (or "E..L, not contiguous" when keep-every snapshots sit below the recent window). */
  private retainedRange(): string {
    const r = this.retained;
    if (r.length === 0) return "none";
    const lo = r[0]!;
    const hi = r[r.length - 1]!;
    return `${lo}..${hi}${hi - lo + 1 !== r.length ? " (not contiguous: keep-every snapshots below the recent window)" : ""}`;
  }

  private fastGet(s: StoreState, key: Bytes): Bytes | undefined {
    return latin1ToBytes(s.getCommitted(bytesToKey(key)));
  }

  async close(): Promise<void> {
    this.prefetcher.stop();
    await this.hashWorker?.close();
    await this.db.close();
  }

  /** For tests and tools: the underlying database. */
  get database(): DB {
    return this.db;
  }
}

function bsearch(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! === x) return mid;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Is some retained version within [from, to]? */
function retainedIn(a: readonly number[], from: number, to: number): boolean {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < a.length && a[lo]! <= to;
}

let valueScratch = Buffer.allocUnsafe(4096);
let valueViews: (Buffer | undefined)[] = [];

/** A latin1 string's bytes in a scratch buffer, valid until the next call (for a batch op, which copies). */
function latin1Tmp(s: string): Uint8Array {
  const n = s.length;
  if (valueScratch.length < n) {
    valueScratch = Buffer.allocUnsafe(n * 2);
    valueViews = [];
  }
  valueScratch.write(s, 0, n, "latin1");
  if (n > 4096) return valueScratch.subarray(0, n);
  let v = valueViews[n];
  if (v === undefined) {
    v = valueScratch.subarray(0, n);
    valueViews[n] = v;
  }
  return v;
}

function decodeOrphans(b: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  let pos = 0;
  while (pos < b.length) {
    let v: number, n: number;
    [v, pos] = readUvarint(b, pos);
    [n, pos] = readUvarint(b, pos);
    out.push([v, n]);
  }
  return out;
}

/** The fast-index entries under each complete prefix (InternalStoreOptions.completePrefixes); at most MAX_PINNED + 1 read per range. */
async function readCompletePrefixes(
  db: DB,
  names: string[],
  prefixes: Readonly<Record<string, readonly Uint8Array[]>> | undefined,
): Promise<Map<string, [string, Map<string, string>][]>> {
  const out = new Map<string, [string, Map<string, string>][]>();
  for (const [name, list] of Object.entries(prefixes ?? {})) {
    if (!names.includes(name)) throw new StoreError(`completePrefixes names store "${name}", which is not mounted`);
    const keys = new StoreKeys(name);
    const skip = keys.fastPrefix.length;
    const ranges: [string, Map<string, string>][] = [];
    for (const prefix of list) {
      const lo = keys.fast(prefix);
      const hi = prefixEnd(lo);
      const entries = new Map<string, string>();
      const range = hi === undefined ? { gte: lo, limit: MAX_PINNED + 1 } : { gte: lo, lt: hi, limit: MAX_PINNED + 1 };
      for await (const [k, v] of db.iterator(range)) entries.set(bytesToKey(k.subarray(skip)), bytesToKey(v));
      ranges.push([bytesToKey(prefix), entries]);
    }
    out.set(name, ranges);
  }
  return out;
}

export async function openMultiStore(opts: InternalStoreOptions): Promise<CommitMultiStore> {
  return RootMultiStore.open(opts);
}

/**
 * Reading a block's keys before FinalizeBlock needs them (README "Round 9 (p9)").
 *
 * On a big state every block touches keys no earlier block did (new recipients): each costs a
 * synchronous fast-index read (`getSync`, ~40 µs with LevelDB's own CPU) and the apply at
 * workingHash loads the inner nodes on their tree paths (a page `getSync` each). A node sees the
 * block's txs earlier — at CheckTx, again at ProcessProposal — with event-loop turns in between.
 * `want` queues such keys; the prefetcher reads them with classic-level's async `getMany` (on
 * libuv's thread pool, i.e. the other core) and, when the reads land:
 *   - values go into the latest-value cache (`ValueCache.fill`), only if no commit started or
 *     finished since the read was issued (`stableVersion` unchanged): the fast index changes only
 *     in a commit batch, so the value is exactly what `getSync` would return now;
 *   - inner nodes on the saved tree's path below the first unloaded one are read page by page
 *     (one `getMany` per level) and their bodies handed to the loader (`DbNodeLoader.offerAhead`):
 *     a node key names one immutable node, so a body can never be stale, and the loader still
 *     checks the hash when it uses one.
 * Bounded: at most `maxQueued` keys waiting, `maxInFlight` reads at a time; the cache and the
 * loader bound what is kept. It changes no result and no gas (caches only), and a failed or
 * malformed read only means "not prefetched". Nothing here runs inside a block's execution.
 */
import type { LiveTree } from "./storetree";
import type { ValueCache } from "./valuecache";
import { childToward, pageBody, pageOf, tryParsePage, type DbNodeLoader, type Page, type StoreKeys } from "./nodedb";
import { LEAF_NONCE_BASE } from "./iavl";

/** What one store gives the prefetcher (multistore.ts StoreState). */
export interface PrefetchTarget {
  readonly keys: StoreKeys;
  readonly committed: ValueCache;
  readonly loader: DbNodeLoader;
  readonly tree: LiveTree;
}

/** classic-level's async multi-get (values as bytes; undefined = absent). */
export interface AsyncMultiReader {
  getMany(keys: Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
}

export interface PrefetchOptions {
  /** Keys waiting to be read at most; more are dropped (default 65,536). */
  readonly maxQueued?: number;
  /** Batches being read at most (default 16; each has one getMany in flight at a time, on libuv's pool of 4 threads). */
  readonly maxInFlight?: number;
  /** Keys per batch (default 256). */
  readonly chunk?: number;
  /** Read the tree paths of written keys too (default true); false: values only. */
  readonly paths?: boolean;
  /** Longest wait of a partial batch, ms (default 5). */
  readonly flushMs?: number;
  /**
   * Landed path nodes loaded into the live tree per event-loop turn at most (default 128, ~1 ms);
   * 0: never installed, the block's apply loads them from the bodies (round 9).
   */
  readonly installPerTurn?: number;
}

export interface PrefetchStats {
  /** Keys accepted by `want` (not already waiting). */
  queued: number;
  /** Keys `want` skipped: nothing to read (value cached, path loaded if written). */
  cached: number;
  /** Keys dropped: queue full, or no stable version when their turn came. */
  dropped: number;
  /** Value reads issued / installed into the cache / discarded (a commit moved, or cached meanwhile). */
  valueReads: number;
  valuesFilled: number;
  valuesDiscarded: number;
  /** Page reads issued, inner-node bodies handed to the loaders. */
  pageReads: number;
  nodesLanded: number;
  /** Reads that failed or returned malformed records (nothing prefetched for them). */
  failed: number;
  /** Landed path nodes loaded into the live trees between requests (hash-checked), turns that did so, most in one turn. */
  installed: number;
  installTurns: number;
  installMaxTurn: number;
}


/** Keys waiting for one store, with or without their paths (a batch reads keys of one lane). */
interface Lane {
  readonly t: PrefetchTarget;
  readonly paths: boolean;
  keys: string[];
}

export class Prefetcher {
  readonly stats: PrefetchStats = { queued: 0, cached: 0, dropped: 0, valueReads: 0, valuesFilled: 0, valuesDiscarded: 0, pageReads: 0, nodesLanded: 0, failed: 0, installed: 0, installTurns: 0, installMaxTurn: 0 };
  /** Waiting keys per (store, paths), in arrival order. */
  private readonly lanes: Lane[] = [];
  private queued = 0;
  /** Keys waiting or being read, per store (no double reads of a key asked for twice). */
  private readonly waiting = new Map<PrefetchTarget, Set<string>>();
  private inFlight = 0;
  private scheduled = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly maxQueued: number;
  private readonly maxInFlight: number;
  private readonly chunk: number;
  private readonly paths: boolean;
  private readonly flushMs: number;
  private readonly installPerTurn: number;
  /** Keys whose landed paths wait to be installed, per batch (`i`: next key of the batch). */
  private installs: { t: PrefetchTarget; keys: string[]; i: number }[] = [];
  private installKeys = 0;
  private installScheduled = false;
  private stopped = false;

  constructor(
    /** The database (tests wrap it to delay or fail reads). */
    public reader: AsyncMultiReader,
    /** The latest committed version when no commit is in flight, else undefined. */
    private readonly stableVersion: () => number | undefined,
    opts: PrefetchOptions = {},
  ) {
    this.maxQueued = opts.maxQueued ?? 65_536;
    this.maxInFlight = opts.maxInFlight ?? 16;
    this.chunk = opts.chunk ?? 256;
    this.paths = opts.paths ?? true;
    this.flushMs = opts.flushMs ?? 5;
    this.installPerTurn = opts.installPerTurn ?? 128;
  }

  /**
   * Queues latin1 keys of one store to be read ahead; returns at once, never throws. `paths`: the
   * block will write these keys, so their tree paths are read too (a key only read needs its value).
   */
  want(t: PrefetchTarget, keys: readonly string[], paths = true): void {
    for (const key of keys) this.wantKey(t, key, paths);
  }

  /**
   * `want` for one key. A key with nothing to read — value cached and, if written, its path loaded
   * down to a leaf — is only counted (`stats.cached`): that is the common case on a warm node
   * (README "Round 10 (k10)"), so it costs a cache peek and a path walk, no queueing and no timer.
   */
  wantKey(t: PrefetchTarget, key: string, paths: boolean): void {
    const p = paths && this.paths;
    if (t.committed.peek(key) !== undefined && (!p || t.tree.firstStubOnPath(key) === undefined)) {
      this.stats.cached++;
      return;
    }
    let w = this.waiting.get(t);
    if (w === undefined) this.waiting.set(t, (w = new Set()));
    if (w.has(key)) return;
    if (this.queued >= this.maxQueued) {
      this.stats.dropped++;
      return;
    }
    let lane = this.lanes.find((l) => l.t === t && l.paths === p);
    if (lane === undefined) this.lanes.push((lane = { t, paths: p, keys: [] }));
    w.add(key);
    lane.keys.push(key);
    this.queued++;
    this.stats.queued++;
    this.schedule();
  }

  /** Keys waiting or being read (tests, benchmark). */
  get pending(): number {
    let n = 0;
    for (const w of this.waiting.values()) n += w.size;
    return n;
  }

  /** Drops waiting installs (the store is closing; reads in flight land in caches nobody reads). */
  stop(): void {
    this.stopped = true;
    this.installs = [];
    this.installKeys = 0;
  }

  /** Keys whose landed paths are not installed yet (tests, benchmark). */
  get installPending(): number {
    return this.installKeys;
  }

  /** Reads in flight (tests). */
  get busy(): number {
    return this.inFlight;
  }

  /**
   * Batches fill before they are read: each `getMany` costs ~40 µs of main-thread time whatever its
   * size (measured: a call per CheckTx's keys cost more main-thread CPU than the reads saved), so a
   * full batch (`chunk` keys of one lane) starts on the next turn, a partial one `flushMs` later.
   */
  private schedule(): void {
    if (this.queued === 0) return;
    if (this.lanes.some((l) => l.keys.length >= this.chunk)) {
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.pump(false);
        this.schedule();
      });
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump(true);
        this.schedule();
      }, this.flushMs);
      this.timer.unref?.();
    }
  }

  /** Starts batches while reads may be added; `partial`: lanes with fewer than `chunk` keys start too. */
  private pump(partial: boolean): void {
    for (const lane of this.lanes) {
      while (this.inFlight < this.maxInFlight && lane.keys.length !== 0 && (partial || lane.keys.length >= this.chunk)) {
        const batch = lane.keys.length <= this.chunk ? lane.keys : lane.keys.slice(0, this.chunk);
        lane.keys = lane.keys.length <= this.chunk ? [] : lane.keys.slice(this.chunk);
        this.queued -= batch.length;
        this.inFlight++;
        const t = lane.t;
        this.run(t, batch, lane.paths)
          .catch(() => {
            this.stats.failed++;
          })
          .finally(() => {
            this.inFlight--;
            const w = this.waiting.get(t);
            if (w !== undefined) for (const k of batch) w.delete(k);
            this.pump(false);
            this.schedule();
          });
      }
    }
  }

  private async run(t: PrefetchTarget, batch: string[], paths: boolean): Promise<void> {
    const v0 = this.stableVersion();
    if (v0 === undefined) {
      this.stats.dropped += batch.length;
      return;
    }
    // Paths are found now, in memory (the saved tree's loaded part); values not cached yet are read.
    const starts: [string, number, number][] = [];
    if (paths) {
      for (const key of batch) {
        const s = t.tree.firstStubOnPath(key);
        if (s !== undefined) starts.push([key, s[0], s[1]]);
      }
    }
    const cold = batch.filter((k) => t.committed.peek(k) === undefined);
    const values = cold.length === 0 ? undefined : this.readValues(t, cold, v0);
    const walks = starts.length === 0 ? undefined : this.readPaths(t, starts, v0);
    await values;
    await walks;
    if (walks !== undefined && this.installPerTurn > 0) this.queueInstall(t, starts.map((s) => s[0]));
  }

  /**
   * Landed path bodies are loaded into the live tree (decode + hash check, what the block's apply
   * would do on first touch) in later event-loop turns, `installPerTurn` nodes per turn at most, so
   * a request arriving meanwhile waits ~1 ms at most. Only while no commit is in flight and the
   * working tree has no unsaved change (`LiveTree.installPath`); otherwise it retries `flushMs`
   * later. Bounded like the read queue (`maxQueued` keys; more are left to the apply).
   */
  private queueInstall(t: PrefetchTarget, keys: string[]): void {
    if (this.stopped || keys.length === 0 || this.installKeys + keys.length > this.maxQueued) return;
    this.installs.push({ t, keys, i: 0 });
    this.installKeys += keys.length;
    this.scheduleInstall(false);
  }

  private scheduleInstall(later: boolean): void {
    if (this.installScheduled || this.installKeys === 0) return;
    this.installScheduled = true;
    const run = (): void => {
      this.installScheduled = false;
      this.scheduleInstall(!this.installTurn());
    };
    if (later) setTimeout(run, this.flushMs).unref?.();
    else setImmediate(run);
  }

  /** One turn's installs; false when the trees cannot take them now (a commit, or a block not committed yet). */
  private installTurn(): boolean {
    if (this.stableVersion() === undefined) return false;
    let budget = this.installPerTurn;
    let walks = budget * 4; // paths found already loaded cost a walk each: bounded too
    let done = 0;
    let ok = true;
    while (budget > 0 && walks-- > 0 && this.installs.length !== 0) {
      const job = this.installs[0]!;
      const n = job.t.tree.installPath(job.keys[job.i]!, budget);
      if (n < 0) {
        ok = false;
        break;
      }
      budget -= n;
      done += n;
      // A path cut short by the budget is walked again next turn (its loaded top costs compares only).
      if (budget > 0 || n === 0) {
        this.installKeys--;
        if (++job.i === job.keys.length) this.installs.shift();
      }
    }
    if (done !== 0) {
      this.stats.installed += done;
      this.stats.installTurns++;
      if (done > this.stats.installMaxTurn) this.stats.installMaxTurn = done;
    }
    return ok;
  }

  private async readValues(t: PrefetchTarget, keys: string[], v0: number): Promise<void> {
    this.stats.valueReads += keys.length;
    let got: (Uint8Array | undefined)[];
    try {
      got = await this.reader.getMany(keys.map((k) => t.keys.fast(Buffer.from(k, "latin1"))));
    } catch {
      this.stats.failed += keys.length;
      return;
    }
    // A commit started or finished since the read: the fast index may have changed under it.
    if (this.stableVersion() !== v0 || got.length !== keys.length) {
      this.stats.valuesDiscarded += keys.length;
      return;
    }
    for (let i = 0; i < keys.length; i++) {
      const v = got[i];
      const l = v === undefined ? null : Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("latin1");
      if (t.committed.fill(keys[i]!, l)) this.stats.valuesFilled++;
      else this.stats.valuesDiscarded++;
    }
  }

  /**
   * Walks each path down from its first unloaded inner node, one level per `getMany` of pages,
   * handing each node's body to the loader. Stops a path at a leaf, a malformed record, or when a
   * commit moved the tree (its nodes stay valid, but the paths may no longer be the block's).
   */
  private async readPaths(t: PrefetchTarget, starts: [string, number, number][], v0: number): Promise<void> {
    const loader = t.loader;
    const pages = new Map<string, Page>(); // this batch's parsed pages, by "version/page"
    let wave = starts;
    while (wave.length !== 0) {
      const need = new Map<string, [number, number]>();
      const next: [string, number, number][] = [];
      for (let [key, v, n] of wave) {
        // Follow the path through what is already here (another path's nodes, this batch's pages).
        for (;;) {
          const pre = loader.peekAhead(v, n);
          if (pre !== undefined) {
            const c = childToward(Buffer.from(pre, "latin1"), key);
            if (c === undefined || c[1] >= LEAF_NONCE_BASE) break;
            [v, n] = c;
            continue;
          }
          const pk = `${v}/${pageOf(n)}`;
          const page = pages.get(pk);
          if (page === undefined) {
            if (!need.has(pk)) need.set(pk, [v, pageOf(n)]);
            next.push([key, v, n]);
            break;
          }
          const body = pageBody(page, n);
          if (body === undefined) {
            this.stats.failed++;
            break;
          }
          loader.offerAhead(v, n, Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("latin1"));
          this.stats.nodesLanded++;
          const c = childToward(body, key);
          if (c === undefined) {
            this.stats.failed++;
            break;
          }
          if (c[1] >= LEAF_NONCE_BASE) break; // leaves are not read ahead
          [v, n] = c;
        }
      }
      if (need.size === 0) return;
      if (this.stableVersion() !== v0) return;
      const refs = [...need.entries()];
      this.stats.pageReads += refs.length;
      let got: (Uint8Array | undefined)[];
      try {
        got = await this.reader.getMany(refs.map(([, [v, p]]) => t.keys.node(v, p)));
      } catch {
        this.stats.failed += refs.length;
        return;
      }
      for (let i = 0; i < refs.length; i++) {
        const rec = got[i];
        const page = rec === undefined ? undefined : tryParsePage(rec);
        if (page !== undefined) pages.set(refs[i]![0], page);
        else this.stats.failed++;
      }
      // Paths whose page did not come stop here (the loop finds no record again).
      wave = next.filter(([, v, n]) => pages.has(`${v}/${pageOf(n)}`));
    }
  }
}

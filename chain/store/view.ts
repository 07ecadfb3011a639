/**
 * Read-only views of a committed version (`CommitMultiStore.viewAt`): what queries, Simulate and
 * genesis export read, never the pending (uncommitted) block.
 *
 * One store of a view is backed by two sources chosen by RootMultiStore.viewAt:
 *   tree  the IAVL tree rooted at that version's committed root (always correct; iteration, and
 *         point reads at old versions or when the fast index cannot be trusted)
 *   fast  a point read from the LevelDB fast index ('f' records), offered only for the latest
 *         committed version and only while it holds exactly that version (see multistore.ts)
 * Writes throw StoreError; `branch()` gives a write-buffered cache over the view (Simulate) whose
 * writes can never reach the root store.
 */
import { Bytes, CacheMultiStore, KVPair, KVStore, MultiStoreView, StoreError } from "./types";
import { CacheMulti, Latin1Read, latin1ToBytes, validateKey } from "./cachekv";
import { bytesToKey, prefixEnd, toHex } from "./encoding";
import type { ReadTree } from "./storetree";

/** The sources of one store of a committed view. */
export interface CommittedSource {
  /**
   * The version's tree, read again for every read and iteration step: the source may switch it
   * (an ArenaTree view is only valid through the next commit; later reads go to the version's
   * tree loaded from disk).
   */
  readonly tree: ReadTree;
  /**
   * Fast point read of a latin1 key (value latin1, null = absent); returns NO_FAST when the fast
   * index does not hold the view's version right now.
   */
  readonly fast?: (key: string) => string | null | typeof NO_FAST;
}

const ZERO = new Uint8Array(1);

/** Returned by `CommittedSource.fast` when the fast index does not hold the view's version. */
export const NO_FAST: unique symbol = Symbol("no-fast");

/** A MultiStoreView of one committed version. */
export class CommittedView implements MultiStoreView {
  private readonly stores = new Map<string, CommittedKV>();

  constructor(
    /** The committed version this view reads (0 only when nothing is committed: empty state). */
    readonly version: number,
    private readonly open: (name: string) => CommittedSource,
  ) {}

  getStore(name: string): KVStore {
    let s = this.stores.get(name);
    if (s === undefined) {
      s = new CommittedKV(name, this.version, this.open(name)); // throws for unmounted names
      this.stores.set(name, s);
    }
    return s;
  }

  branch(): CacheMultiStore {
    return new CacheMulti(this);
  }
}

class CommittedKV implements KVStore, Latin1Read {
  constructor(
    private readonly name: string,
    private readonly version: number,
    private readonly src: CommittedSource,
  ) {}

  get(key: Bytes): Bytes | undefined {
    validateKey(key);
    return latin1ToBytes(this.getLatin1(bytesToKey(key)));
  }

  getLatin1(key: string): string | null {
    try {
      if (this.src.fast !== undefined) {
        const v = this.src.fast(key);
        if (v !== NO_FAST) return v;
      }
      const v = this.src.tree.get(Buffer.from(key, "latin1"));
      return v === undefined ? null : bytesToKey(v);
    } catch (e) {
      throw this.annotate(e, `reading key ${toHex(Buffer.from(key, "latin1"))}`);
    }
  }

  has(key: Bytes): boolean {
    return this.get(key) !== undefined;
  }

  iterator(start?: Bytes, end?: Bytes, reverse = false): IterableIterator<KVPair> {
    return this.walk(start, end, reverse);
  }

  prefixIterator(prefix: Bytes, reverse = false): IterableIterator<KVPair> {
    return this.iterator(prefix, prefixEnd(prefix), reverse);
  }

  set(key: Bytes): void {
    throw new StoreError(`store "${this.name}" at committed version ${this.version} is read-only (set ${toHex(key)})`);
  }

  delete(key: Bytes): void {
    throw new StoreError(`store "${this.name}" at committed version ${this.version} is read-only (delete ${toHex(key)})`);
  }

  private annotate(e: unknown, what: string): unknown {
    if (e instanceof StoreError) return new StoreError(`${e.message} (${what} in store "${this.name}" at committed version ${this.version})`);
    return e;
  }

  /**
   * Iteration over [start, end). When a step fails because the tree it walks was released (an
   * arena view held across commits) and the source now resolves to another tree of the same
   * version, the walk continues there just after the last key yielded (once per step: a second
   * failure, or any other error, is thrown).
   */
  private *walk(start: Bytes | undefined, end: Bytes | undefined, reverse: boolean): Generator<KVPair> {
    let lo = start;
    let hi = end;
    let last: Uint8Array | undefined;
    let tree: ReadTree;
    let it: Iterator<KVPair>;
    try {
      tree = this.src.tree;
      it = tree.iterate(lo, hi, reverse);
    } catch (e) {
      throw this.annotate(e, "iterating");
    }
    let retried = false;
    for (;;) {
      let r: IteratorResult<KVPair>;
      try {
        r = it.next();
      } catch (e) {
        let now: ReadTree | undefined;
        if (!retried && e instanceof StoreError) {
          try {
            now = this.src.tree;
          } catch {
            now = undefined;
          }
        }
        if (now === undefined || now === tree) throw this.annotate(e, "iterating");
        if (last !== undefined) {
          if (reverse) hi = last;
          else lo = Buffer.concat([last, ZERO]); // the smallest key after `last`
        }
        tree = now;
        retried = true;
        try {
          it = tree.iterate(lo, hi, reverse);
        } catch (e2) {
          throw this.annotate(e2, "iterating");
        }
        continue;
      }
      if (r.done) return;
      retried = false;
      last = r.value[0];
      yield r.value;
    }
  }
}

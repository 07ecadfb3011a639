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
import type { IavlTree } from "./iavl";

/** The sources of one store of a committed view. */
export interface CommittedSource {
  readonly tree: IavlTree;
  /**
   * Fast point read of a latin1 key (value latin1, null = absent); returns NO_FAST when the fast
   * index does not hold the view's version right now.
   */
  readonly fast?: (key: string) => string | null | typeof NO_FAST;
}

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
    return this.wrap(this.src.tree.iterate(start, end, reverse));
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

  private *wrap(it: Iterator<KVPair>): Generator<KVPair> {
    for (;;) {
      let r: IteratorResult<KVPair>;
      try {
        r = it.next();
      } catch (e) {
        throw this.annotate(e, "iterating");
      }
      if (r.done) return;
      yield r.value;
    }
  }
}

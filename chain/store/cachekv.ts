/**
 * Write-buffered views (SDK cachekv/cachemulti): one per block, nested per tx and message.
 * A branch records writes in a Map and flushes them into its parent on write(); dropping it
 * discards them. Reads see the branch's own writes first. Iteration merges the branch's
 * writes (sorted when the iterator is created) with the parent's ordered iterator.
 */
import {
  Bytes,
  CacheKVStore,
  CacheMultiStore,
  KVPair,
  KVStore,
  MAX_KEY_BYTES,
  MAX_VALUE_BYTES,
  MultiStoreView,
  StoreError,
} from "./types";
import { bytesToKey, compareBytes, compareStrings, keyToBytes, prefixEnd, toHex } from "./encoding";

export function validateKey(key: Bytes): void {
  if (!(key instanceof Uint8Array)) throw new StoreError("key must be a Uint8Array");
  if (key.length === 0) throw new StoreError("empty key");
  if (key.length > MAX_KEY_BYTES) throw new StoreError(`key of ${key.length} bytes exceeds the limit of ${MAX_KEY_BYTES}`);
}

export function validateValue(key: Bytes, value: Bytes): void {
  if (!(value instanceof Uint8Array)) throw new StoreError(`value for key ${toHex(key)} must be a Uint8Array`);
  // ICS-23 cannot prove an empty value, so the store never holds one.
  if (value.length === 0) throw new StoreError(`empty value for key ${toHex(key)} (use delete to remove a key)`);
  if (value.length > MAX_VALUE_BYTES) {
    throw new StoreError(`value of ${value.length} bytes for key ${toHex(key)} exceeds the limit of ${MAX_VALUE_BYTES}`);
  }
}

/** validateValue for a value held as a latin1 string (one char per byte): same checks, same messages. */
export function validateLatin1Value(key: Bytes, value: string): void {
  if (value.length === 0) throw new StoreError(`empty value for key ${toHex(key)} (use delete to remove a key)`);
  if (value.length > MAX_VALUE_BYTES) {
    throw new StoreError(`value of ${value.length} bytes for key ${toHex(key)} exceeds the limit of ${MAX_VALUE_BYTES}`);
  }
}

/** One buffered write for iteration: value, or null for a delete. */
export interface Dirty {
  readonly key: Bytes;
  readonly value: Bytes | null;
}

/**
 * A buffered value as kept in a branch: the bytes as a latin1 string (one char per byte), or null
 * for a delete. The map key is the key's latin1 string. Strings are immutable copies (callers may
 * reuse their buffers) and one flat heap object each, where a copied Uint8Array is a typed array,
 * an ArrayBuffer and an off-heap store; the same string later becomes the tree leaf's value and
 * the value cache entry, so a write is converted once.
 */
export type Latin1Value = string | null;

/** Merges a parent iterator with sorted dirty entries (the dirty entry wins on equal keys). */
export function* mergeIterators(
  parent: Iterator<KVPair>,
  dirty: readonly Dirty[],
  reverse: boolean,
): Generator<KVPair> {
  let p = parent.next();
  let i = 0;
  const dir = reverse ? -1 : 1;
  for (;;) {
    const d = i < dirty.length ? dirty[i] : undefined;
    if (p.done) {
      if (d === undefined) return;
      i++;
      if (d.value !== null) yield [d.key, d.value];
      continue;
    }
    if (d === undefined) {
      yield p.value;
      p = parent.next();
      continue;
    }
    const c = compareBytes(p.value[0], d.key) * dir;
    if (c < 0) {
      yield p.value;
      p = parent.next();
    } else {
      if (c === 0) p = parent.next();
      i++;
      if (d.value !== null) yield [d.key, d.value];
    }
  }
}

/** Dirty entries of `map` within [start, end), sorted in iteration order. */
export function sortedDirty(
  map: ReadonlyMap<string, Latin1Value>,
  start: Bytes | undefined,
  end: Bytes | undefined,
  reverse: boolean,
): Dirty[] {
  const lo = start === undefined ? undefined : bytesToKey(start);
  const hi = end === undefined ? undefined : bytesToKey(end);
  const keys: string[] = [];
  for (const k of map.keys()) {
    if ((lo === undefined || k >= lo) && (hi === undefined || k < hi)) keys.push(k);
  }
  keys.sort(reverse ? (a, b) => compareStrings(b, a) : compareStrings);
  return keys.map((k) => {
    const v = map.get(k)!;
    return { key: keyToBytes(k), value: v === null ? null : keyToBytes(v) };
  });
}

/**
 * The store-internal read path: the key already validated and converted to latin1 once by the
 * outermost layer, the value as a latin1 string (`null` = absent). Each layer (gas store, message,
 * tx and block branches, the root's pending writes, the working tree, the value cache) passes the
 * same string down instead of converting the key again, and only the caller's layer turns the
 * value back into bytes.
 */
export interface Latin1Read {
  getLatin1(key: string): string | null;
}

export function isLatin1Read(s: unknown): s is Latin1Read {
  return typeof (s as Partial<Latin1Read>).getLatin1 === "function";
}

/** Value bytes for a caller: a fresh Buffer per read (callers may keep or mutate it). */
export function latin1ToBytes(v: string | null): Bytes | undefined {
  return v === null ? undefined : Buffer.from(v, "latin1");
}

/**
 * Shared stand-in for a branch that has not written yet: never mutated (set/delete swap in a Map
 * of their own first). Most branches (a tx's or message's, per store) are created, written to a
 * few times and dropped or flushed, so not allocating a Map until the first write, and not
 * allocating a fresh one after write(), saves two Maps per branch per store.
 */
const NO_WRITES: ReadonlyMap<string, Latin1Value> = new Map();

/** A write buffer over any KVStore. */
export class CacheKV implements CacheKVStore, Latin1Read {
  /** NO_WRITES until the first set/delete (see above). */
  private dirty: Map<string, Latin1Value> = NO_WRITES as Map<string, Latin1Value>;
  /** The parent's latin1 read path, when it has one. */
  private readonly up: Latin1Read | undefined;

  constructor(private readonly parent: KVStore) {
    this.up = isLatin1Read(parent) ? parent : undefined;
  }

  /** The Map writes go into (allocated on the first write). */
  private writes(): Map<string, Latin1Value> {
    let d = this.dirty;
    if (d === NO_WRITES) {
      d = new Map();
      this.dirty = d;
    }
    return d;
  }

  get(key: Bytes): Bytes | undefined {
    validateKey(key);
    return latin1ToBytes(this.getLatin1(bytesToKey(key)));
  }

  has(key: Bytes): boolean {
    validateKey(key);
    const k = bytesToKey(key);
    if (this.up === undefined) {
      const d = this.dirty.get(k);
      if (d !== undefined) return d !== null;
      return this.parent.has(key);
    }
    return this.getLatin1(k) !== null;
  }

  getLatin1(key: string): string | null {
    // An empty branch (a message's branch before its first write) is skipped without a lookup.
    if (this.dirty.size !== 0) {
      const d = this.dirty.get(key);
      if (d !== undefined) return d;
    }
    const up = this.up;
    if (up !== undefined) return up.getLatin1(key);
    const v = this.parent.get(keyToBytes(key));
    return v === undefined ? null : bytesToKey(v);
  }

  set(key: Bytes, value: Bytes): void {
    validateKey(key);
    validateValue(key, value);
    // The strings are copies: callers may reuse their buffers after set().
    this.writes().set(bytesToKey(key), bytesToKey(value));
  }

  /** set() of a key and value already validated and held as latin1 strings (GasKVStore.setLatin1Value). */
  setLatin1(key: string, value: string): void {
    this.writes().set(key, value);
  }

  delete(key: Bytes): void {
    validateKey(key);
    this.writes().set(bytesToKey(key), null);
  }

  iterator(start?: Bytes, end?: Bytes, reverse = false): IterableIterator<KVPair> {
    const dirty = sortedDirty(this.dirty, start, end, reverse);
    return mergeIterators(this.parent.iterator(start, end, reverse), dirty, reverse);
  }

  prefixIterator(prefix: Bytes, reverse = false): IterableIterator<KVPair> {
    return this.iterator(prefix, prefixEnd(prefix), reverse);
  }

  /** Flushes buffered writes into the parent in sorted key order, then empties the buffer. */
  write(): void {
    const mine = this.dirty;
    if (mine.size === 0) return;
    if (this.parent instanceof CacheKV) {
      this.dirty = NO_WRITES as Map<string, Latin1Value>;
      // Entries were validated and copied by set(); hand them over as they are. Order does not
      // matter here: the parent is a map, and the root sorts before touching a tree.
      const into = this.parent.dirty;
      if (into.size === 0) {
        this.parent.dirty = mine; // nothing to merge with: hand the map over
      } else {
        for (const [k, d] of mine) into.set(k, d);
      }
      return;
    }
    const keys = [...mine.keys()].sort(compareStrings);
    for (const k of keys) {
      const d = mine.get(k)!;
      if (d === null) this.parent.delete(keyToBytes(k));
      else this.parent.set(keyToBytes(k), keyToBytes(d));
    }
    this.dirty = NO_WRITES as Map<string, Latin1Value>;
  }

  /** Removes and returns the buffered writes sorted by key (the root applies them to its tree). */
  takeSorted(): [string, Latin1Value][] {
    const entries = [...this.dirty.entries()].sort((a, b) => compareStrings(a[0], b[0]));
    this.dirty = NO_WRITES as Map<string, Latin1Value>;
    return entries;
  }

  /** Number of buffered writes (tests, metrics). */
  get size(): number {
    return this.dirty.size;
  }
}

/**
 * A branch of a MultiStoreView: one CacheKV per store touched. A branch touches one to three
 * stores, so they sit in two small arrays kept in name order (write() flushes in that order)
 * rather than a Map plus a sorted copy of its keys per write.
 */
export class CacheMulti implements CacheMultiStore {
  private readonly names: string[] = [];
  private readonly stores: CacheKV[] = [];

  constructor(private readonly parent: MultiStoreView) {}

  getStore(name: string): KVStore {
    const names = this.names;
    let i = 0;
    for (; i < names.length; i++) {
      const n = names[i];
      if (n === name) return this.stores[i];
      if (compareStrings(n, name) > 0) break;
    }
    const s = new CacheKV(this.parent.getStore(name)); // throws for unmounted names
    // Insert at i by shifting (splice would allocate an array of the removed elements).
    const stores = this.stores;
    for (let j = names.length; j > i; j--) {
      names[j] = names[j - 1];
      stores[j] = stores[j - 1];
    }
    names[i] = name;
    stores[i] = s;
    return s;
  }

  branch(): CacheMultiStore {
    return new CacheMulti(this);
  }

  write(): void {
    const stores = this.stores;
    for (let i = 0; i < stores.length; i++) stores[i].write();
  }
}

/**
 * Bounded cache of committed latest values, in front of the LevelDB fast index.
 *
 * A fast-index read is a classic-level getSync (~10-20 µs: a native call, a LevelDB lookup and a
 * copied Buffer); the tx pipeline reads several keys per message (accounts, balances, params), most
 * of them hot. This cache holds what the fast index holds for recently read or written keys,
 * including absence (`null`): the 'f' records change only in the commit batch, and the commit
 * updates this cache with every key it changed (sets and deletes) right after that batch is on
 * disk and before anything else runs, so an entry can never be older than the fast index.
 *
 * It only ever answers "value at the latest committed version": pending writes are looked up before
 * it, old versions never consult it. Reads return the same values and gas never depends on it
 * (gas is charged by the layers above, per read, whatever the source).
 *
 * Eviction is first-in first-out over Map insertion order: O(1), no bookkeeping per hit.
 */
import type { Bytes } from "./types";

export class ValueCache {
  private readonly map = new Map<string, Bytes | null>();

  /** `max` entries at most; 0 disables the cache. */
  constructor(private readonly max: number) {}

  /** The cached value, `null` for a cached absence, `undefined` when not cached. */
  get(key: string): Bytes | null | undefined {
    return this.map.get(key);
  }

  /** Records the committed value of `key` (`null` = absent). */
  set(key: string, value: Bytes | null): void {
    if (this.max === 0) return;
    const m = this.map;
    m.set(key, value);
    if (m.size > this.max) m.delete(m.keys().next().value!);
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}

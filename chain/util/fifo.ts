/**
 * Insertion order of a bounded cache's keys, for evicting the oldest in O(1).
 *
 * `map.keys().next()` is not O(1) on a Map that keeps losing its oldest entries: V8 leaves a
 * deleted entry's slot in place until the table is rehashed, and iteration steps over every such
 * hole, so at steady state each eviction walks ~tens of thousands of holes (measured: ~31 µs per
 * insert into a 50,000-entry Map evicted that way, against ~3 µs without eviction). A plain array
 * of the keys with a moving head does the same FIFO in O(1) amortized.
 */
export class KeyQueue<K> {
  private keys: K[] = [];
  private head = 0;

  /** Appends a key that was just inserted into the cache (not one already there). */
  push(k: K): void {
    this.keys.push(k);
  }

  /** Removes and returns the oldest key, or undefined when empty. */
  shift(): K | undefined {
    if (this.head >= this.keys.length) return undefined;
    const k = this.keys[this.head];
    this.keys[this.head++] = undefined as K; // drop the reference now
    if (this.head >= 1024 && this.head * 2 >= this.keys.length) {
      this.keys = this.keys.slice(this.head);
      this.head = 0;
    }
    return k;
  }

  get length(): number {
    return this.keys.length - this.head;
  }

  /**
   * Drops the keys `isLive` rejects and all but the newest occurrence of each key (a cache that
   * deletes entries leaves their keys here; one re-added after a delete appears twice). O(length):
   * callers compact when the queue is about twice the live key count, so it stays amortized O(1).
   */
  compact(isLive: (k: K) => boolean): void {
    const seen = new Set<K>();
    const kept: K[] = [];
    for (let i = this.keys.length - 1; i >= this.head; i--) {
      const k = this.keys[i]!;
      if (!seen.has(k) && isLive(k)) {
        seen.add(k);
        kept.push(k);
      }
    }
    kept.reverse();
    this.keys = kept;
    this.head = 0;
  }
}

/** A Map bounded to `max` keys that evicts the oldest inserted key in O(1) (through a KeyQueue). */
export class FifoMap<K, V> {
  private readonly map = new Map<K, V>();
  private readonly order = new KeyQueue<K>();
  constructor(readonly max: number) {}

  get(k: K): V | undefined {
    return this.map.get(k);
  }

  /** Sets `k`; a new key evicts the oldest one first when `max` keys are held. */
  set(k: K, v: V): void {
    if (!this.map.has(k)) {
      // Not map.keys().next(): see KeyQueue. Keys deleted earlier may still be queued: skip them.
      while (this.map.size >= this.max) {
        const oldest = this.order.shift();
        if (oldest === undefined) break;
        this.map.delete(oldest);
      }
      this.order.push(k);
    }
    this.map.set(k, v);
  }

  /**
   * Removes `k` (an entry the owner knows will not be asked for again). Its key stays queued until
   * evicted or compacted: the queue is compacted once it holds about twice the live keys.
   */
  delete(k: K): boolean {
    if (!this.map.delete(k)) return false;
    if (this.order.length > 2 * this.map.size + 1024) this.order.compact((x) => this.map.has(x));
    return true;
  }

  get size(): number {
    return this.map.size;
  }
}

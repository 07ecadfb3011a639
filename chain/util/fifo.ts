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
      if (this.map.size >= this.max) {
        const oldest = this.order.shift(); // not map.keys().next(): see KeyQueue
        if (oldest !== undefined) this.map.delete(oldest);
      }
      this.order.push(k);
    }
    this.map.set(k, v);
  }

  get size(): number {
    return this.map.size;
  }
}

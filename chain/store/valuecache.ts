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
 * Values are kept as latin1 strings (one char per byte; the caller converts): one plain heap object
 * each, where a Uint8Array is also an ArrayBuffer with an off-heap store the GC tracks separately.
 *
 * Eviction is generational: entries go into a young Map; when it holds max/2 entries it becomes
 * the old Map and the previous old one is dropped whole. A hit in the old Map moves the entry to
 * the young one, so keys in use survive. Everything is O(1) (deleting the oldest entry of one Map
 * instead makes V8 skip ever more deleted slots at the front: ~30 µs per insert at 200k entries).
 *
 * Complete prefixes (`pin`, README "Round 8"): for a small key range the store declares up front
 * (the auth store's module-account markers), the cache holds every fast-index entry under the
 * prefix, loaded at open, so a key of that range missing here is certainly absent: no LevelDB read
 * for an absent key (a miss probes every level: ~25 µs, and counts towards LevelDB's read-triggered
 * compactions). It stays complete because the same `set` calls that keep the rest exact (every
 * committed change) update it; past `MAX_PINNED` entries the range is unpinned and read as usual.
 */
/** Largest complete range kept (entries); a bigger one is read from the fast index as usual. */
export const MAX_PINNED = 4096;

export class ValueCache {
  private young = new Map<string, string | null>();
  private old = new Map<string, string | null>();
  private readonly half: number;
  /** Complete ranges: prefix → every committed entry under it (latin1). */
  private pins: { prefix: string; entries: Map<string, string> }[] = [];

  /** `max` entries at most; 0 disables the cache. */
  constructor(max: number) {
    this.half = Math.ceil(max / 2);
  }

  /** The cached value, `null` for a cached absence, `undefined` when not cached. */
  get(key: string): string | null | undefined {
    if (this.pins.length !== 0) {
      const p = this.pinOf(key);
      if (p !== undefined) return p.entries.get(key) ?? null;
    }
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const o = this.old.get(key);
    if (o !== undefined) this.set(key, o);
    return o;
  }

  /** Records the committed value of `key` (`null` = absent); the young entry shadows an old one. */
  set(key: string, value: string | null): void {
    if (this.pins.length !== 0) {
      const p = this.pinOf(key);
      if (p !== undefined) {
        if (value === null) p.entries.delete(key);
        else if (p.entries.set(key, value).size > MAX_PINNED) this.pins = this.pins.filter((x) => x !== p);
        return;
      }
    }
    if (this.half === 0) return;
    this.young.set(key, value);
    if (this.young.size >= this.half) {
      this.old = this.young;
      this.young = new Map();
    }
  }

  /** Like get, without moving an old entry to the young generation (a lookup that is not a use). */
  peek(key: string): string | null | undefined {
    if (this.pins.length !== 0) {
      const p = this.pinOf(key);
      if (p !== undefined) return p.entries.get(key) ?? null;
    }
    const v = this.young.get(key);
    return v !== undefined ? v : this.old.get(key);
  }

  /**
   * A value read ahead of need (prefetch.ts) at the latest committed version, which the caller
   * checked is still the latest: kept only when nothing is cached for the key (an entry already
   * there is at least as new). Returns whether it was kept.
   */
  fill(key: string, value: string | null): boolean {
    if (this.half === 0 || this.peek(key) !== undefined) return false;
    this.set(key, value);
    return true;
  }

  /**
   * Declares `entries` to be every committed key under `prefix` with its value (the caller read
   * them from the fast index, before any read or commit). Returns false, pinning nothing, when
   * there are more than MAX_PINNED or the range overlaps one already pinned.
   */
  pin(prefix: string, entries: Map<string, string>): boolean {
    if (entries.size > MAX_PINNED) return false;
    if (this.pins.some((p) => p.prefix.startsWith(prefix) || prefix.startsWith(p.prefix))) return false;
    for (const k of entries.keys()) if (!k.startsWith(prefix)) throw new Error(`pinned key outside its prefix`);
    this.pins.push({ prefix, entries });
    return true;
  }

  /** Prefixes currently answered completely from memory (tests, diagnostics). */
  get pinned(): string[] {
    return this.pins.map((p) => p.prefix);
  }

  private pinOf(key: string): { prefix: string; entries: Map<string, string> } | undefined {
    for (const p of this.pins) if (key.startsWith(p.prefix)) return p;
    return undefined;
  }

  /** Entries held (a key may be counted twice, once per generation). */
  get size(): number {
    return this.young.size + this.old.size;
  }
}

/**
 * A write-buffered overlay over a readable store, and a multistore of them. Used where the tx
 * pipeline needs a throw-away writable view on top of read-only state: Simulate over a query's
 * committed height (so simulated writes never reach the chain), and as the branch type of the
 * in-memory stores the unit tests use.
 *
 * Iteration merges the parent's ordered iterator with the buffered writes (sorted on demand).
 */
import type { Bytes, CacheKVStore, CacheMultiStore, KVPair, KVRead, KVStore, MultiStoreView } from "../store/types";
import { StoreError } from "../store/types";
import { compareBytes } from "../crypto/hash";

function hexKey(k: Bytes): string {
  return Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString("latin1");
}

function inRange(k: Bytes, start?: Bytes, end?: Bytes): boolean {
  return (start === undefined || compareBytes(k, start) >= 0) && (end === undefined || compareBytes(k, end) < 0);
}

function prefixEnd(prefix: Bytes): Bytes | undefined {
  const end = Uint8Array.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}

export class OverlayKVStore implements CacheKVStore {
  /** latin1(key) → [key, value | null (deleted)] */
  private readonly writes = new Map<string, [Bytes, Bytes | null]>();

  constructor(private readonly parent: KVRead & Partial<Pick<KVStore, "set" | "delete">>) {}

  get(key: Bytes): Bytes | undefined {
    const w = this.writes.get(hexKey(key));
    if (w) return w[1] ?? undefined;
    return this.parent.get(key);
  }

  has(key: Bytes): boolean {
    return this.get(key) !== undefined;
  }

  set(key: Bytes, value: Bytes): void {
    if (key.length === 0) throw new StoreError("empty key");
    if (value.length === 0) throw new StoreError("empty value");
    this.writes.set(hexKey(key), [Uint8Array.from(key), Uint8Array.from(value)]);
  }

  delete(key: Bytes): void {
    this.writes.set(hexKey(key), [Uint8Array.from(key), null]);
  }

  *iterator(start?: Bytes, end?: Bytes, reverse = false): IterableIterator<KVPair> {
    const own = [...this.writes.values()].filter(([k]) => inRange(k, start, end));
    own.sort((a, b) => (reverse ? compareBytes(b[0], a[0]) : compareBytes(a[0], b[0])));
    const cmp = (a: Bytes, b: Bytes) => (reverse ? compareBytes(b, a) : compareBytes(a, b));
    const it = this.parent.iterator(start, end, reverse);
    let p = it.next();
    let i = 0;
    while (!p.done || i < own.length) {
      if (p.done || (i < own.length && cmp(own[i][0], p.value[0]) <= 0)) {
        const [k, v] = own[i++];
        if (!p.done && compareBytes(k, p.value[0]) === 0) p = it.next(); // shadowed
        if (v !== null) yield [k, v];
      } else {
        yield p.value;
        p = it.next();
      }
    }
  }

  prefixIterator(prefix: Bytes, reverse = false): IterableIterator<KVPair> {
    return this.iterator(prefix, prefixEnd(prefix), reverse);
  }

  write(): void {
    if (!this.parent.set || !this.parent.delete) throw new StoreError("overlay parent is read-only");
    const entries = [...this.writes.values()].sort((a, b) => compareBytes(a[0], b[0]));
    for (const [k, v] of entries) {
      if (v === null) this.parent.delete(k);
      else this.parent.set(k, v);
    }
    this.writes.clear();
  }
}

/** A multistore of overlays over `getParent(name)`. */
export class OverlayMultiStore implements CacheMultiStore {
  private readonly stores = new Map<string, OverlayKVStore>();

  constructor(private readonly getParent: (name: string) => KVRead & Partial<Pick<KVStore, "set" | "delete">>) {}

  getStore(name: string): KVStore {
    let s = this.stores.get(name);
    if (!s) {
      s = new OverlayKVStore(this.getParent(name));
      this.stores.set(name, s);
    }
    return s;
  }

  branch(): CacheMultiStore {
    return new OverlayMultiStore((name) => this.getStore(name));
  }

  write(): void {
    const names = [...this.stores.keys()].sort();
    for (const n of names) this.stores.get(n)!.write();
  }
}

/** Wraps any MultiStoreView-like source of read views as a writable, never-flushed view. */
export function throwAwayView(read: (name: string) => KVRead): MultiStoreView {
  return new OverlayMultiStore(read);
}

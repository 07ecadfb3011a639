/**
 * TEST-ONLY in-memory CommitMultiStore (not IAVL; hash = sha256 over sorted store/key/value).
 * Used by unit tests of chain/app until/alongside the real store; never used in production or e2e.
 * `disk` survives "restarts": pass the same MemDisk to a new MemStore to simulate a crash
 * (pending writes are lost, committed ones kept).
 */
import { createHash } from "node:crypto";
import type { Bytes, CacheMultiStore, CommitInfo, CommitMultiStore, CommittedMultiStoreView, KVPair, KVStore, QueryResult } from "../../chain/store/types";
import { StoreError } from "../../chain/store/types";

type Layer = Map<string, Bytes | null>; // key (latin1 string: byte order = string order) → value, null = deleted
export interface MemDisk {
  versions: Array<{ version: number; appHash: Bytes; data: Map<string, Map<string, Bytes>> }>;
  initialVersion: number;
}
export const newMemDisk = (): MemDisk => ({ versions: [], initialVersion: 1 });

// Keys are kept as latin1 strings (one char per byte, cheap to build; sorting them sorts the
// bytes); the hash is defined over their hex form (see workingHash).
const hex = (b: Bytes): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
const unhex = (s: string): Bytes => new Uint8Array(Buffer.from(s, "latin1"));
const realHex = (b: Bytes): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");

interface LayerParent {
  getHex(k: string): Bytes | undefined;
  keysHex(): string[];
}

/** A committed map as a layer's parent. */
class MapParent implements LayerParent {
  constructor(private readonly base: Map<string, Bytes>) {}
  getHex(k: string): Bytes | undefined {
    return this.base.get(k);
  }
  keysHex(): string[] {
    return [...this.base.keys()];
  }
}

class LayerStore implements KVStore {
  readonly writes: Layer = new Map();
  constructor(private readonly parent: LayerParent) {}
  getHex(k: string): Bytes | undefined {
    const w = this.writes.get(k);
    if (w !== undefined) return w ?? undefined;
    return this.parent.getHex(k);
  }
  keysHex(): string[] {
    const s = new Set(this.parent.keysHex());
    for (const [k, v] of this.writes) if (v === null) s.delete(k);
    else s.add(k);
    return [...s].filter((k) => this.getHex(k) !== undefined).sort();
  }
  get(key: Bytes): Bytes | undefined {
    return this.getHex(hex(key));
  }
  has(key: Bytes): boolean {
    return this.get(key) !== undefined;
  }
  set(key: Bytes, value: Bytes): void {
    if (key.length === 0 || value.length === 0) throw new StoreError("empty key or value");
    this.writes.set(hex(key), new Uint8Array(value));
  }
  delete(key: Bytes): void {
    this.writes.set(hex(key), null);
  }
  *iterator(start?: Bytes, end?: Bytes, reverse?: boolean): IterableIterator<KVPair> {
    const s = start ? hex(start) : undefined;
    const e = end ? hex(end) : undefined;
    let keys = this.keysHex().filter((k) => (s === undefined || k >= s) && (e === undefined || k < e));
    if (reverse) keys = keys.reverse();
    for (const k of keys) yield [unhex(k), this.getHex(k)!] as const;
  }
  prefixIterator(prefix: Bytes, reverse?: boolean): IterableIterator<KVPair> {
    const p = hex(prefix);
    const keys = this.keysHex().filter((k) => k.startsWith(p));
    const self = this;
    return (function* () {
      for (const k of reverse ? keys.reverse() : keys) yield [unhex(k), self.getHex(k)!] as const;
    })();
  }
}

class Branch implements CacheMultiStore {
  private readonly stores = new Map<string, LayerStore>();
  constructor(private readonly parent: { getStore(n: string): KVStore }, private readonly names: readonly string[]) {}
  getStore(name: string): LayerStore {
    if (!this.names.includes(name)) throw new StoreError(`store ${name} not mounted`);
    let s = this.stores.get(name);
    if (!s) {
      const p = this.parent.getStore(name) as LayerStore;
      s = new LayerStore(p);
      this.stores.set(name, s);
    }
    return s;
  }
  branch(): CacheMultiStore {
    return new Branch(this, this.names);
  }
  write(): void {
    for (const [name, s] of this.stores) {
      const p = this.parent.getStore(name);
      if (p instanceof LayerStore && !Object.prototype.hasOwnProperty.call(p, "set")) {
        // Same as p.set/p.delete below (the values were validated and copied by our own set()).
        for (const [k, v] of s.writes) p.writes.set(k, v);
      } else {
        // A read-only view's store (its set/delete throw) or a foreign parent.
        for (const [k, v] of s.writes) if (v === null) p.delete(unhex(k));
        else p.set(unhex(k), v);
      }
      s.writes.clear();
    }
  }
}

export class MemStore implements CommitMultiStore {
  readonly storeNames: readonly string[];
  private pending = new Map<string, LayerStore>();
  earliestVersion = 0;
  constructor(names: readonly string[], private readonly disk: MemDisk = newMemDisk()) {
    this.storeNames = [...names].sort();
    this.earliestVersion = disk.versions[0]?.version ?? 0;
  }
  private committedData(): Map<string, Map<string, Bytes>> {
    return this.disk.versions[this.disk.versions.length - 1]?.data ?? new Map();
  }
  get lastCommit(): CommitInfo {
    const v = this.disk.versions[this.disk.versions.length - 1];
    return v ? { version: v.version, appHash: v.appHash } : { version: 0, appHash: new Uint8Array() };
  }
  getStore(name: string): LayerStore {
    if (!this.storeNames.includes(name)) throw new StoreError(`store ${name} not mounted`);
    let s = this.pending.get(name);
    if (!s) {
      const base = this.committedData().get(name) ?? new Map<string, Bytes>();
      s = new LayerStore(new MapParent(base));
      this.pending.set(name, s);
    }
    return s;
  }
  branch(): CacheMultiStore {
    return new Branch(this, this.storeNames);
  }
  setInitialVersion(version: number): void {
    if (this.disk.versions.length) throw new StoreError("already committed");
    this.disk.initialVersion = version;
  }
  private snapshot(): Map<string, Map<string, Bytes>> {
    const out = new Map<string, Map<string, Bytes>>();
    for (const n of this.storeNames) {
      const s = this.getStore(n);
      out.set(n, new Map(s.keysHex().map((k) => [k, s.getHex(k)!] as const)));
    }
    return out;
  }
  workingHash(): Bytes {
    const h = createHash("sha256");
    for (const [n, m] of this.snapshot()) {
      h.update(`|${n}`);
      for (const [k, v] of m) h.update(`${realHex(unhex(k))}=${realHex(v)};`);
    }
    return h.digest();
  }
  async commit(): Promise<CommitInfo> {
    const appHash = this.workingHash();
    const version = this.disk.versions.length ? this.lastCommit.version + 1 : this.disk.initialVersion;
    this.disk.versions.push({ version, appHash, data: this.snapshot() });
    this.pending = new Map();
    return { version, appHash };
  }
  discardPending(): void {
    this.pending = new Map();
  }
  query(storeName: string, key: Bytes, version: number, _prove: boolean): QueryResult {
    const v = version === 0 ? this.disk.versions[this.disk.versions.length - 1] : this.disk.versions.find((x) => x.version === version);
    if (!v) throw new StoreError(`version ${version} not available`);
    return { value: v.data.get(storeName)?.get(hex(key)), version: v.version };
  }
  viewAt(version: number): CommittedMultiStoreView {
    const latest = this.lastCommit.version;
    const v = version === 0 ? latest : version;
    if (v > latest) throw new StoreError(`version ${v} is not committed yet (latest ${latest})`);
    const rec = this.disk.versions.find((x) => x.version === v);
    if (v !== 0 && !rec) throw new StoreError(`version ${v} does not exist`);
    const data = rec?.data ?? new Map<string, Map<string, Bytes>>();
    const names = this.storeNames;
    const stores = new Map<string, LayerStore>();
    const view = {
      version: v,
      getStore(name: string): KVStore {
        if (!names.includes(name)) throw new StoreError(`store ${name} not mounted`);
        let s = stores.get(name);
        if (!s) {
          const base = data.get(name) ?? new Map<string, Bytes>();
          s = new LayerStore(new MapParent(base));
          const deny = (): never => {
            throw new StoreError(`store ${name} at version ${v} is read-only`);
          };
          s.set = deny;
          s.delete = deny;
          stores.set(name, s);
        }
        return s;
      },
      branch(): CacheMultiStore {
        return new Branch(view, names);
      },
    };
    return view;
  }
  async close(): Promise<void> {}
}

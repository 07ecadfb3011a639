/** Test-only helpers shared by the store tests and the benchmark (not part of the public API). */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Bytes, KVPair, KVStore } from "./types";
import { RootMultiStore, type InternalStoreOptions } from "./multistore";
import { IavlTree, Node } from "./iavl";
import { commitKey, DbNodeLoader, StoreKeys } from "./nodedb";

/** The fixture PRNG: byte stream sha256(seed || BE64(0)) || sha256(seed || BE64(1)) || ... (mirrors the Go generator). */
export class FixturePrng {
  private counter = 0;
  private buf: Buffer = Buffer.alloc(0);
  private readonly seed: Buffer;
  constructor(seed: string) {
    this.seed = Buffer.from(seed, "utf8");
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      if (this.buf.length === 0) {
        const c = Buffer.alloc(8);
        c.writeBigUInt64BE(BigInt(this.counter++));
        this.buf = createHash("sha256").update(this.seed).update(c).digest();
      }
      const take = Math.min(n - got, this.buf.length);
      out.set(this.buf.subarray(0, take), got);
      this.buf = this.buf.subarray(take);
      got += take;
    }
    return out;
  }
  intn(n: number): number {
    return Buffer.from(this.bytes(4)).readUInt32BE(0) % n;
  }
}

/**
 * Applies one version of Go's TestTreeHash ops (fixture iavl-treehash.json, hex): records of
 * kind u8 (0 = set, else remove) | key[16] | value[16] for sets. Every remove must find its key.
 */
export function applyTreeHashOps(tree: { set(k: Uint8Array, v: Uint8Array): unknown; remove(k: Uint8Array): boolean }, opsHex: string): void {
  const ops = Buffer.from(opsHex, "hex");
  let pos = 0;
  while (pos < ops.length) {
    const kind = ops[pos++];
    const key = ops.subarray(pos, pos + 16);
    pos += 16;
    if (kind === 0) {
      tree.set(key, ops.subarray(pos, pos + 16));
      pos += 16;
    } else if (!tree.remove(key)) {
      throw new Error(`TestTreeHash op: remove of absent key ${key.toString("hex")}`);
    }
  }
}

export type Op = { key: Uint8Array; value: Uint8Array | null };

export interface SequenceParams {
  seed: string;
  firstInserts: number;
  opsPerVersion: number;
  versions: number;
}

/** Generates the per-version operation lists of the Go generator's randomSequence(). */
export function* randomSequenceOps(p: SequenceParams): Generator<Op[]> {
  const r = new FixturePrng(p.seed);
  const keys: Uint8Array[] = [];
  const index = new Set<string>();
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
  const randKey = () => r.bytes(1 + r.intn(24));
  const randValue = () => r.bytes(1 + r.intn(40));
  for (let v = 0; v < p.versions; v++) {
    const ops: Op[] = [];
    const insert = () => {
      const k = randKey();
      const val = randValue();
      ops.push({ key: k, value: val });
      if (!index.has(hex(k))) {
        index.add(hex(k));
        keys.push(k);
      }
    };
    if (v === 0) {
      for (let i = 0; i < p.firstInserts; i++) insert();
    } else {
      for (let i = 0; i < p.opsPerVersion; i++) {
        const x = r.intn(100);
        if (x < 25 && keys.length > 0) {
          const idx = r.intn(keys.length);
          const k = keys[idx]!;
          keys[idx] = keys[keys.length - 1]!;
          keys.pop();
          index.delete(hex(k));
          ops.push({ key: k, value: null });
        } else if (x < 60 && keys.length > 0) {
          const k = keys[r.intn(keys.length)]!;
          ops.push({ key: k, value: randValue() });
        } else {
          insert();
        }
      }
    }
    yield ops;
  }
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** UTF-8 bytes of a test string, and the string of test bytes. */
export const utf8Bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));
export const bytesStr = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString());

/**
 * Call at a test file's top level: returns a maker of temporary directories that are all removed
 * after each test.
 */
export function tempDirsPerTest(prefix: string): () => string {
  let cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups) c();
    cleanups = [];
  });
  return () => {
    const t = tempDir(prefix);
    cleanups.push(t.cleanup);
    return t.dir;
  };
}

/** A KVStore without getLatin1 (the latin1 read path): every layer above it takes the plain byte path, the reference. */
export class BytesOnly implements KVStore {
  constructor(private readonly s: KVStore) {}
  get(k: Bytes) {
    return this.s.get(k);
  }
  has(k: Bytes) {
    return this.s.has(k);
  }
  set(k: Bytes, v: Bytes) {
    this.s.set(k, v);
  }
  delete(k: Bytes) {
    this.s.delete(k);
  }
  iterator(start?: Bytes, end?: Bytes, reverse?: boolean): IterableIterator<KVPair> {
    return this.s.iterator(start, end, reverse);
  }
  prefixIterator(p: Bytes, reverse?: boolean): IterableIterator<KVPair> {
    return this.s.prefixIterator(p, reverse);
  }
}

/** Live-tree mode of the stores `openStore` opens (set per block by `forEachTreeMode`). */
export const storeMode = { arena: false, hashWorker: false };

/**
 * Runs the tests `body` declares three times: with IavlTree live trees, with ArenaTree live trees
 * (`InternalStoreOptions.arena`) and with ArenaTree live trees hashed by a worker thread from the
 * smallest pass on (`hashWorker`); `openStore` follows the mode of the block it runs in.
 */
export function forEachTreeMode(body: (arena: boolean) => void): void {
  describe.each([
    ["IavlTree", false, false],
    ["ArenaTree", true, false],
    ["ArenaTree + hash worker", true, true],
  ])("%s live trees", (_name, arena, worker) => {
    beforeAll(() => {
      storeMode.arena = arena as boolean;
      storeMode.hashWorker = worker as boolean;
    });
    afterAll(() => {
      storeMode.arena = false;
      storeMode.hashWorker = false;
    });
    body(arena as boolean);
  });
}

/** openMultiStore in the current `storeMode` (an explicit `arena` option wins). */
export async function openStore(opts: InternalStoreOptions): Promise<RootMultiStore> {
  return RootMultiStore.open({ arena: storeMode.arena, hashWorker: storeMode.hashWorker ? { minNodes: 0 } : false, ...opts });
}

/** A store's tree of committed version `v` loaded from disk (commit record root), whatever the live-tree mode. */
export function diskTree(cms: RootMultiStore, name: string, v: number): IavlTree {
  const raw = cms.database.getSync(commitKey(v));
  if (raw === undefined) throw new Error(`no commit record for version ${v}`);
  const rec = JSON.parse(Buffer.from(raw).toString("utf8")) as { stores: { name: string; hash: string; root: [number, number] | null }[] };
  const st = rec.stores.find((x) => x.name === name)!;
  const root = st.root === null ? undefined : Node.stub(st.root[0], st.root[1], Buffer.from(st.hash, "hex"));
  return new IavlTree(new DbNodeLoader(cms.database, new StoreKeys(name)), root, v);
}

/** Commits one version whose writes (utf8 key → utf8 value, null = delete) go to the "bank" store. */
export async function commitBankWrites(cms: RootMultiStore, writes: [string, string | null][]): Promise<void> {
  const b = cms.branch();
  for (const [k, v] of writes) {
    if (v === null) b.getStore("bank").delete(utf8Bytes(k));
    else b.getStore("bank").set(utf8Bytes(k), utf8Bytes(v));
  }
  b.write();
  await cms.commit();
}

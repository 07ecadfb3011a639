/**
 * Reading keys ahead of a block (prefetch.ts, RootMultiStore.prefetch): prefetched values and
 * node bodies must be exactly what the synchronous reads would return, never older than the last
 * commit, bounded, and a failed or malformed read must only mean "not prefetched".
 */
import * as fs from "node:fs";
import { RootMultiStore } from "./multistore";
import { DbNodeLoader, StoreKeys } from "./nodedb";
import { Prefetcher, type AsyncMultiReader } from "./prefetch";
import { bytesStr, commitBankWrites as block, forEachTreeMode, openStore, tempDirsPerTest, utf8Bytes } from "./testutil";
import { ValueCache } from "./valuecache";
import type { LiveTree } from "./storetree";

const e = utf8Bytes;
const str = bytesStr;
const newDir = tempDirsPerTest("hg-prefetch-");

type Internals = { stores: Map<string, { committed: ValueCache; loader: DbNodeLoader; tree: LiveTree }> };
const bankOf = (cms: RootMultiStore) => (cms as unknown as Internals).stores.get("bank")!;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Resolves once the prefetcher has nothing waiting or in flight. */
async function settled(p: Prefetcher): Promise<void> {
  for (let i = 0; i < 2000 && (p.pending !== 0 || p.busy !== 0); i++) await new Promise((r) => setTimeout(r, 2));
  expect(p.pending).toBe(0);
}

/** Counts LevelDB getSync calls by table: 'f' values, 'n' nodes. */
function countReads(cms: RootMultiStore): { values: number; nodes: number; restore: () => void } {
  const db = cms.database;
  const orig = db.getSync.bind(db);
  const c = { values: 0, nodes: 0, restore: () => spy.mockRestore() };
  const spy = jest.spyOn(db, "getSync").mockImplementation(((k: Uint8Array, o?: unknown) => {
    if (k[0] === 0x66) c.values++;
    if (k[0] === 0x6e) c.nodes++;
    return (orig as (k: Uint8Array, o?: unknown) => Uint8Array | undefined)(k, o);
  }) as typeof db.getSync);
  return c;
}

/** A reader that reads at once but delivers only when released (a read overtaken by a commit). */
function heldReader(db: AsyncMultiReader): { reader: AsyncMultiReader; release: () => void; held: () => number } {
  const waiting: (() => void)[] = [];
  return {
    reader: {
      getMany: async (keys) => {
        const got = await db.getMany(keys);
        await new Promise<void>((r) => waiting.push(r));
        return got;
      },
    },
    release: () => waiting.splice(0).forEach((r) => r()),
    held: () => waiting.length,
  };
}

/** Resolves once the reads have landed and their paths are installed (or left to the apply). */
async function installed(p: Prefetcher): Promise<void> {
  await settled(p);
  await until(() => p.installPending === 0);
}

/** A 3,000-key bank store written over 3 versions, reopened with only its top levels loaded. */
async function reopenedBank(dir: string, opts: Partial<Parameters<typeof openStore>[0]> = {}): Promise<RootMultiStore> {
  const cms = await openStore({ dir, storeNames: ["bank"] });
  const writes: [string, string][] = [];
  for (let i = 0; i < 3000; i++) writes.push([`key/${(i * 7919) % 3000}`, `v${i}`]);
  for (let j = 0; j < 3; j++) await block(cms, writes.slice(j * 1000, (j + 1) * 1000));
  await cms.close();
  return openStore({ dir, storeNames: ["bank"], warmUpDepth: 2, ...opts });
}

async function until(f: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !f(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(f()).toBe(true);
}

describe("ValueCache.peek / fill", () => {
  test("fill keeps a value only for a key not cached; peek does not move entries; pinned ranges are never filled", () => {
    const c = new ValueCache(4);
    expect(c.fill("a", "1")).toBe(true);
    expect(c.fill("a", "old")).toBe(false);
    expect(c.get("a")).toBe("1");
    c.set("b", null);
    expect(c.fill("b", "x")).toBe(false);
    expect(c.peek("b")).toBeNull();
    expect(c.peek("zz")).toBeUndefined();
    expect(c.pin("m/", new Map([["m/a", "v"]]))).toBe(true);
    expect(c.fill("m/b", "x")).toBe(false);
    expect(c.get("m/b")).toBeNull();
    expect(new ValueCache(0).fill("a", "1")).toBe(false);
  });
});

describe("DbNodeLoader read-ahead bodies", () => {
  test("bounded: the oldest body goes first", () => {
    const l = new DbNodeLoader({ getSync: () => undefined }, new StoreKeys("bank"), 16, 2);
    l.offerAhead(1, 1, "a");
    l.offerAhead(1, 2, "b");
    l.offerAhead(1, 3, "c");
    expect([l.aheadSize, l.peekAhead(1, 1), l.peekAhead(1, 3)]).toEqual([2, undefined, "c"]);
  });
});

forEachTreeMode(() => {
  describe("RootMultiStore.prefetch", () => {
    test("values land in the cache (present and absent), no getSync for them, same values", async () => {
      const dir = newDir();
      let cms = await openStore({ dir, storeNames: ["bank"] });
      const writes: [string, string][] = [];
      for (let i = 0; i < 300; i++) writes.push([`k${i}`, `v${i}`]);
      await block(cms, writes);
      await cms.close();
      cms = await openStore({ dir, storeNames: ["bank"] });
      const keys = ["k1", "k7", "k299", "absent", "k150"];
      cms.prefetch("bank", keys.map(e));
      cms.prefetch("nope", [e("x")]); // unknown store: nothing, no throw
      await settled(cms.prefetcher);
      expect(cms.prefetcher.stats.valuesFilled).toBe(5);
      const c = countReads(cms);
      expect(keys.map((k) => str(cms.getStore("bank").get(e(k))))).toEqual(["v1", "v7", "v299", undefined, "v150"]);
      expect(c.values).toBe(0);
      c.restore();
      await cms.close();
    });

    test("a value read before a commit that lands after it is not installed (would be stale)", async () => {
      // A tiny cache: the commit's own entry for the key is evicted again, so only the version
      // check keeps the overtaken read out (without it the old value would be served).
      const cms = await openStore({ dir: newDir(), storeNames: ["bank"], maxCachedValues: 4 });
      await block(cms, [["k", "old"], ["m1", "1"], ["m2", "2"], ["m3", "3"], ["m4", "4"], ["m5", "5"]]); // evicts k from the cache
      expect(bankOf(cms).committed.peek(bytesKey("k"))).toBeUndefined();
      const h = heldReader(cms.database as unknown as AsyncMultiReader);
      cms.prefetcher.reader = h.reader;
      cms.prefetch("bank", [e("k")]);
      await until(() => h.held() > 0); // read done at version 1, not delivered
      await block(cms, [["k", "new"], ["m1", "6"], ["m2", "7"], ["m3", "8"], ["m4", "9"], ["m5", "0"]]);
      expect(bankOf(cms).committed.peek(bytesKey("k"))).toBeUndefined(); // evicted by the later keys
      h.release();
      await settled(cms.prefetcher);
      expect(cms.prefetcher.stats.valuesDiscarded).toBe(1);
      expect(cms.prefetcher.stats.valuesFilled).toBe(0);
      expect(str(cms.getStore("bank").get(e("k")))).toBe("new");
      expect(str(cms.viewAt(0).getStore("bank").get(e("k")))).toBe("new");
      await cms.close();
    });

    test("a read that lands while a commit is in flight is discarded", async () => {
      const cms = await openStore({ dir: newDir(), storeNames: ["bank"], maxCachedValues: 4 });
      await block(cms, [["k", "old"], ["m1", "1"], ["m2", "2"], ["m3", "3"], ["m4", "4"], ["m5", "5"]]); // evicts k from the cache
      expect(bankOf(cms).committed.peek(bytesKey("k"))).toBeUndefined();
      const h = heldReader(cms.database as unknown as AsyncMultiReader);
      cms.prefetcher.reader = h.reader;
      cms.prefetch("bank", [e("k")]);
      await until(() => h.held() > 0);
      const b = cms.branch();
      b.getStore("bank").set(e("k"), e("new"));
      b.write();
      cms.beforeWrite = () => h.release(); // delivered between the trees' save and the batch write
      const done = cms.commit();
      await settled(cms.prefetcher);
      await done;
      cms.beforeWrite = undefined;
      expect(cms.prefetcher.stats.valuesFilled).toBe(0);
      expect(str(cms.getStore("bank").get(e("k")))).toBe("new");
      await cms.close();
    });

    test("failed and malformed reads only mean nothing is prefetched", async () => {
      const dir = newDir();
      let cms = await openStore({ dir, storeNames: ["bank"] });
      const writes: [string, string][] = [];
      for (let i = 0; i < 2000; i++) writes.push([`key/${i}`, `v${i}`]);
      await block(cms, writes);
      await cms.close();
      const hashes: string[] = [];
      for (const bad of ["none", "reject", "garbage pages"] as const) {
        const copy = newDir();
        fs.cpSync(dir, copy, { recursive: true }); // the same state for each case
        cms = await openStore({ dir: copy, storeNames: ["bank"], warmUpDepth: 1 });
        const db = cms.database as unknown as AsyncMultiReader;
        cms.prefetcher.reader = {
          getMany: async (keys) => {
            if (bad === "reject") throw new Error("disk on fire");
            const got = await db.getMany(keys);
            // A corrupt page record (node table 'n'); values have no checksum: they are what getSync reads.
            return bad === "none" ? got : got.map((v, i) => (keys[i]![0] === 0x6e ? new Uint8Array([2, 1, 3, 4, 5, 6, 7, 8]) : v));
          },
        };
        const keys = ["key/5", "key/1999", "key/77"];
        cms.prefetch("bank", keys.map(e));
        await settled(cms.prefetcher);
        if (bad === "none") expect(cms.prefetcher.stats.failed).toBe(0);
        else expect(cms.prefetcher.stats.failed).toBeGreaterThan(0);
        expect(cms.prefetcher.stats.nodesLanded > 0).toBe(bad === "none");
        expect(keys.map((k) => str(cms.getStore("bank").get(e(k))))).toEqual(["v5", "v1999", "v77"]);
        await block(cms, keys.map((k) => [k, "w"]));
        hashes.push(hex(cms.lastCommit.appHash));
        await cms.close();
      }
      expect(new Set(hashes).size).toBe(1);
    });

    test("tree paths: the apply loads prefetched bodies instead of reading pages; same AppHash and proofs", async () => {
      const dirs = [newDir(), newDir()];
      const stores: RootMultiStore[] = [];
      const writes: [string, string][] = [];
      for (let i = 0; i < 3000; i++) writes.push([`key/${(i * 7919) % 3000}`, `v${i}`]);
      for (const dir of dirs) {
        const cms = await openStore({ dir, storeNames: ["bank"] });
        for (let j = 0; j < 3; j++) await block(cms, writes.slice(j * 1000, (j + 1) * 1000));
        await cms.close();
        stores.push(await openStore({ dir, storeNames: ["bank"], warmUpDepth: 2 }));
      }
      const touched = ["key/3", "key/1500", "key/2999", "key/42", "key/2048", "key/nope"];
      // Values first (as CheckTx reads them), then the paths ahead in store 0 only.
      for (const cms of stores) for (const k of touched) cms.getStore("bank").get(e(k));
      stores[0]!.prefetch("bank", touched.map(e));
      await settled(stores[0]!.prefetcher);
      expect(stores[0]!.prefetcher.stats.nodesLanded).toBeGreaterThan(touched.length * 3);
      // Keys only read (written = false) get their values, never their paths.
      const before = stores[1]!.prefetcher.stats.pageReads;
      stores[1]!.prefetch("bank", touched.map(e), false);
      await settled(stores[1]!.prefetcher);
      expect(stores[1]!.prefetcher.stats.pageReads).toBe(before);
      expect(bankOf(stores[1]!).loader.aheadSize).toBe(0);
      const reads = stores.map((cms) => countReads(cms));
      for (const cms of stores) await block(cms, touched.map((k) => [k, "w"]));
      expect(bankOf(stores[0]!).loader.aheadUsed).toBeGreaterThan(touched.length * 3);
      expect(reads[0]!.nodes).toBeLessThan(reads[1]!.nodes);
      for (const r of reads) r.restore();
      expect(hex(stores[0]!.lastCommit.appHash)).toBe(hex(stores[1]!.lastCommit.appHash));
      for (const k of touched) {
        const q = stores.map((cms) => cms.query("bank", e(k), 0, true));
        expect(str(q[0]!.value)).toBe(str(q[1]!.value));
        expect(JSON.stringify(q[0]!.proofOps)).toBe(JSON.stringify(q[1]!.proofOps));
      }
      for (const cms of stores) await cms.close();
    });

    test("landed paths are installed between requests, a bounded number of nodes per turn; the block then loads none; same AppHash", async () => {
      const touched = ["key/3", "key/1500", "key/2999", "key/42", "key/2048", "key/nope"];
      const pre = await reopenedBank(newDir(), { prefetch: { installPerTurn: 3 } });
      const ref = await reopenedBank(newDir(), { prefetch: { installPerTurn: 0 } });
      const bk = (k: string) => bytesKey(k);
      expect(touched.every((k) => bankOf(pre).tree.firstStubOnPath(bk(k)) !== undefined)).toBe(true);
      pre.prefetch("bank", touched.map(e));
      await installed(pre.prefetcher);
      const st = pre.prefetcher.stats;
      expect(st.installed).toBe(st.nodesLanded); // every landed body is on a path still to load
      expect(st.installMaxTurn).toBeLessThanOrEqual(3);
      expect(st.installTurns).toBeGreaterThanOrEqual(Math.ceil(st.installed / 3));
      expect(bankOf(pre).loader.aheadSize).toBe(0);
      // Loaded down to the leaf: nothing left for the apply to load on these paths.
      expect(touched.filter((k) => bankOf(pre).tree.firstStubOnPath(bk(k)) !== undefined)).toEqual([]);
      const reads = [pre, ref].map((cms) => countReads(cms));
      const used = bankOf(pre).loader.aheadUsed;
      for (const cms of [pre, ref]) await block(cms, touched.map((k) => [k, "w"]));
      // Only leaves are left to read (a new key's neighbour is compared); the reference reads its inner pages too.
      expect(reads[0]!.nodes).toBeLessThanOrEqual(touched.length);
      expect(reads[0]!.nodes).toBeLessThan(reads[1]!.nodes);
      for (const r of reads) r.restore();
      expect(bankOf(pre).loader.aheadUsed).toBe(used);
      expect(hex(pre.lastCommit.appHash)).toBe(hex(ref.lastCommit.appHash));
      for (const k of touched) {
        const q = [pre, ref].map((cms) => cms.query("bank", e(k), 0, true));
        expect(JSON.stringify(q[0]!.proofOps)).toBe(JSON.stringify(q[1]!.proofOps));
      }
      for (const cms of [pre, ref]) await cms.close();
    });

    test("nothing is installed while a block is applied but not committed; after the commit the install walks the new tree", async () => {
      const pre = await reopenedBank(newDir());
      const ref = await reopenedBank(newDir(), { prefetch: { installPerTurn: 0 } });
      const first: [string, string][] = [["key/10", "a"], ["key/2500", "b"], ["new/1", "c"]];
      const next = ["key/10", "key/11", "key/2501", "key/1200", "new/1"];
      for (const cms of [pre, ref]) {
        const b = cms.branch();
        for (const [k, v] of first) b.getStore("bank").set(e(k), e(v));
        b.write();
        cms.workingHash(); // FinalizeBlock's end: the writes are in the working tree
      }
      pre.prefetch("bank", next.map(e)); // CheckTx of the next block's txs, before Commit
      await settled(pre.prefetcher);
      await new Promise((r) => setTimeout(r, 30)); // several install attempts
      expect(pre.prefetcher.stats.nodesLanded).toBeGreaterThan(0);
      expect(pre.prefetcher.stats.installed).toBe(0);
      expect(pre.prefetcher.installPending).toBeGreaterThan(0);
      for (const cms of [pre, ref]) await cms.commit();
      await installed(pre.prefetcher);
      expect(pre.prefetcher.stats.installed).toBeGreaterThan(0);
      for (const cms of [pre, ref]) await block(cms, next.map((k) => [k, "x"]));
      expect(hex(pre.lastCommit.appHash)).toBe(hex(ref.lastCommit.appHash));
      for (const k of [...next, "key/2500", "key/77"]) {
        expect(str(pre.getStore("bank").get(e(k)))).toBe(str(ref.getStore("bank").get(e(k))));
      }
      for (const cms of [pre, ref]) await cms.close();
    });

    test("a body that fails its hash check is not installed; the apply reads the node from disk", async () => {
      const pre = await reopenedBank(newDir());
      const ref = await reopenedBank(newDir(), { prefetch: { installPerTurn: 0 } });
      const key = bytesKey("key/1234");
      const t = bankOf(pre).tree;
      const stub = t.firstStubOnPath(key)!;
      // A well-formed inner body whose hash is not the one the parent expects.
      bankOf(pre).loader.offerAhead(stub[0], stub[1], "\x01\x01\x02\x01k" + "h".repeat(32) + "\x01\x01" + "h".repeat(32) + "\x01\x02");
      expect(t.installPath(key, 10)).toBe(0);
      expect(t.firstStubOnPath(key)).toEqual(stub); // still a stub
      for (const cms of [pre, ref]) await block(cms, [["key/1234", "z"]]);
      expect(hex(pre.lastCommit.appHash)).toBe(hex(ref.lastCommit.appHash));
      for (const cms of [pre, ref]) await cms.close();
    });

    test("prefetchTo: a key with its value cached and (if written) its path loaded is skipped; otherwise it is read", async () => {
      const cms = await reopenedBank(newDir());
      const take = cms.prefetchTo("bank")!;
      expect(cms.prefetchTo("nope")).toBeUndefined();
      const k = bytesKey("key/17");
      cms.getStore("bank").get(e("key/17")); // value cached, path not loaded (point reads never walk the tree)
      expect(bankOf(cms).tree.firstStubOnPath(k)).toBeDefined();
      take(k, false); // only read: nothing to do
      expect([cms.prefetcher.stats.cached, cms.prefetcher.stats.queued]).toEqual([1, 0]);
      take(k, true); // written: its path is needed
      expect(cms.prefetcher.stats.queued).toBe(1);
      await installed(cms.prefetcher);
      expect(bankOf(cms).tree.firstStubOnPath(k)).toBeUndefined();
      take(k, true); // now both are in memory
      take(bytesKey("key/18"), false); // value not cached: read
      expect([cms.prefetcher.stats.cached, cms.prefetcher.stats.queued]).toEqual([2, 2]);
      await installed(cms.prefetcher);
      expect(cms.prefetcher.stats.valuesFilled).toBe(1);
      await cms.close();
    });

    test("keys asked for one at a time, alternating stores, are read in full batches", async () => {
      // A partial batch waits flushMs; long here so a slow machine cannot flush the tails early.
      const cms = await openStore({ dir: newDir(), storeNames: ["acc", "bank"], prefetch: { flushMs: 500 } });
      await block(cms, [["a", "1"]]);
      const real = cms.prefetcher.reader;
      const sizes: number[] = [];
      cms.prefetcher.reader = { getMany: (keys) => (sizes.push(keys.length), real.getMany(keys)) };
      for (let i = 0; i < 600; i++) {
        cms.prefetch("acc", [e(`x${i}`)], false);
        cms.prefetch("bank", [e(`y${i}`)], false);
        if (i % 7 === 0) await new Promise((r) => setImmediate(r)); // CheckTx requests arriving
      }
      await settled(cms.prefetcher);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(1200);
      expect([...sizes].sort((a, b) => a - b)).toEqual([88, 88, 256, 256, 256, 256]); // full 256-key batches + the two partial tails
      await cms.close();
    });

    test("bounded queue: keys past maxQueued are dropped, a key asked twice is read once", async () => {
      const cms = await openStore({ dir: newDir(), storeNames: ["bank"] });
      await block(cms, [["a", "1"]]);
      let reads = 0;
      const p = new Prefetcher(
        { getMany: async (keys: Uint8Array[]) => ((reads += keys.length), keys.map(() => undefined)) },
        () => cms.lastCommit.version,
        { maxQueued: 4 },
      );
      const t = bankOf(cms) as unknown as Parameters<Prefetcher["want"]>[0];
      p.want(t, ["k1", "k2", "k2", "k3"]);
      p.want(t, ["k1", "k4", "k5", "k6"]);
      expect([p.stats.queued, p.stats.dropped]).toEqual([4, 2]);
      await settled(p);
      expect(reads).toBe(4);
      await cms.close();
    });
  });
});

function bytesKey(s: string): string {
  return Buffer.from(s).toString("latin1");
}

/**
 * The latest-value cache in front of the fast index (valuecache.ts): it must never return a value
 * older than the last commit, for present and absent keys, through every read path (pending layer,
 * branches, query, viewAt at latest), nor leak into old versions or pending state.
 */
import { RootMultiStore } from "./multistore";
import { forEachTreeMode, openStore as openMultiStore } from "./testutil";
import { ValueCache } from "./valuecache";
import { FixturePrng, bytesStr, commitBankWrites as block, tempDirsPerTest, utf8Bytes } from "./testutil";

const e = utf8Bytes;
const str = bytesStr;
const newDir = tempDirsPerTest("hg-vcache-");
async function open(maxCachedValues?: number): Promise<RootMultiStore> {
  const dir = newDir();
  return (await openMultiStore({ dir, storeNames: ["bank"], keepRecent: 0, maxCachedValues } as never)) as RootMultiStore;
}

/** Reads `key` through every latest-state path; they must agree. */
function readAll(cms: RootMultiStore, key: string): string | undefined {
  const direct = str(cms.getStore("bank").get(e(key)));
  const branched = str(cms.branch().branch().getStore("bank").get(e(key)));
  const view = str(cms.viewAt(0).getStore("bank").get(e(key)));
  const q = str(cms.query("bank", e(key), 0, false).value);
  expect([branched, view, q]).toEqual([direct, direct, direct]);
  return direct;
}

forEachTreeMode((arena) => {
  describe("ValueCache", () => {
    test("bounded, newest value wins across generations, used keys survive, cached absence, disabled at 0", () => {
      const c = new ValueCache(4); // two generations of 2
      c.set("a", "1");
      c.set("b", null); // young full: becomes old
      expect(c.get("b")).toBeNull(); // hit in old: moved to young
      c.set("a", "2"); // young full again: {b, a=2} old, {a=1, b} dropped
      expect(c.get("a")).toBe("2");
      expect(c.get("z")).toBeUndefined();
      for (let i = 0; i < 10; i++) c.set(`k${i}`, String(i));
      expect(c.size).toBeLessThanOrEqual(4);
      expect(c.get("k0")).toBeUndefined(); // long gone
      expect(c.get("k9")).toBe("9");
      const off = new ValueCache(0);
      off.set("a", "1");
      expect(off.get("a")).toBeUndefined();
    });
  });

  describe("latest-value cache in the multistore", () => {
    test("cached values and cached absences follow every commit (set, update, delete, re-create)", async () => {
      const cms = await open();
      await block(cms, [["a", "1"], ["b", "1"]]);
      // Populate the cache, including an absence.
      expect([readAll(cms, "a"), readAll(cms, "b"), readAll(cms, "c")]).toEqual(["1", "1", undefined]);
      await block(cms, [["a", "2"], ["b", null], ["c", "2"]]);
      expect([readAll(cms, "a"), readAll(cms, "b"), readAll(cms, "c")]).toEqual(["2", undefined, "2"]);
      await block(cms, [["b", "3"], ["c", null]]);
      expect([readAll(cms, "a"), readAll(cms, "b"), readAll(cms, "c")]).toEqual(["2", "3", undefined]);
      // Old versions never read the cache.
      expect(str(cms.viewAt(1).getStore("bank").get(e("a")))).toBe("1");
      expect(str(cms.viewAt(2).getStore("bank").get(e("b")))).toBeUndefined();
      expect(str(cms.query("bank", e("c"), 2, false).value)).toBe("2");
      await cms.close();
    });

    test("pending writes shadow the cache; committed views keep the committed value until Commit; discard keeps it", async () => {
      const cms = await open();
      await block(cms, [["a", "1"]]);
      expect(readAll(cms, "a")).toBe("1");
      expect(readAll(cms, "n")).toBeUndefined();
      const b = cms.branch();
      b.getStore("bank").set(e("a"), e("2"));
      b.getStore("bank").set(e("n"), e("new"));
      b.write();
      cms.workingHash(); // pending applied to the working tree (FinalizeBlock end)
      expect(str(cms.getStore("bank").get(e("a")))).toBe("2");
      expect(str(cms.getStore("bank").get(e("n")))).toBe("new");
      expect(str(cms.viewAt(0).getStore("bank").get(e("a")))).toBe("1");
      expect(cms.viewAt(0).getStore("bank").get(e("n"))).toBeUndefined();
      // Reads while the commit batch is in flight.
      const p = cms.commit();
      expect(str(cms.getStore("bank").get(e("a")))).toBe("2");
      expect(str(cms.getStore("bank").get(e("n")))).toBe("new");
      await p;
      expect([readAll(cms, "a"), readAll(cms, "n")]).toEqual(["2", "new"]);
      // A discarded block leaves the committed values (and the cache) as they were.
      const d = cms.branch();
      d.getStore("bank").delete(e("a"));
      d.getStore("bank").set(e("n"), e("other"));
      d.write();
      cms.workingHash();
      cms.discardPending();
      expect([readAll(cms, "a"), readAll(cms, "n")]).toEqual(["2", "new"]);
      await cms.close();
    });

    test("random workload: a tiny cache, the default cache and no cache read the same values and hashes", async () => {
      const stores = [await open(3), await open(), await open(0)];
      const r = new FixturePrng("vcache");
      const model = new Map<string, string>();
      const keyName = () => `k${r.intn(60)}`;
      for (let v = 1; v <= 15; v++) {
        const writes: [string, string | null][] = [];
        for (let i = 0; i < 25; i++) {
          const k = keyName();
          if (r.intn(4) === 0) writes.push([k, null]);
          else writes.push([k, `v${v}.${i}`]);
        }
        // Reads of random keys before the block (fills the caches with values and absences).
        for (const cms of stores) for (let i = 0; i < 20; i++) cms.getStore("bank").get(e(keyName()));
        const hashes: string[] = [];
        for (const cms of stores) {
          await block(cms, writes);
          hashes.push(Buffer.from(cms.lastCommit.appHash).toString("hex"));
        }
        expect(new Set(hashes).size).toBe(1);
        for (const [k, val] of writes) {
          if (val === null) model.delete(k);
          else model.set(k, val);
        }
        for (let i = 0; i < 60; i++) {
          const k = `k${i}`;
          for (const cms of stores) expect(readAll(cms, k)).toBe(model.get(k));
        }
      }
      for (const cms of stores) await cms.close();
    });

    test("reopen starts cold and reads the committed values", async () => {
      const dir = newDir();
      let cms = (await openMultiStore({ dir, storeNames: ["bank"] })) as RootMultiStore;
      await block(cms, [["a", "1"]]);
      expect(readAll(cms, "a")).toBe("1");
      await block(cms, [["a", null], ["b", "2"]]);
      await cms.close();
      cms = (await openMultiStore({ dir, storeNames: ["bank"] })) as RootMultiStore;
      expect([readAll(cms, "a"), readAll(cms, "b")]).toEqual([undefined, "2"]);
      await cms.close();
    });
  });

  describe("updates of cached keys replace unloaded leaves without reading them", () => {
    /** Tree of store "bank" (a test-only peek at the private field). */
    const bankTree = (cms: RootMultiStore) => (cms as unknown as { stores: Map<string, { tree: { leafLoadsSkipped: number } }> }).stores.get("bank")!.tree;

    test("same AppHash and values as a store that loads every leaf, across reopen, with inserts and deletes", async () => {
      const rng = new FixturePrng("skip-leaf-loads");
      const dirs = [newDir(), newDir()];
      // [0]: value cache on (the hint is used), [1]: value cache off (every leaf loaded as before).
      const opts = (i: number) => ({ dir: dirs[i]!, storeNames: ["bank"], keepRecent: 0, maxCachedValues: i === 0 ? 100_000 : 0 });
      let stores = [await openMultiStore(opts(0)), await openMultiStore(opts(1))] as RootMultiStore[];
      const keys: string[] = [];
      const model = new Map<string, string>();
      const both = async (writes: [string, string | null][]) => {
        for (const [k, v] of writes) if (v === null) model.delete(k); else model.set(k, v);
        for (const s of stores) await block(s, writes);
        expect(Buffer.from(stores[0]!.lastCommit.appHash).toString("hex")).toBe(Buffer.from(stores[1]!.lastCommit.appHash).toString("hex"));
      };
      for (let v = 0; v < 3; v++) {
        const w: [string, string | null][] = [];
        for (let i = 0; i < 1000; i++) {
          const k = `key-${rng.intn(1_000_000)}`;
          keys.push(k);
          w.push([k, `v${v}-${i}`]);
        }
        await both(w);
      }
      for (let round = 0; round < 4; round++) {
        // Reopen: every node is an unloaded stub again, and the value cache is empty.
        for (const s of stores) await s.close();
        stores = [await openMultiStore(opts(0)), await openMultiStore(opts(1))] as RootMultiStore[];
        // Read some keys (as CheckTx/the ante would): they become known to exist (or to be absent).
        const touched = Array.from({ length: 300 }, () => keys[rng.intn(keys.length)]!);
        for (const k of touched) expect(readAll(stores[0]!, k)).toBe(model.get(k));
        const w: [string, string | null][] = [];
        for (const k of touched) w.push([k, rng.intn(5) === 0 ? null : `r${round}-${k}`]); // updates and deletes of read keys
        for (let i = 0; i < 100; i++) {
          const k = `key-${rng.intn(1_000_000)}`; // inserts (and blind updates) of unread keys
          keys.push(k);
          w.push([k, `n${round}-${i}`]);
        }
        const before = bankTree(stores[0]!).leafLoadsSkipped;
        await both(w);
        expect(bankTree(stores[0]!).leafLoadsSkipped).toBeGreaterThan(before + 100);
        expect(bankTree(stores[1]!).leafLoadsSkipped).toBe(0);
      }
      // Every key reads back the same from both stores after a last reopen (the trees are intact).
      for (const s of stores) await s.close();
      stores = [await openMultiStore(opts(0)), await openMultiStore(opts(1))] as RootMultiStore[];
      for (const k of new Set(keys)) {
        const expected = model.get(k);
        expect(str(stores[0]!.viewAt(stores[0]!.lastCommit.version).getStore("bank").get(e(k)))).toBe(expected);
        expect(str(stores[1]!.viewAt(stores[1]!.lastCommit.version).getStore("bank").get(e(k)))).toBe(expected);
      }
      for (const s of stores) await s.close();
    });
  });
});

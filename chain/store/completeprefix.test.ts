/**
 * Complete prefixes of the latest-value cache (InternalStoreOptions.completePrefixes,
 * valuecache.ts `pin`): a key range held whole must answer exactly what the fast index holds —
 * present and absent keys, through every commit, delete, reopen and across the size bound — and
 * must not read LevelDB for a key in the range.
 */
import { RootMultiStore } from "./multistore";
import { FixturePrng, bytesStr, commitBankWrites as block, forEachTreeMode, openStore, tempDirsPerTest, utf8Bytes } from "./testutil";
import { MAX_PINNED, ValueCache } from "./valuecache";

const e = utf8Bytes;
const str = bytesStr;
const newDir = tempDirsPerTest("hg-complete-");
const PINNED = { bank: [e("m/")] };

/** The bank store's cache (a test-only peek at the private field). */
const cacheOf = (cms: RootMultiStore) => (cms as unknown as { stores: Map<string, { committed: ValueCache }> }).stores.get("bank")!.committed;

describe("ValueCache.pin", () => {
  test("a pinned range answers present and absent keys, follows set/delete, is dropped past MAX_PINNED", () => {
    const c = new ValueCache(4);
    expect(c.pin("m/", new Map([["m/a", "1"]]))).toBe(true);
    expect(c.pin("m/x", new Map())).toBe(false); // overlaps
    expect(c.pin("", new Map())).toBe(false); // overlaps everything
    expect([c.get("m/a"), c.get("m/b"), c.get("z")]).toEqual(["1", null, undefined]);
    c.set("m/b", "2");
    c.set("m/a", null);
    for (let i = 0; i < 10; i++) c.set(`k${i}`, "v"); // churn of the bounded part never evicts the range
    expect([c.get("m/a"), c.get("m/b")]).toEqual([null, "2"]);
    expect(() => c.pin("n/", new Map([["m/a", "1"]]))).toThrow();
    const big = new Map<string, string>();
    for (let i = 0; i < MAX_PINNED; i++) big.set(`n/${i}`, "v");
    expect(c.pin("n/", big)).toBe(true);
    expect(c.get("n/none")).toBeNull();
    c.set("n/one-more", "v"); // past the bound: the range is read as usual again
    expect(c.pinned).toEqual(["m/"]);
    expect(c.get("n/none")).toBeUndefined();
    big.set("n/x", "v");
    expect(new ValueCache(4).pin("n/", big)).toBe(false);
  });
});

forEachTreeMode(() => {
  describe("complete prefixes in the multistore", () => {
    test("no LevelDB read for a key in the range; values follow commits and reopen; same AppHash as without", async () => {
      const dirs = [newDir(), newDir()];
      const opts = (i: number) => ({ dir: dirs[i]!, storeNames: ["bank"], keepRecent: 0, ...(i === 0 ? { completePrefixes: PINNED } : {}) });
      let stores = [await openStore(opts(0)), await openStore(opts(1))];
      const rng = new FixturePrng("complete-prefixes");
      const model = new Map<string, string>();
      const keyName = () => (rng.intn(2) === 0 ? `m/${rng.intn(30)}` : `k${rng.intn(30)}`);
      for (let v = 1; v <= 24; v++) {
        if (v % 6 === 0) {
          for (const s of stores) await s.close();
          stores = [await openStore(opts(0)), await openStore(opts(1))];
        }
        // Reads before the block (fill the bounded part with values and absences).
        for (let i = 0; i < 20; i++) {
          const k = keyName();
          expect(stores.map((s) => str(s.getStore("bank").get(e(k))))).toEqual([model.get(k), model.get(k)]);
        }
        const writes: [string, string | null][] = [];
        for (let i = 0; i < 12; i++) writes.push([keyName(), rng.intn(3) === 0 ? null : `v${v}.${i}`]);
        for (const s of stores) await block(s, writes);
        expect(Buffer.from(stores[0]!.lastCommit.appHash).toString("hex")).toBe(Buffer.from(stores[1]!.lastCommit.appHash).toString("hex"));
        for (const [k, val] of writes) if (val === null) model.delete(k); else model.set(k, val);
        expect(cacheOf(stores[0]!).pinned).toEqual(["m/"]);
        const spy = jest.spyOn(stores[0]!.database, "getSync");
        for (let i = 0; i < 30; i++) {
          const k = `m/${i}`;
          expect(str(stores[0]!.getStore("bank").get(e(k)))).toBe(model.get(k));
          expect(str(stores[0]!.branch().getStore("bank").get(e(k)))).toBe(model.get(k));
          expect(str(stores[0]!.query("bank", e(k), 0, false).value)).toBe(model.get(k));
        }
        expect(spy).not.toHaveBeenCalled();
        spy.mockRestore();
        for (let i = 0; i < 30; i++) expect(str(stores[1]!.getStore("bank").get(e(`m/${i}`)))).toBe(model.get(`m/${i}`));
      }
      for (const s of stores) await s.close();
    });

    test("a range over MAX_PINNED at open is read from LevelDB; one that outgrows it is unpinned; values stay right", async () => {
      const dir = newDir();
      const opts = { dir, storeNames: ["bank"], keepRecent: 0, completePrefixes: PINNED };
      let cms = await openStore(opts);
      const many: [string, string][] = [];
      for (let i = 0; i < MAX_PINNED; i++) many.push([`m/${i}`, "x"]);
      await block(cms, many);
      expect(cacheOf(cms).pinned).toEqual(["m/"]);
      await block(cms, [["m/last", "y"]]); // MAX_PINNED + 1 entries
      expect(cacheOf(cms).pinned).toEqual([]);
      expect([str(cms.getStore("bank").get(e("m/last"))), str(cms.getStore("bank").get(e("m/none")))]).toEqual(["y", undefined]);
      await cms.close();
      cms = await openStore(opts);
      expect(cacheOf(cms).pinned).toEqual([]);
      expect(str(cms.getStore("bank").get(e("m/7")))).toBe("x");
      await block(cms, [["m/last", null], ["m/0", null]]);
      await cms.close();
      cms = await openStore(opts); // MAX_PINNED − 1 entries: pinned again
      expect(cacheOf(cms).pinned).toEqual(["m/"]);
      expect([str(cms.getStore("bank").get(e("m/0"))), str(cms.getStore("bank").get(e("m/1")))]).toEqual([undefined, "x"]);
      await cms.close();
    });

    test("an unmounted store name is a StoreError", async () => {
      await expect(openStore({ dir: newDir(), storeNames: ["bank"], completePrefixes: { acc: [e("x")] } })).rejects.toThrow(/not mounted/);
    });
  });
});

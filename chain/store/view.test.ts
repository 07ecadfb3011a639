/**
 * CommitMultiStore.viewAt: read-only views of committed versions (queries, Simulate, export).
 * Latest vs older versions, pending writes invisible, iteration order, write attempts, branches,
 * pruned/future versions, the in-flight commit window and views held across commits.
 */
import { RootMultiStore } from "./multistore";
import { IavlTree } from "./iavl";
import { forEachTreeMode, openStore as openMultiStore } from "./testutil";
import { CommitMultiStore, StoreError } from "./types";
import { tempDir } from "./testutil";

const e = (s: string) => new Uint8Array(Buffer.from(s));
const str = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString());
const pairs = (it: Iterable<readonly [Uint8Array, Uint8Array]>) => [...it].map(([k, v]) => `${str(k)}=${str(v)}`);

let dirs: (() => void)[] = [];
afterEach(() => {
  for (const d of dirs) d();
  dirs = [];
});
function newDir(): string {
  const t = tempDir("hg-view-");
  dirs.push(t.cleanup);
  return t.dir;
}

/** v1: a=1 b=1 c=1; v2: a=2, b deleted, d=2; v3: c=3, e=3 (bank); auth: x=v<n> each version. */
async function threeVersions(opts: { keepRecent?: number; keepEvery?: number } = {}): Promise<RootMultiStore> {
  const cms = (await openMultiStore({ dir: newDir(), storeNames: ["auth", "bank"], keepRecent: opts.keepRecent ?? 0, keepEvery: opts.keepEvery })) as RootMultiStore;
  const blocks: [string, string | null][][] = [
    [["a", "1"], ["b", "1"], ["c", "1"]],
    [["a", "2"], ["b", null], ["d", "2"]],
    [["c", "3"], ["e", "3"]],
  ];
  for (let i = 0; i < blocks.length; i++) {
    const block = cms.branch();
    for (const [k, v] of blocks[i]!) {
      if (v === null) block.getStore("bank").delete(e(k));
      else block.getStore("bank").set(e(k), e(v));
    }
    block.getStore("auth").set(e("x"), e(`v${i + 1}`));
    block.write();
    await cms.commit();
  }
  return cms;
}

forEachTreeMode((arena) => {
  describe("viewAt", () => {
    test("latest and older versions return that version's values and iteration order", async () => {
      const cms = await threeVersions();
      const latest = cms.viewAt(0);
      expect(latest.version).toBe(3);
      expect(pairs(latest.getStore("bank").iterator())).toEqual(["a=2", "c=3", "d=2", "e=3"]);
      expect(pairs(latest.getStore("bank").iterator(undefined, undefined, true))).toEqual(["e=3", "d=2", "c=3", "a=2"]);
      expect(pairs(latest.getStore("bank").iterator(e("b"), e("e")))).toEqual(["c=3", "d=2"]);
      expect(str(latest.getStore("auth").get(e("x")))).toBe("v3");
      expect(cms.viewAt(3).version).toBe(3);

      const v1 = cms.viewAt(1);
      expect(v1.version).toBe(1);
      const b1 = v1.getStore("bank");
      expect([str(b1.get(e("a"))), str(b1.get(e("b"))), str(b1.get(e("c"))), b1.has(e("d"))]).toEqual(["1", "1", "1", false]);
      expect(pairs(b1.iterator())).toEqual(["a=1", "b=1", "c=1"]);
      expect(pairs(b1.prefixIterator(e("b")))).toEqual(["b=1"]);
      expect(str(v1.getStore("auth").get(e("x")))).toBe("v1");

      const b2 = cms.viewAt(2).getStore("bank");
      expect(b2.has(e("b"))).toBe(false);
      expect(pairs(b2.iterator(undefined, undefined, true))).toEqual(["d=2", "c=1", "a=2"]);
      await cms.close();
    });

    test("pending writes (buffered, and applied by workingHash) are invisible; the working view sees them", async () => {
      const cms = await threeVersions();
      const block = cms.branch();
      block.getStore("bank").set(e("a"), e("pending"));
      block.getStore("bank").delete(e("c"));
      block.getStore("bank").set(e("z"), e("new"));
      block.write();
      const check = () => {
        const v = cms.viewAt(0);
        expect(v.version).toBe(3);
        const bank = v.getStore("bank");
        expect(str(bank.get(e("a")))).toBe("2");
        expect(str(bank.get(e("c")))).toBe("3");
        expect(bank.has(e("z"))).toBe(false);
        expect(pairs(bank.iterator())).toEqual(["a=2", "c=3", "d=2", "e=3"]);
        // A branch over the view starts from committed state too.
        expect(str(v.branch().getStore("bank").get(e("a")))).toBe("2");
      };
      check(); // writes buffered in the root's pending layer
      expect(str(cms.getStore("bank").get(e("a")))).toBe("pending");
      cms.workingHash();
      check(); // writes applied to the working tree (unsavedFast), not committed
      expect(str(cms.getStore("bank").get(e("a")))).toBe("pending");
      expect(pairs(cms.getStore("bank").iterator())).toEqual(["a=pending", "d=2", "e=3", "z=new"]);
      await cms.commit();
      expect(str(cms.viewAt(0).getStore("bank").get(e("a")))).toBe("pending");
      expect(str(cms.viewAt(3).getStore("bank").get(e("a")))).toBe("2");
      await cms.close();
    });

    test("writes throw StoreError; a branch buffers writes that never reach the store", async () => {
      const cms = await threeVersions();
      for (const v of [0, 1]) {
        const bank = cms.viewAt(v).getStore("bank");
        expect(() => bank.set(e("a"), e("x"))).toThrow(StoreError);
        expect(() => bank.set(e("a"), e("x"))).toThrow(/read-only/);
        expect(() => bank.delete(e("a"))).toThrow(StoreError);
      }
      const view = cms.viewAt(0);
      const br = view.branch();
      br.getStore("bank").set(e("a"), e("sim"));
      br.getStore("bank").delete(e("c"));
      expect(str(br.getStore("bank").get(e("a")))).toBe("sim");
      expect(pairs(br.getStore("bank").iterator())).toEqual(["a=sim", "d=2", "e=3"]);
      const nested = br.branch();
      nested.getStore("bank").set(e("q"), e("1"));
      nested.write(); // into br only
      expect(br.getStore("bank").has(e("q"))).toBe(true);
      expect(() => br.write()).toThrow(StoreError); // flushing into the read-only view is refused
      expect(str(view.getStore("bank").get(e("a")))).toBe("2");
      expect(str(cms.getStore("bank").get(e("a")))).toBe("2");
      expect(cms.workingHash()).toEqual(cms.lastCommit.appHash); // nothing pending
      expect(() => cms.viewAt(0).getStore("nope")).toThrow(/not mounted/);
      await cms.close();
    });

    test("future, pruned, never-committed and invalid versions give a clear StoreError", async () => {
      const cms = await threeVersions({ keepRecent: 2 });
      // v1 left the keep-recent window at the commit of v3.
      expect(cms.earliestVersion).toBe(2);
      expect(() => cms.viewAt(4)).toThrow(StoreError);
      expect(() => cms.viewAt(4)).toThrow("version 4 is not committed yet (retained versions 2..3)");
      expect(() => cms.viewAt(1)).toThrow("version 1 does not exist: pruned or never committed (retained versions 2..3)");
      expect(() => cms.viewAt(-1)).toThrow(/invalid version -1/);
      expect(() => cms.viewAt(1.5)).toThrow(/invalid version 1.5/);
      expect(str(cms.viewAt(2).getStore("bank").get(e("a")))).toBe("2");
      await cms.close();

      const sparse = await threeVersions({ keepRecent: 1, keepEvery: 1000 });
      const s2 = sparse;
      for (let i = 0; i < 3; i++) {
        s2.getStore("auth").set(e("x"), e(`w${i}`));
        await s2.commit();
      }
      expect(() => s2.viewAt(3)).toThrow(/version 3 does not exist: pruned or never committed \(retained versions 6\.\.6\)/);
      await s2.close();
    });

    test("nothing committed: view 0 is the empty state, pending genesis writes invisible", async () => {
      const cms = await openMultiStore({ dir: newDir(), storeNames: ["bank"] });
      cms.setInitialVersion(5);
      cms.getStore("bank").set(e("g"), e("genesis"));
      cms.workingHash();
      const v = cms.viewAt(0);
      expect(v.version).toBe(0);
      expect(v.getStore("bank").get(e("g"))).toBeUndefined();
      expect(pairs(v.getStore("bank").iterator())).toEqual([]);
      expect(() => cms.viewAt(5)).toThrow(/version 5 is not committed yet \(nothing committed\)/);
      await cms.commit();
      expect(str(cms.viewAt(0).getStore("bank").get(e("g")))).toBe("genesis");
      expect(cms.viewAt(0).version).toBe(5);
      await cms.close();
    });

    test("a view held across commits keeps reading its version (fast index is not trusted once it moved)", async () => {
      const cms = await threeVersions();
      const held = cms.viewAt(0);
      const bank = held.getStore("bank");
      expect(str(bank.get(e("a")))).toBe("2"); // fast index path
      cms.getStore("bank").set(e("a"), e("4"));
      cms.getStore("bank").delete(e("e"));
      await cms.commit(); // the fast index now holds version 4
      expect(str(bank.get(e("a")))).toBe("2");
      expect(bank.has(e("e"))).toBe(true);
      expect(str(held.getStore("bank").get(e("a")))).toBe("2");
      expect(pairs(held.getStore("bank").iterator())).toEqual(["a=2", "c=3", "d=2", "e=3"]);
      expect(str(cms.viewAt(0).getStore("bank").get(e("a")))).toBe("4");
      await cms.close();
    });

    test("a view and its open iterators held past several commits of churn keep reading their version", async () => {
      // In arena mode the latest view reads the arena, whose slots of that version are freed and
      // reused two commits later: reads and open iterators must move to the disk-loaded tree.
      const cms = (await openMultiStore({ dir: newDir(), storeNames: ["bank"], keepRecent: 0 })) as RootMultiStore;
      const key = (i: number) => `k${String(i).padStart(3, "0")}`;
      for (let i = 0; i < 300; i++) cms.getStore("bank").set(e(key(i)), e(`v1.${i}`));
      await cms.commit();
      const model = Array.from({ length: 300 }, (_, i) => `${key(i)}=v1.${i}`);
      const held = cms.viewAt(0).getStore("bank");
      const fwd = held.iterator();
      const rev = held.iterator(undefined, undefined, true);
      const got: string[] = [];
      const gotRev: string[] = [];
      for (let i = 0; i < 10; i++) {
        got.push(pairs([fwd.next().value!])[0]!);
        gotRev.push(pairs([rev.next().value!])[0]!);
      }
      for (let v = 2; v <= 6; v++) {
        for (let i = 0; i < 300; i += 2) cms.getStore("bank").set(e(key(i)), e(`v${v}.${i}`));
        for (let i = 1; i < 300; i += 7) cms.getStore("bank").delete(e(key(i + v)));
        for (let i = 0; i < 50; i++) cms.getStore("bank").set(e(`n${v}.${i}`), e("new"));
        await cms.commit();
        got.push(pairs([fwd.next().value!])[0]!);
        gotRev.push(pairs([rev.next().value!])[0]!);
        expect(str(held.get(e(key(100))))).toBe("v1.100");
        expect(held.get(e(`n${v}.0`))).toBeUndefined();
      }
      for (let r = fwd.next(); !r.done; r = fwd.next()) got.push(pairs([r.value])[0]!);
      for (let r = rev.next(); !r.done; r = rev.next()) gotRev.push(pairs([r.value])[0]!);
      expect(got).toEqual(model);
      expect(gotRev).toEqual([...model].reverse());
      expect(pairs(held.iterator())).toEqual(model);
      if (arena) expect(cms.treeAt("bank", 1)).toBeInstanceOf(IavlTree); // released from the arena: read from disk
      await cms.close();
    });

    test("during an in-flight commit the latest view reads the last committed version", async () => {
      const cms = await threeVersions();
      cms.getStore("bank").set(e("a"), e("new"));
      cms.getStore("bank").set(e("n"), e("new"));
      let seen: unknown;
      cms.beforeWrite = () => {
        // The trees already moved to version 4 in memory; the batch (with the 'f' records) is not on disk.
        const v = cms.viewAt(0);
        const bank = v.getStore("bank");
        seen = { version: v.version, a: str(bank.get(e("a"))), n: bank.has(e("n")), all: pairs(bank.iterator()) };
      };
      await cms.commit();
      cms.beforeWrite = undefined;
      expect(seen).toEqual({ version: 3, a: "2", n: false, all: ["a=2", "c=3", "d=2", "e=3"] });
      expect(str(cms.viewAt(0).getStore("bank").get(e("a")))).toBe("new");
      await cms.close();
    });

    test("latest point reads use the value cache or the fast index (no tree walk) when nothing is in flight", async () => {
      const cms = await threeVersions();
      const db = cms.database;
      const spy = jest.spyOn(db, "getSync");
      const bank = cms.viewAt(0).getStore("bank");
      spy.mockClear();
      expect(str(bank.get(e("c")))).toBe("3");
      // Written by the last commit: answered by the latest-value cache, no LevelDB read at all.
      expect(spy).toHaveBeenCalledTimes(0);
      // A key the cache does not know: one read of the fast index record, nothing else; then cached.
      expect(bank.get(e("zz"))).toBeUndefined();
      expect(spy).toHaveBeenCalledTimes(1);
      expect(bank.get(e("zz"))).toBeUndefined();
      expect(spy).toHaveBeenCalledTimes(1);
      spy.mockClear();
      // An old version walks its tree (loads the root and nodes from LevelDB on first use).
      expect(str(cms.viewAt(1).getStore("bank").get(e("c")))).toBe("1");
      expect(spy.mock.calls.length).toBeGreaterThan(1);
      spy.mockRestore();
      await cms.close();
    });

    test("values agree with query() at every retained version over random churn", async () => {
      const cms: CommitMultiStore = await openMultiStore({ dir: newDir(), storeNames: ["bank"], keepRecent: 0 });
      const model: Map<string, string>[] = [];
      const cur = new Map<string, string>();
      let seed = 7;
      const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
      for (let v = 1; v <= 12; v++) {
        for (let i = 0; i < 40; i++) {
          const k = `k${rnd(60).toString().padStart(2, "0")}`;
          if (rnd(4) === 0) {
            cms.getStore("bank").delete(e(k));
            cur.delete(k);
          } else {
            const val = `${v}.${i}`;
            cms.getStore("bank").set(e(k), e(val));
            cur.set(k, val);
          }
        }
        await cms.commit();
        model[v] = new Map(cur);
      }
      // Leave something pending so the latest view must ignore it.
      cms.getStore("bank").set(e("k00"), e("pending"));
      cms.workingHash();
      for (let v = 1; v <= 12; v++) {
        const bank = cms.viewAt(v).getStore("bank");
        const want = [...model[v]!.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => `${k}=${x}`);
        expect(pairs(bank.iterator())).toEqual(want);
        expect(pairs(bank.iterator(undefined, undefined, true))).toEqual([...want].reverse());
        for (let i = 0; i < 60; i++) {
          const k = e(`k${i.toString().padStart(2, "0")}`);
          expect(str(bank.get(k))).toBe(model[v]!.get(`k${i.toString().padStart(2, "0")}`));
          expect(str(bank.get(k))).toBe(str(cms.query("bank", k, v, false).value));
        }
      }
      await cms.close();
    });
  });
});

/**
 * The latin1 read path (Latin1Read): a read converts its key once and passes the string down
 * message → tx → block branches → root pending → working tree → value cache. Checked against the
 * plain byte path (a parent that hides getLatin1), including the branch write that hands its
 * map to an empty parent, reuse of a branch after write(), and views held across commits.
 */
import { forEachTreeMode, openStore as openMultiStore } from "./testutil";
import { CacheKV } from "./cachekv";
import { Bytes, KVPair, KVStore } from "./types";
import { toHex } from "./encoding";
import { BytesOnly, FixturePrng, tempDirsPerTest } from "./testutil";


const hex = (v: Bytes | undefined) => (v === undefined ? undefined : toHex(v));
const B = (...b: number[]) => new Uint8Array(b);

forEachTreeMode((arena) => {
  describe("latin1 read path", () => {
    const newDir = tempDirsPerTest("hg-readpath-");

    test("a child's write into an empty parent hands its map over; later child writes stay buffered", () => {
      const root = new CacheKV(new BytesOnly(new CacheKV(new BytesOnly(emptyStore()))));
      const parent = new CacheKV(root);
      const child = new CacheKV(parent);
      child.set(B(1), B(10));
      child.write(); // parent was empty: takes the child's map
      expect(hex(parent.get(B(1)))).toBe("0a");
      child.set(B(2), B(20)); // must not land in the parent's (former child) map
      child.delete(B(1));
      expect(parent.has(B(2))).toBe(false);
      expect(hex(parent.get(B(1)))).toBe("0a");
      expect(hex(child.get(B(1)))).toBeUndefined();
      const sibling = new CacheKV(parent);
      sibling.set(B(3), B(30));
      sibling.write(); // parent non-empty now: merged
      expect([...parent.iterator()].map(([k, v]) => [toHex(k), toHex(v)])).toEqual([
        ["01", "0a"],
        ["03", "1e"],
      ]);
      child.write();
      expect([...parent.iterator()].map(([k, v]) => [toHex(k), toHex(v)])).toEqual([
        ["02", "14"],
        ["03", "1e"],
      ]);
      parent.write();
      expect(hex(root.get(B(2)))).toBe("14");
      expect(root.has(B(1))).toBe(false);
    });

    test("nested branches over the root store read the same as the byte path, with fresh value copies", async () => {
      const cms = await openMultiStore({ dir: newDir(), storeNames: ["bank"] });
      const r = new FixturePrng("readpath");
      const key = () => B(r.intn(40));
      const model = new Map<string, string>(); // committed + every applied write
      for (let block = 0; block < 6; block++) {
        const blockBranch = cms.branch();
        const bytesBlock = new CacheKV(new BytesOnly(cms.getStore("bank")));
        for (let tx = 0; tx < 6; tx++) {
          const txB = blockBranch.branch();
          const msgB = txB.branch();
          const s = msgB.getStore("bank");
          for (let op = 0; op < 8; op++) {
            const k = key();
            if (r.intn(3) === 0) {
              s.delete(k);
              bytesBlock.delete(k);
              model.delete(toHex(k));
            } else {
              const v = r.bytes(1 + r.intn(30));
              s.set(k, v);
              bytesBlock.set(k, v);
              model.set(toHex(k), toHex(v));
            }
            for (const store of [s, txB.getStore("bank"), blockBranch.getStore("bank")]) {
              const q = key();
              const got = store.get(q);
              expect(store.has(q)).toBe(got !== undefined);
              if (got !== undefined) {
                const before = toHex(got);
                got.fill(got[0]! ^ 0xff); // a caller may scribble on what it got
                expect(hex(store.get(q))).toBe(before);
              }
            }
            const q = key();
            expect(hex(s.get(q))).toBe(model.get(toHex(q)));
          }
          msgB.write();
          txB.write();
        }
        blockBranch.write();
        for (let i = 0; i < 40; i++) {
          expect(hex(cms.getStore("bank").get(B(i)))).toBe(hex(bytesBlock.get(B(i))));
        }
        if (block % 2 === 0) cms.workingHash(); // the next reads go through the working tree (unsavedFast)
        for (let i = 0; i < 40; i++) expect(hex(cms.branch().getStore("bank").get(B(i)))).toBe(model.get(toHex(B(i))));
        await cms.commit();
        for (let i = 0; i < 40; i++) expect(hex(cms.branch().branch().getStore("bank").get(B(i)))).toBe(model.get(toHex(B(i))));
      }
      await cms.close();
    });

    test("a branch over a committed view held across commits keeps reading its version", async () => {
      const cms = await openMultiStore({ dir: newDir(), storeNames: ["bank"] });
      cms.getStore("bank").set(B(1), B(1));
      cms.workingHash();
      await cms.commit();
      const view = cms.viewAt(0);
      const held = view.branch().getStore("bank");
      expect(hex(held.get(B(1)))).toBe("01"); // fast index
      cms.getStore("bank").set(B(1), B(2));
      cms.workingHash();
      await cms.commit();
      expect(hex(held.get(B(1)))).toBe("01"); // now from the version's tree
      expect(hex(view.getStore("bank").get(B(1)))).toBe("01");
      expect(hex(cms.viewAt(0).branch().getStore("bank").get(B(1)))).toBe("02");
      expect(() => held.get(new Uint8Array(0))).toThrow("empty key");
      await cms.close();
    });
  });

  function emptyStore(): KVStore {
    const m = new Map<string, Bytes>();
    return {
      get: (k) => m.get(toHex(k)),
      has: (k) => m.has(toHex(k)),
      set: (k, v) => void m.set(toHex(k), v),
      delete: (k) => void m.delete(toHex(k)),
      iterator: function* (): IterableIterator<KVPair> {},
      prefixIterator: function* (): IterableIterator<KVPair> {},
    };
  }

  describe("branches without writes share no state", () => {
    const newDir = tempDirsPerTest("hg-branchshare-");
    // Unwritten branches (and branches after write()) share one empty stand-in map: a write must
    // always land in the writer's own map, never in one another branch reads.
    it("writes after write() or into fresh branches stay in their own branch", () => {
      const root = new CacheKV(new CacheKV(new BytesOnly(emptyStore())));
      const a = new CacheKV(root);
      const b = new CacheKV(root);
      const k1 = Uint8Array.of(1);
      const k2 = Uint8Array.of(2);
      a.set(k1, Uint8Array.of(10));
      a.write();
      expect(a.size).toBe(0);
      a.set(k2, Uint8Array.of(20)); // after write(): a new map of a's own
      expect(b.get(k2)).toBeUndefined();
      expect(b.get(k1)).toEqual(Buffer.of(10));
      b.delete(k1);
      expect(a.get(k1)).toEqual(Buffer.of(10));
      expect(new CacheKV(root).size).toBe(0);
      b.write();
      expect(root.get(k1)).toBeUndefined();
      expect(a.get(k2)).toEqual(Buffer.of(20));
      expect(root.get(k2)).toBeUndefined();
    });

    it("a multi-store branch flushes every store it touched, in any order of first use", async () => {
      const cms = await openMultiStore({ dir: newDir(), storeNames: ["bank", "auth", "zeta"] });
      const br = cms.branch();
      for (const n of ["zeta", "auth", "bank", "auth"]) br.getStore(n).set(Buffer.from(n), Buffer.from("v" + n));
      expect(br.getStore("auth")).toBe(br.getStore("auth"));
      br.write();
      for (const n of ["zeta", "auth", "bank"]) expect(Buffer.from(cms.getStore(n).get(Buffer.from(n))!).toString()).toBe("v" + n);
      await cms.close();
    });
  });
});

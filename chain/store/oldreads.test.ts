/**
 * Point reads at old versions borrow the nodes they share with the live tree (IavlTree.getShared):
 * same answers as a plain walk, far fewer LevelDB reads.
 */
import { RootMultiStore } from "./multistore";
import { diskTree, forEachTreeMode, openStore as openMultiStore } from "./testutil";
import type { IavlTree } from "./iavl";
import { FixturePrng, bytesStr, tempDirsPerTest, utf8Bytes } from "./testutil";

const e = utf8Bytes;
const str = bytesStr;
const newDir = tempDirsPerTest("hg-oldreads-");
async function open(): Promise<RootMultiStore> {
  const dir = newDir();
  return (await openMultiStore({ dir, storeNames: ["bank"], keepRecent: 0 })) as RootMultiStore;
}

forEachTreeMode((arena) => {
  describe("old-version point reads", () => {
    test("keys untouched since the version are read from the live tree's nodes, not from LevelDB", async () => {
      const cms = await open();
      const b = cms.branch();
      for (let i = 0; i < 300; i++) b.getStore("bank").set(e(`k${String(i).padStart(3, "0")}`), e(`v1.${i}`));
      b.write();
      await cms.commit();
      const b2 = cms.branch();
      b2.getStore("bank").set(e("k150"), e("v2"));
      b2.getStore("bank").delete(e("k007"));
      b2.write();
      await cms.commit();

      const spy = jest.spyOn(cms.database, "getSync");
      const old = cms.viewAt(1).getStore("bank");
      for (let i = 0; i < 300; i++) expect(str(old.get(e(`k${String(i).padStart(3, "0")}`)))).toBe(`v1.${i}`);
      expect(old.get(e("k999"))).toBeUndefined();
      // Only the nodes version 2 replaced (two root-to-leaf paths: a few inner pages and the two
      // old leaves) come from LevelDB; a plain walk reads all 300 leaves.
      expect(spy.mock.calls.length).toBeLessThan(12);
      spy.mockRestore();
      expect(str(cms.viewAt(2).getStore("bank").get(e("k150")))).toBe("v2");
      expect(cms.viewAt(2).getStore("bank").get(e("k007"))).toBeUndefined();
      await cms.close();
    });

    test("random churn: shared reads equal plain walks of the same version, including after reopen", async () => {
      const dir = newDir();
      let cms = (await openMultiStore({ dir, storeNames: ["bank"], keepRecent: 0 })) as RootMultiStore;
      const r = new FixturePrng("oldreads");
      const keys = Array.from({ length: 120 }, (_, i) => e(`key-${i}`));
      for (let v = 1; v <= 12; v++) {
        const b = cms.branch();
        for (let i = 0; i < 30; i++) {
          const k = keys[r.intn(keys.length)]!;
          if (r.intn(4) === 0) b.getStore("bank").delete(k);
          else b.getStore("bank").set(k, e(`v${v}.${i}`));
        }
        b.write();
        await cms.commit();
      }
      const check = (c: RootMultiStore) => {
        for (let v = 1; v <= 12; v++) {
          const shared = c.treeAt("bank", v);
          const plain = diskTree(c, "bank", v); // no sharing
          expect(v === 12 || arena || (shared as IavlTree).shared !== undefined).toBe(true);
          for (const k of keys) expect(str(shared.get(k))).toBe(str(plain.get(k)));
        }
      };
      check(cms);
      await cms.close();
      cms = (await openMultiStore({ dir, storeNames: ["bank"], keepRecent: 0 })) as RootMultiStore;
      check(cms); // cold: the live tree is stubs too, loaded on demand
      await cms.close();
    });
  });
});

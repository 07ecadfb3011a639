/**
 * Branching: nested write-buffered views, write-back vs discard, and ordered iteration over the
 * merged view (branch writes + root pending + working tree + committed tree), checked against a
 * plain sorted model.
 */
import { forEachTreeMode, openStore as openMultiStore } from "./testutil";
import { CacheMultiStore, KVStore, MultiStoreView } from "./types";
import { prefixEnd, toHex } from "./encoding";
import { FixturePrng, tempDir } from "./testutil";

type Model = Map<string, string>; // hex key -> hex value

function expectSameIteration(store: KVStore, model: Model, r: FixturePrng): void {
  const sorted = [...model.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const keys = sorted.map(([k]) => k);
  const pick = () => (r.intn(3) === 0 || keys.length === 0 ? toHex(r.bytes(1 + r.intn(3))) : keys[r.intn(keys.length)]!);
  for (let i = 0; i < 4; i++) {
    const reverse = r.intn(2) === 1;
    let start: string | undefined = r.intn(4) === 0 ? undefined : pick();
    let end: string | undefined = r.intn(4) === 0 ? undefined : pick();
    if (start !== undefined && end !== undefined && start > end) [start, end] = [end, start];
    let want = sorted.filter(([k]) => (start === undefined || k >= start) && (end === undefined || k < end));
    if (reverse) want = [...want].reverse();
    const got = [...store.iterator(start === undefined ? undefined : Buffer.from(start, "hex"), end === undefined ? undefined : Buffer.from(end, "hex"), reverse)].map(
      ([k, v]) => [toHex(k), toHex(v)],
    );
    expect(got).toEqual(want);
  }
  // Prefix iteration with a one-byte prefix (hex compare works: prefix of hex = prefix of bytes).
  const prefix = r.bytes(1);
  const ph = toHex(prefix);
  const end = prefixEnd(prefix);
  expect(end === undefined || toHex(end) > ph).toBe(true);
  const want = sorted.filter(([k]) => k.startsWith(ph));
  expect([...store.prefixIterator(prefix)].map(([k, v]) => [toHex(k), toHex(v)])).toEqual(want);
  expect([...store.prefixIterator(prefix, true)].map(([k, v]) => [toHex(k), toHex(v)])).toEqual([...want].reverse());
}

forEachTreeMode((arena) => {
  describe("branches and merged iteration", () => {
    let cleanup: () => void;
    let dir: string;
    beforeEach(() => {
      ({ dir, cleanup } = tempDir("hg-branch-"));
    });
    afterEach(() => cleanup());

    test("nested branches: write-back on success, discard on failure, reads and iteration match a model", async () => {
      const cms = await openMultiStore({ dir, storeNames: ["bank", "market"] });
      const r = new FixturePrng("branches");
      // Small key space (1-3 bytes over 6 symbols) so sets, deletes and overlaps collide often.
      const randKey = () => Uint8Array.from(r.bytes(1 + r.intn(3)), (b) => [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff][b % 6]!);
      let committed: Model = new Map();
      for (let block = 0; block < 8; block++) {
        // One model per nesting level: block -> tx -> msg.
        const levels: { view: MultiStoreView; model: Model }[] = [{ view: cms, model: new Map(committed) }];
        const blockBranch = cms.branch();
        levels.push({ view: blockBranch, model: new Map(committed) });
        for (let tx = 0; tx < 8; tx++) {
          const txBranch = blockBranch.branch();
          const txModel = new Map(levels[1]!.model);
          for (let msg = 0; msg < 3; msg++) {
            const msgBranch = txBranch.branch();
            const msgModel = new Map(txModel);
            for (let op = 0; op < 10; op++) {
              const k = randKey();
              const s = msgBranch.getStore("bank");
              if (r.intn(3) === 0) {
                s.delete(k);
                msgModel.delete(toHex(k));
              } else {
                const v = r.bytes(1 + r.intn(4));
                s.set(k, v);
                msgModel.set(toHex(k), toHex(v));
              }
              const got = s.get(k);
              expect(got === undefined ? undefined : toHex(got)).toBe(msgModel.get(toHex(k)));
            }
            expectSameIteration(msgBranch.getStore("bank"), msgModel, r);
            expectSameIteration(txBranch.getStore("bank"), txModel, r); // parent unaffected so far
            if (r.intn(4) !== 0) {
              msgBranch.write();
              for (const [k] of txModel) if (!msgModel.has(k)) txModel.delete(k);
              for (const [k, v] of msgModel) txModel.set(k, v);
            } // else: dropped
            expectSameIteration(txBranch.getStore("bank"), txModel, r);
          }
          if (r.intn(3) !== 0) {
            txBranch.write();
            levels[1]!.model = txModel;
          }
          expectSameIteration(blockBranch.getStore("bank"), levels[1]!.model, r);
          expectSameIteration(cms.getStore("bank"), committed, r); // root untouched until block.write()
        }
        blockBranch.write();
        committed = levels[1]!.model;
        expectSameIteration(cms.getStore("bank"), committed, r); // root pending over the tree
        cms.workingHash();
        expectSameIteration(cms.getStore("bank"), committed, r); // applied to the working tree
        await cms.commit();
        expectSameIteration(cms.getStore("bank"), committed, r); // committed tree
        expectSameIteration(cms.branch().getStore("bank"), committed, r);
      }
      expect(committed.size).toBeGreaterThan(20);
      await cms.close();
    });

    test("a discarded branch leaves no trace in reads, the AppHash or the commit", async () => {
      const cms = await openMultiStore({ dir, storeNames: ["bank", "market"] });
      const e = (s: string) => Buffer.from(s);
      cms.getStore("bank").set(e("a"), e("1"));
      const base = await cms.commit();

      const block = cms.branch();
      const failedTx: CacheMultiStore = block.branch();
      failedTx.getStore("bank").set(e("a"), e("2"));
      failedTx.getStore("bank").delete(e("a"));
      failedTx.getStore("market").set(e("m"), e("x"));
      const nested = failedTx.branch();
      nested.getStore("bank").set(e("z"), e("z"));
      nested.write(); // into failedTx only
      // failedTx is dropped: never written.
      expect(block.getStore("bank").get(e("a"))).toEqual(e("1"));
      expect([...block.getStore("market").iterator()]).toEqual([]);
      block.write();
      expect(toHex(cms.workingHash())).toBe(toHex(base.appHash));
      const c = await cms.commit();
      expect(toHex(c.appHash)).toBe(toHex(base.appHash));
      expect([...cms.getStore("bank").iterator()].map(([k, v]) => [Buffer.from(k).toString(), Buffer.from(v).toString()])).toEqual([["a", "1"]]);
      await cms.close();
    });

    test("callers reusing their buffers after set() do not change stored data", async () => {
      const cms = await openMultiStore({ dir, storeNames: ["bank"] });
      const k = Buffer.from("key");
      const v = Buffer.from("value");
      const b = cms.branch();
      b.getStore("bank").set(k, v);
      k[0] = 0x41;
      v[0] = 0x41;
      b.write();
      await cms.commit();
      expect(cms.getStore("bank").get(Buffer.from("key"))?.toString()).toBe("value");
      await cms.close();
    });
  });
});

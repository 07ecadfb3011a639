/**
 * Warm-up at open (README "Round 7"): the top levels of each live tree are loaded and an arena is
 * pre-sized, without changing any read, AppHash or byte written; a node that fails to load leaves
 * the store openable and the read that needs it raises the usual StoreError.
 */
import { NodeArena } from "./arena";
import { reserveFor } from "./storetree";
import { forEachTreeMode, openStore, tempDirsPerTest, utf8Bytes, bytesStr } from "./testutil";
import { StoreError } from "./types";
import { TAG_NODE } from "./nodedb";
import { toHex } from "./encoding";

const e = utf8Bytes;
const newDir = tempDirsPerTest("hg-warm-");

/** 3 versions of writes over 2,000 keys (with updates and deletes) in two stores. */
async function build(dir: string): Promise<void> {
  const cms = await openStore({ dir, storeNames: ["auth", "bank"], warmUpDepth: 0 });
  for (let v = 0; v < 3; v++) {
    for (let i = v * 300; i < 2000; i += 1 + v) {
      cms.getStore("bank").set(e(`b${i}`), e(`v${v}-${i}`));
      if (i % 3 === 0) cms.getStore("auth").set(e(`a${i}`), e(`acct${i}`));
    }
    if (v === 2) for (let i = 0; i < 100; i++) cms.getStore("bank").delete(e(`b${i * 7}`));
    await cms.commit();
  }
  await cms.close();
}

/** Everything a block sees after reopening: values, iteration, then the AppHash and version of more writes. */
async function afterReopen(dir: string, warmUpDepth: number): Promise<string[]> {
  const cms = await openStore({ dir, storeNames: ["auth", "bank"], warmUpDepth });
  const out: string[] = [];
  for (let i = 0; i < 2000; i += 37) out.push(String(bytesStr(cms.getStore("bank").get(e(`b${i}`)))));
  let n = 0;
  for (const [k] of cms.viewAt(0).getStore("auth").iterator()) if (n++ % 50 === 0) out.push(String(bytesStr(k)));
  for (let i = 0; i < 2000; i += 5) cms.getStore("bank").set(e(`b${i}`), e(`w${i}`));
  cms.getStore("auth").delete(e("a9"));
  const { version } = await cms.commit();
  out.push(`${version} ${toHex(cms.lastCommit.appHash)}`);
  await cms.close();
  return out;
}

forEachTreeMode((arena) => {
  describe("warm-up at open", () => {
    test("loads the top levels only, pre-sizes the arena, and changes no result", async () => {
      const dir = newDir();
      await build(dir);
      let cms = await openStore({ dir, storeNames: ["auth", "bank"], warmUpDepth: 5 });
      const w = cms.openStats.stores;
      expect(w.bank!.loaded).toBe(31); // 2^5 − 1 nodes: the tree is deeper than 5 levels
      expect(w.auth!.loaded).toBe(31);
      expect(w.bank!.leaves).toBe(1900);
      expect(w.bank!.reserved).toBe(arena ? 1024 : 0);
      expect(w.bank!.failed).toBeUndefined();
      await cms.close();
      cms = await openStore({ dir, storeNames: ["auth", "bank"], warmUpDepth: 0 });
      expect(cms.openStats.stores.bank!.loaded).toBe(0);
      await cms.close();

      // Same reads, iteration and AppHash without a warm-up, with a partial one and a whole-tree one.
      const copies = [newDir(), newDir()];
      const { cpSync } = await import("node:fs");
      for (const c of copies) cpSync(dir, c, { recursive: true });
      const none = await afterReopen(dir, 0);
      expect(await afterReopen(copies[0]!, 5)).toEqual(none);
      expect(await afterReopen(copies[1]!, 40)).toEqual(none);
    });

    test("a corrupt node near the root: the store opens and the read that needs it raises StoreError naming version and key", async () => {
      const dir = newDir();
      await build(dir);
      // Corrupt every inner page of version 1 of "bank" (the lower levels of the latest tree).
      const { Level } = await import("level");
      const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
      const prefix = Buffer.concat([Buffer.from([TAG_NODE, 4]), Buffer.from("bank")]);
      let corrupted = 0;
      for await (const [k, v] of db.iterator({ gte: prefix, lt: Buffer.concat([prefix, Buffer.from([0xff])]) })) {
        const kb = Buffer.from(k);
        if (kb.readUInt32BE(kb.length - 12 + 4) !== 1 || kb.readUInt32BE(kb.length - 4) >= 0x80000000) continue; // version 1 pages only
        const bad = Uint8Array.from(v);
        bad[bad.length - 6] ^= 0x01;
        await db.put(k, bad);
        corrupted++;
      }
      await db.close();
      expect(corrupted).toBeGreaterThan(0);

      const cms = await openStore({ dir, storeNames: ["auth", "bank"], warmUpDepth: 40 });
      expect(cms.openStats.stores.bank!.failed).toMatch(/corrupt/);
      expect(cms.openStats.stores.auth!.failed).toBeUndefined();
      let err: unknown;
      try {
        for (let i = 0; i < 2000; i++) cms.query("bank", e(`b${i}`), 0, true);
      } catch (x) {
        err = x;
      }
      expect(err).toBeInstanceOf(StoreError);
      expect((err as Error).message).toMatch(/corrupt/);
      expect((err as Error).message).toMatch(/node \(version 1, nonce/);
      expect((err as Error).message).toMatch(/key 62/);
      await cms.close();
    });
  });
});

describe("arena reserve", () => {
  test("reserveFor: half the leaves as a power of two, within [1024, min(maxSlots, 2^20)]", () => {
    expect(reserveFor(0, 4_000_000)).toBe(1024);
    expect(reserveFor(1900, 4_000_000)).toBe(1024);
    expect(reserveFor(1_010_014, 4_000_000)).toBe(524_288);
    expect(reserveFor(20_000_000, 4_000_000)).toBe(1_048_576); // MAX_RESERVED_SLOTS
    expect(reserveFor(20_000_000, 300_000)).toBe(300_000);
    expect(reserveFor(1_000_000, 100)).toBe(1024);
  });

  test("NodeArena.reserve keeps records, keys and values and grows no more up to the reserve", () => {
    const a = new NodeArena(64);
    const slots: number[] = [];
    for (let i = 0; i < 100; i++) slots.push(a.alloc(`k${i}`, i % 2 === 0 ? `v${i}` : undefined, i % 2, i));
    a.reserve(5000);
    expect(a.capacity).toBe(5000);
    for (let i = 0; i < 100; i++) {
      const s = slots[i]!;
      expect([a.keys[s], a.vals[s], a.height(s), a.size(s)]).toEqual([`k${i}`, i % 2 === 0 ? `v${i}` : undefined, i % 2, i]);
    }
    const buf = a.u8.buffer;
    for (let i = 100; i < 4999; i++) a.alloc(`k${i}`, undefined, 0, 1);
    expect(a.u8.buffer).toBe(buf); // no growth (copy) up to the reserve
    a.reserve(10); // never shrinks
    expect(a.capacity).toBe(5000);
    expect(a.keys[slots[7]!]).toBe("k7");
  });
});


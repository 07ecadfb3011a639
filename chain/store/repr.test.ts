/**
 * In-memory representation details that must not change results: keys and values held as latin1
 * strings (one char per byte, so string order must be unsigned byte order), nonces held as small
 * integers, and branches keeping copies of what callers wrote.
 */
import { IavlTree, LEAF_NONCE_BASE, Node } from "./iavl";
import { CacheKV } from "./cachekv";
import { compareBytes } from "./encoding";
import { RootMultiStore } from "./multistore";
import { tempDirsPerTest } from "./testutil";

const newDir = tempDirsPerTest("hg-repr-");

const b = (...xs: number[]) => new Uint8Array(xs);

test("keys with bytes 0x00..0xff order, get and remove like byte strings", () => {
  const keys = [b(0xff), b(0x80), b(0x7f), b(0x00), b(0x80, 0x00), b(0xc3, 0xa9), b(0x01, 0xff), b(0xff, 0xff, 0x00)];
  const t = new IavlTree(undefined);
  keys.forEach((k, i) => t.set(k, b(i + 1)));
  const sorted = [...keys].sort(compareBytes);
  expect([...t.iterate(undefined, undefined, false)].map(([k]) => Buffer.from(k).toString("hex"))).toEqual(sorted.map((k) => Buffer.from(k).toString("hex")));
  expect([...t.iterate(b(0x7f), b(0xc3, 0xa9), false)].map(([k]) => Buffer.from(k).toString("hex"))).toEqual(["7f", "80", "8000"]);
  keys.forEach((k, i) => expect(t.get(k)).toEqual(Buffer.from([i + 1])));
  expect(t.getWithIndex(b(0x80, 0x00))[0]).toBe(sorted.findIndex((k) => compareBytes(k, b(0x80, 0x00)) === 0));
  expect(t.remove(b(0x80))).toBe(true);
  expect(t.get(b(0x80))).toBeUndefined();
  expect(t.get(b(0x80, 0x00))).toEqual(Buffer.from([5]));
});

test("Node.nonce round-trips inner, leaf and edge nonces", () => {
  const n = Node.stubH(1, 0, "h".repeat(32));
  for (const x of [0, 1, 64, 2 ** 30 - 1, 2 ** 30, LEAF_NONCE_BASE - 1, LEAF_NONCE_BASE, LEAF_NONCE_BASE + 1, LEAF_NONCE_BASE + 123456, 2 ** 32 - 1]) {
    n.nonce = x;
    expect(n.nonce).toBe(x);
  }
  expect(Node.stubH(3, LEAF_NONCE_BASE + 7, "h".repeat(32)).nonce).toBe(LEAF_NONCE_BASE + 7);
});

test("branches keep copies: callers may reuse their key and value buffers after set()", () => {
  const parent = new CacheKV({
    get: () => undefined,
    has: () => false,
    set: () => undefined,
    delete: () => undefined,
    iterator: () => [][Symbol.iterator](),
    prefixIterator: () => [][Symbol.iterator](),
  });
  const kv = new CacheKV(parent);
  const k = b(1, 2, 3);
  const v = b(9, 9);
  kv.set(k, v);
  k[0] = 7;
  v[0] = 0;
  expect(kv.get(b(1, 2, 3))).toEqual(Buffer.from([9, 9]));
  expect(kv.has(b(7, 2, 3))).toBe(false);
  const got = kv.get(b(1, 2, 3))!;
  got[0] = 5; // a caller scribbling on a returned value does not change the store
  expect(kv.get(b(1, 2, 3))).toEqual(Buffer.from([9, 9]));
  kv.delete(b(1, 2, 3));
  expect(kv.has(b(1, 2, 3))).toBe(false);
  kv.write();
  expect(parent.has(b(1, 2, 3))).toBe(false);
});

test("multistore: written bytes 0x00..0xff come back the same after workingHash, commit and reopen", async () => {
  {
    const dir = newDir();
    const all = new Uint8Array(256).map((_, i) => i);
    let cms = await RootMultiStore.open({ dir, storeNames: ["s"] });
    const s = cms.getStore("s");
    s.set(all.subarray(128), all);
    s.set(all.subarray(0, 128), all.subarray(100, 200));
    cms.workingHash();
    expect(s.get(all.subarray(128))).toEqual(Buffer.from(all));
    const { appHash } = await cms.commit();
    expect(cms.getStore("s").get(all.subarray(0, 128))).toEqual(Buffer.from(all.subarray(100, 200)));
    await cms.close();
    cms = await RootMultiStore.open({ dir, storeNames: ["s"] });
    expect(cms.lastCommit.appHash).toEqual(appHash);
    expect(cms.getStore("s").get(all.subarray(128))).toEqual(Buffer.from(all));
    expect([...cms.getStore("s").iterator()].map(([k]) => k[0])).toEqual([0, 128]);
    await cms.close();
  }
});

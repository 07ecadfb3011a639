/**
 * nodedb.ts: the arena's node-body decoder against IavlTree's (same fields, same errors, nothing
 * changed on error) over valid and damaged bodies, and the loader's bounded page cache.
 */
import { NodeArena } from "./arena";
import { IavlTree, LEAF_NONCE_BASE, Node } from "./iavl";
import { DbNodeLoader, decodeBodyIntoSlot, decodeNodeInto, NodeWriter, StoreKeys, SyncReader } from "./nodedb";
import { putUvarint } from "./encoding";
import { FixturePrng, bytesStr, openStore, tempDirsPerTest, utf8Bytes } from "./testutil";

function body(kind: number, height: number, size: number, key: string, rest: number[]): Uint8Array {
  const out = new Uint8Array(64 + key.length + rest.length);
  out[0] = kind;
  let pos = putUvarint(out, 1, height);
  pos = putUvarint(out, pos, size);
  pos = putUvarint(out, pos, key.length);
  for (let i = 0; i < key.length; i++) out[pos++] = key.charCodeAt(i);
  out.set(rest, pos);
  return out.slice(0, pos + rest.length);
}

function kid(seed: number, version: number, nonce: number): number[] {
  const h = Array.from({ length: 32 }, (_, i) => (seed * 31 + i * 7) & 0xff);
  const v = new Uint8Array(20);
  let pos = putUvarint(v, 0, version);
  pos = putUvarint(v, pos, nonce);
  return [...h, ...v.subarray(0, pos)];
}

/** Outcome of IavlTree's decoder: fields or the error message. */
function viaNode(b: Uint8Array): string {
  const n = Node.stub(1, 1, new Uint8Array(32));
  try {
    decodeNodeInto(n, b);
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
  if (n.height > 127) return "error: bad inner header"; // the arena's int8 bound
  const kids = n.height === 0 ? "" : `${n.left!.version}/${n.left!.nonce}/${Buffer.from(n.left!.h!, "latin1").toString("hex")} ${n.right!.version}/${n.right!.nonce}/${Buffer.from(n.right!.h!, "latin1").toString("hex")}`;
  return `${n.height} ${n.size} ${JSON.stringify(n.k)} ${JSON.stringify(n.v ?? null)} ${kids}`;
}

/** Outcome of the arena's decoder; checks that an error leaves the arena unchanged. */
function viaSlot(b: Uint8Array): string {
  const a = new NodeArena(64);
  const s = a.allocStub(1, 1, new Uint8Array(32), 0);
  const before = [a.allocs, a.height(s), a.keys[s], a.vals[s], a.left(s), a.right(s)];
  try {
    decodeBodyIntoSlot(a, s, b);
  } catch (e) {
    expect([a.allocs, a.height(s), a.keys[s], a.vals[s], a.left(s), a.right(s)]).toEqual(before);
    return `error: ${(e as Error).message}`;
  }
  const k = (c: number) => `${a.version(c)}/${a.nonce(c)}/${Buffer.from(a.hashBytes(c)).toString("hex")}`;
  const kids = a.height(s) === 0 ? "" : `${k(a.left(s))} ${k(a.right(s))}`;
  return `${a.height(s)} ${a.size(s)} ${JSON.stringify(a.keys[s])} ${JSON.stringify(a.vals[s] ?? null)} ${kids}`;
}

describe("decodeBodyIntoSlot", () => {
  const valid = [
    body(0, 0, 1, "key\x00\xff", [1, 2, 255]),
    body(0, 0, 1, "", []),
    body(1, 3, 7, "mid", [...kid(1, 5, 9), ...kid(2, 300, LEAF_NONCE_BASE + 5)]),
    body(1, 1, 2, "k".repeat(200), [...kid(3, 2 ** 40, 70000), ...kid(4, 1, 1)]),
    body(1, 127, 2 ** 40, "x", [...kid(5, 1, 1), ...kid(6, 1, 1)]),
  ];

  test("valid bodies: the same fields as IavlTree's decoder", () => {
    for (const b of valid) {
      const r = viaSlot(b);
      expect(r).not.toMatch(/^error/);
      expect(r).toBe(viaNode(b));
    }
  });

  test("damaged bodies (truncated, bad kind/header, trailing bytes, random flips): the same error, nothing changed", () => {
    const cases: Uint8Array[] = [
      body(2, 0, 1, "k", []),
      body(0, 1, 1, "k", []),
      body(0, 0, 2, "k", []),
      body(1, 0, 2, "k", [...kid(1, 1, 1), ...kid(2, 1, 1)]),
      body(1, 128, 2, "k", [...kid(1, 1, 1), ...kid(2, 1, 1)]),
      body(1, 1, 1, "k", [...kid(1, 1, 1), ...kid(2, 1, 1)]),
      body(1, 1, 2, "k", [...kid(1, 1, 1), ...kid(2, 1, 1), 0]),
      new Uint8Array([0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 1]),
      new Uint8Array([0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
      new Uint8Array([1]),
    ];
    for (const b of valid) for (let cut = 0; cut < b.length; cut += 3) cases.push(b.subarray(0, cut));
    const rng = new FixturePrng("nodedb-bodies");
    for (let i = 0; i < 400; i++) {
      const b = Uint8Array.from(valid[i % valid.length]!);
      b[rng.intn(b.length)] ^= 1 + rng.intn(255);
      cases.push(b);
    }
    let errors = 0;
    for (const b of cases) {
      const r = viaSlot(b);
      expect(r).toBe(viaNode(b));
      if (r.startsWith("error")) errors++;
    }
    expect(errors).toBeGreaterThan(40);
  });
});

describe("DbNodeLoader page cache", () => {
  test("bounded FIFO of pages: re-reads only evicted pages, loads the same nodes", () => {
    // A saved tree of 3,000 leaves: ~47 inner pages of version 1.
    const tree = new IavlTree(undefined);
    for (let i = 0; i < 3000; i++) tree.set(Buffer.from(`key${i}`), Buffer.from(`val${i}`));
    const records = new Map<string, Uint8Array>();
    const keys = new StoreKeys("s");
    const writer = new NodeWriter(keys, { put: (k, v) => records.set(Buffer.from(k).toString("hex"), Uint8Array.from(v)) });
    tree.saveVersion((n) => writer.add(n));
    writer.finish(1);
    let reads = 0;
    const db: SyncReader = {
      getSync: (k) => {
        reads++;
        return records.get(Buffer.from(k).toString("hex"));
      },
    };
    const walkAll = (loader: DbNodeLoader): string[] => {
      const t = new IavlTree(loader, Node.stub(tree.root!.version, tree.root!.nonce, Buffer.from(tree.root!.h!, "latin1")), 1);
      const out: string[] = [];
      for (const [k, v] of t.iterate(undefined, undefined, false)) out.push(`${Buffer.from(k)}=${Buffer.from(v)}`);
      return out;
    };
    const big = new DbNodeLoader(db, keys);
    const all = walkAll(big);
    expect(all.length).toBe(3000);
    const pages = reads - 3000; // one read per leaf record, the rest are pages
    expect(pages).toBeGreaterThan(40);
    expect(pages).toBeLessThan(60); // each page read once: nothing evicted
    reads = 0;
    const small = new DbNodeLoader(db, keys, 2);
    expect(walkAll(small)).toEqual(all);
    expect(reads - 3000).toBeGreaterThan(pages); // 2 pages held: some pages read again
    reads = 0;
    expect(walkAll(small)).toEqual(all); // same nodes after evictions
  });
});

describe("DbNodeLoader page keys around version 2^28 (number keys below, strings above)", () => {
  const newDir = tempDirsPerTest("hg-nodedb-");
  test("pages of versions 2^28 − 1 and 2^28 never mix up", async () => {
    const dir = newDir();
    const v0 = 2 ** 28 - 1;
    let cms = await openStore({ dir, storeNames: ["s"], warmUpDepth: 0 });
    cms.setInitialVersion(v0);
    for (let i = 0; i < 600; i++) cms.getStore("s").set(utf8Bytes(`k${i}`), utf8Bytes(`a${i}`));
    expect((await cms.commit()).version).toBe(v0);
    for (let i = 0; i < 600; i += 2) cms.getStore("s").set(utf8Bytes(`k${i}`), utf8Bytes(`b${i}`));
    expect((await cms.commit()).version).toBe(v0 + 1);
    await cms.close();
    cms = await openStore({ dir, storeNames: ["s"], warmUpDepth: 0 });
    // Proofs walk the trees (pages of both versions in one loader's cache), old version first.
    for (const v of [v0, v0 + 1]) {
      for (let i = 0; i < 600; i++) {
        const q = cms.query("s", utf8Bytes(`k${i}`), v, true);
        expect(bytesStr(q.value)).toBe(v === v0 || i % 2 === 1 ? `a${i}` : `b${i}`);
      }
    }
    await cms.close();
  });
});

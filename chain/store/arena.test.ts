/**
 * ArenaTree (nodes in a typed-array arena) against the Go fixtures and against IavlTree: same
 * roots, sizes, proof bytes, node records, orphan records and reads; slot reuse never lets a
 * reader see a reused slot.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NodeArena } from "./arena";
import { ArenaTree } from "./arenatree";
import { ArenaNodeWriter } from "./arenawriter";
import { ArenaHashWorker } from "./arenahash";
import { IavlTree, Node } from "./iavl";
import { DbNodeLoader, NodeWriter, StoreKeys } from "./nodedb";
import { encodeProof, iavlProof } from "./proofs";
import { fromHex, toHex } from "./encoding";
import { StoreError } from "./types";
import { FixturePrng, applyTreeHashOps, randomSequenceOps } from "./testutil";

const FIXTURES = join(__dirname, "../../test/fixtures");
const load = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), "utf8"));
const hex = (b: Uint8Array | undefined) => (b === undefined ? undefined : toHex(b));
const k = (s: string) => Buffer.from(s);
const sorted = (a: string[]) => [...a].sort();

describe("ArenaTree vs Go cosmos/iavl", () => {
  test("TestTreeHash: 4 versions x 4096 ops give Go's golden roots", () => {
    const fx = load("iavl-treehash.json") as { versions: { ops: string; root: string }[] };
    const tree = new ArenaTree();
    for (const v of fx.versions) {
      applyTreeHashOps(tree, v.ops);
      expect(toHex(tree.saveVersion())).toBe(v.root);
    }
  });

  test("empty tree and one key", () => {
    expect(toHex(new ArenaTree().saveVersion())).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const t = new ArenaTree();
    t.set(Buffer.from("a"), Buffer.from("1"));
    expect(toHex(t.saveVersion())).toBe("bbe33cd0a785b97b9fb1f964aa71159dacd9e0ade84df7403dc0f9dc24818404");
  });

  const fixtures = (load("iavl-random.json") as {
    sequences: {
      seed: string;
      initialVersion: number;
      firstInserts: number;
      opsPerVersion: number;
      versions: number;
      sorted: boolean;
      roots: string[];
      sizes: number[];
      proofs: { version: number; key: string; exists: boolean; proof: string }[];
    }[];
  }).sequences;

  for (const fx of fixtures) {
    test(`random sequence ${fx.seed}: roots, sizes and proof bytes equal Go`, () => {
      const tree = new ArenaTree({ keepVersions: Infinity });
      tree.initialVersion = fx.initialVersion;
      const roots = new Map<number, number>();
      let i = 0;
      for (const ops of randomSequenceOps(fx)) {
        if (fx.sorted) {
          const last = new Map<string, Uint8Array | null>();
          for (const op of ops) last.set(Buffer.from(op.key).toString("latin1"), op.value);
          for (const k of [...last.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
            const v = last.get(k)!;
            if (v === null) tree.remove(Buffer.from(k, "latin1"));
            else tree.set(Buffer.from(k, "latin1"), v);
          }
        } else {
          for (const op of ops) {
            if (op.value === null) expect(tree.remove(op.key)).toBe(true);
            else tree.set(op.key, op.value);
          }
        }
        const root = toHex(tree.saveVersion());
        expect({ version: tree.version, root, size: tree.size }).toEqual({ version: fx.initialVersion + i, root: fx.roots[i], size: fx.sizes[i] });
        roots.set(tree.version, tree.root);
        i++;
      }
      expect(i).toBe(fx.versions);
      for (const p of fx.proofs) {
        const t = tree.view(roots.get(p.version)!, p.version);
        expect(toHex(encodeProof(iavlProof(t, fromHex(p.key))))).toBe(p.proof);
      }
    });
  }
});

/** Records a writer hands to its sink, as hex pairs in order. */
function recorder(): { put(k: Uint8Array, v: Uint8Array): void; out: string[] } {
  const out: string[] = [];
  return { out, put: (k, v) => out.push(`${toHex(k)}=${toHex(v)}`) };
}

/** Keys over the whole byte range (latin1 order = byte order), some sharing prefixes. */
function randomKey(r: FixturePrng): Uint8Array {
  return r.bytes(1 + r.intn(r.intn(4) === 0 ? 80 : 6));
}

describe("ArenaTree vs IavlTree", () => {
  test("random churn: same roots, node records, orphan records, reads, iteration and proofs per version", () => {
    const r = new FixturePrng("arena-churn");
    const ref = new IavlTree(undefined);
    const t = new ArenaTree({ keepVersions: 3 });
    const keysA = new StoreKeys("bank");
    const live: Uint8Array[] = [];
    for (let v = 1; v <= 30; v++) {
      const n = v === 1 ? 500 : 20 + r.intn(200);
      for (let i = 0; i < n; i++) {
        const x = r.intn(10);
        if (x < 3 && live.length > 0) {
          const j = r.intn(live.length);
          const k = live[j]!;
          live[j] = live[live.length - 1]!;
          live.pop();
          expect(t.remove(k)).toBe(ref.remove(k));
        } else if (x < 6 && live.length > 0) {
          const k = live[r.intn(live.length)]!;
          const val = r.bytes(1 + r.intn(r.intn(8) === 0 ? 5000 : 40));
          expect(t.set(k, val)).toBe(ref.set(k, val));
        } else {
          const k = randomKey(r);
          const val = r.bytes(1 + r.intn(40));
          const updated = ref.set(k, val);
          expect(t.set(k, val)).toBe(updated);
          if (!updated) live.push(k);
        }
        if (x === 9 && r.intn(4) === 0) {
          // Usually absent: both must say so and change nothing.
          const k = r.bytes(3);
          const had = ref.remove(k);
          expect(t.remove(k)).toBe(had);
          if (had) live.splice(live.findIndex((l) => toHex(l) === toHex(k)), 1);
        }
      }
      if (v % 7 === 3) {
        // Hash mid-version, then more writes: rehashing must see the new writes.
        expect(hex(t.workingHash())).toBe(hex(ref.workingHash()));
        const k = randomKey(r);
        const val = r.bytes(9);
        if (!ref.set(k, val)) live.push(k);
        t.set(k, val);
      }
      expect(hex(t.encodedOrphans())).toBe(hex(ref.encodedOrphans()));
      const a = recorder();
      const b = recorder();
      const wa = new NodeWriter(keysA, a);
      const wb = new ArenaNodeWriter(t.arena, keysA, b);
      const ha = ref.saveVersion((node: Node) => wa.add(node));
      const hb = t.saveVersion((s) => wb.add(s));
      expect(wb.finish(t.version)).toBe(wa.finish(ref.version));
      expect(hex(hb)).toBe(hex(ha));
      expect(b.out).toEqual(a.out);
      expect(t.size).toBe(ref.size);
      expect(t.size).toBe(live.length);
      // Reads and proofs of present and absent keys.
      for (let i = 0; i < 20; i++) {
        const k = i % 2 === 0 && live.length > 0 ? live[r.intn(live.length)]! : randomKey(r);
        expect(hex(t.get(k))).toBe(hex(ref.get(k)));
        expect(t.getWithIndex(k).map((x) => (x instanceof Uint8Array ? toHex(x) : x))).toEqual(ref.getWithIndex(k).map((x) => (x instanceof Uint8Array ? toHex(x) : x)));
        if (i < 4) expect(toHex(encodeProof(iavlProof(t, k)))).toBe(toHex(encodeProof(iavlProof(ref, k))));
      }
      const lo = randomKey(r);
      const hi = randomKey(r);
      for (const [s, e] of [[undefined, undefined], [lo, undefined], [undefined, hi], [lo, hi]] as const) {
        for (const rev of [false, true]) {
          const got = [...t.iterate(s, e, rev)].map(([k, val]) => toHex(k) + "=" + toHex(val));
          expect(got).toEqual([...ref.iterate(s, e, rev)].map(([k, val]) => toHex(k) + "=" + toHex(val)));
        }
      }
    }
    // Slots are reused: live nodes plus at most keepVersions versions of orphans.
    expect(t.arena.liveSlots).toBeLessThan(2 * live.length + 3 * 3000);
  });

  test("rollback frees the working nodes and restores the saved tree; initialVersion rehashes", () => {
    const r = new FixturePrng("arena-rollback");
    const ref = new IavlTree(undefined);
    const t = new ArenaTree();
    for (let i = 0; i < 300; i++) {
      const k = r.bytes(4);
      const v = r.bytes(8);
      ref.set(k, v);
      t.set(k, v);
    }
    // As InitChain then a later initial height: hashes already taken embed the old version.
    expect(hex(t.workingHash())).toBe(hex(ref.workingHash()));
    ref.initialVersion = 5;
    t.initialVersion = 5;
    ref.invalidateUnsavedHashes();
    t.invalidateUnsavedHashes();
    expect(hex(t.saveVersion())).toBe(hex(ref.saveVersion()));
    expect(t.version).toBe(5);
    const saved = t.arena.liveSlots;
    for (let i = 0; i < 100; i++) t.set(r.bytes(4), r.bytes(8));
    t.remove(t.getByIndex(3)![0]);
    expect(t.orphanCount).toBeGreaterThan(0);
    t.rollback();
    expect(t.arena.liveSlots).toBe(saved);
    expect(t.orphanCount).toBe(0);
    expect(hex(t.encodedOrphans())).toBe("");
    expect(hex(t.workingHash())).toBe(hex(ref.savedHash()));
    expect(hex(t.saveVersion())).toBe(hex(ref.saveVersion()));
  });
});

describe("ArenaTree save order (the hash pass's post-order list)", () => {
  /** Saves both trees with both writers: same root, records, inner count. */
  function saveBoth(t: ArenaTree, ref: IavlTree): void {
    const keysA = new StoreKeys("bank");
    const a = recorder();
    const b = recorder();
    const wa = new NodeWriter(keysA, a);
    const wb = new ArenaNodeWriter(t.arena, keysA, b);
    expect(hex(t.encodedOrphans())).toBe(hex(ref.encodedOrphans()));
    const ha = ref.saveVersion((node: Node) => wa.add(node));
    const hb = t.saveVersion((s) => wb.add(s));
    expect(wb.finish(t.version)).toBe(wa.finish(ref.version));
    expect(hex(hb)).toBe(hex(ha));
    expect(b.out).toEqual(a.out);
  }
  function write(r: FixturePrng, t: ArenaTree, ref: IavlTree, keys: Uint8Array[], n: number): void {
    for (let i = 0; i < n; i++) {
      if (keys.length > 20 && r.intn(4) === 0) {
        const k = keys.splice(r.intn(keys.length), 1)[0]!;
        expect(t.remove(k)).toBe(ref.remove(k));
      } else {
        const k = r.intn(2) === 0 && keys.length > 0 ? keys[r.intn(keys.length)]! : r.bytes(1 + r.intn(6));
        const v = r.bytes(1 + r.intn(9));
        const up = ref.set(k, v);
        expect(t.set(k, v)).toBe(up);
        if (!up) keys.push(k);
      }
    }
  }

  test("one hash pass: save walks the recorded list; a second pass, a removal up to the root, proofs or rollback make it rebuild, same records as IavlTree", () => {
    const r = new FixturePrng("arena-order");
    const t = new ArenaTree();
    const ref = new IavlTree(undefined);
    const keys: Uint8Array[] = [];
    // Plain version: workingHash then save (twice hashed with nothing changed in between).
    write(r, t, ref, keys, 400);
    expect(hex(t.workingHash())).toBe(hex(ref.workingHash()));
    expect(hex(t.workingHash())).toBe(hex(ref.workingHash()));
    saveBoth(t, ref);
    // No workingHash before save: saveVersion's own pass records the list.
    write(r, t, ref, keys, 50);
    saveBoth(t, ref);
    expect(t.orderRebuilds).toBe(0);
    // Hash, write more, hash again: the second pass only rehashes the changed paths.
    write(r, t, ref, keys, 50);
    expect(hex(t.workingHash())).toBe(hex(ref.workingHash()));
    write(r, t, ref, keys, 3);
    expect(hex(t.workingHash())).toBe(hex(ref.workingHash()));
    saveBoth(t, ref);
    expect(t.orderRebuilds).toBe(1);
    // Hash, then writes, saved without another workingHash.
    write(r, t, ref, keys, 50);
    t.workingHash();
    ref.workingHash();
    write(r, t, ref, keys, 1);
    saveBoth(t, ref);
    expect(t.orderRebuilds).toBe(2);
    // A proof on the unhashed working tree hashes single subtrees first.
    write(r, t, ref, keys, 50);
    const k = keys[r.intn(keys.length)]!;
    expect(toHex(encodeProof(iavlProof(t, k)))).toBe(toHex(encodeProof(iavlProof(ref, k))));
    saveBoth(t, ref);
    expect(t.orderRebuilds).toBe(3);
    // Rollback after a hash pass: the next version records its own list.
    write(r, t, ref, keys.slice(), 50);
    t.workingHash();
    t.rollback();
    ref.rollback();
    write(r, t, ref, keys, 50);
    saveBoth(t, ref);
    expect(t.orderRebuilds).toBe(3);
    // forgetOrder: the same records from the walk of the tree.
    write(r, t, ref, keys, 80);
    t.workingHash();
    t.forgetOrder();
    saveBoth(t, ref);
    expect(t.orderRebuilds).toBe(4);
  });

  test("a removal that leaves the root's hashed child as the root after the hash pass", () => {
    const t = new ArenaTree();
    const ref = new IavlTree(undefined);
    const k = (s: string) => Buffer.from(s);
const sorted = (a: string[]) => [...a].sort();
    for (const tr of [t, ref]) {
      tr.set(k("a"), k("1"));
      tr.saveVersion();
      tr.set(k("b"), k("2"));
      tr.set(k("c"), k("3"));
    }
    expect(hex(t.workingHash())).toBe(hex(ref.workingHash()));
    // The root (unsaved, hashed) is dropped; its hashed right child becomes the root.
    expect(t.remove(k("a"))).toBe(true);
    ref.remove(k("a"));
    saveBoth(t, ref);
    expect(t.orderRebuilds).toBe(1);
    expect(t.get(k("c"))).toEqual(k("3"));
  });
});

describe("ArenaHashWorker (nodes hashed on a second thread from a shared arena)", () => {
  const workers: ArenaHashWorker[] = [];
  afterAll(async () => {
    for (const w of workers) await w.close();
  });

  test.each([1024, 0])("same roots, records and orphans as the serial tree over random churn, mid-version hashes and rollback (maxLag %d)", (maxLag) => {
    const r = new FixturePrng("arena-worker");
    const arena = new NodeArena(64, { shared: true }); // small: the buffer grows (and is re-sent) during the test
    const w = new ArenaHashWorker({ maxLag, minNodes: 0 });
    workers.push(w);
    const t = new ArenaTree({ arena, hashWorker: w });
    const serial = new ArenaTree();
    const keysA = new StoreKeys("bank");
    const live: Uint8Array[] = [];
    for (let v = 1; v <= 12; v++) {
      if (v % 5 === 3) {
        // Writes hashed by the worker, then rolled back (only in t).
        for (let i = 0; i < 300; i++) t.set(randomKey(r), r.bytes(4));
        t.workingHash();
        t.rollback();
        expect(hex(t.workingHash())).toBe(hex(serial.workingHash()));
      }
      const n = v === 1 ? 3000 : 50 + r.intn(400);
      for (let i = 0; i < n; i++) {
        if (live.length > 10 && r.intn(5) === 0) {
          const k = live.splice(r.intn(live.length), 1)[0]!;
          expect(t.remove(k)).toBe(serial.remove(k));
        } else {
          const k = r.intn(3) === 0 && live.length > 0 ? live[r.intn(live.length)]! : randomKey(r);
          const val = r.bytes(1 + r.intn(60));
          const up = serial.set(k, val);
          expect(t.set(k, val)).toBe(up);
          if (!up) live.push(k);
        }
      }
      if (v % 4 === 2) {
        expect(hex(t.workingHash())).toBe(hex(serial.workingHash()));
        const k = randomKey(r);
        const val = r.bytes(5);
        if (!serial.set(k, val)) live.push(k);
        t.set(k, val);
      }
      expect(hex(t.encodedOrphans())).toBe(hex(serial.encodedOrphans()));
      const a = recorder();
      const b = recorder();
      const wa = new ArenaNodeWriter(serial.arena, keysA, a);
      const wb = new ArenaNodeWriter(t.arena, keysA, b, w);
      const ha = serial.saveVersion((s) => wa.add(s));
      const hb = t.saveVersion((s) => wb.add(s));
      expect(wb.finish(t.version)).toBe(wa.finish(serial.version));
      expect(hex(hb)).toBe(hex(ha));
      expect(sorted(b.out)).toEqual(sorted(a.out)); // the worker's pages are handed over last
    }
    expect(w.passes).toBeGreaterThan(10);
    // Below minNodes new slots a pass stays on the main thread.
    const sw = new ArenaHashWorker({ minNodes: 50 });
    workers.push(sw);
    const small = new ArenaTree({ arena, hashWorker: sw });
    const plain = new ArenaTree();
    for (let v = 0; v < 2; v++) {
      for (let i = 0; i < (v === 0 ? 10 : 200); i++) {
        const k = r.bytes(8);
        const val = r.bytes(8);
        small.set(k, val);
        plain.set(k, val);
      }
      expect(hex(small.saveVersion())).toBe(hex(plain.saveVersion()));
      expect(sw.passes).toBe(v);
    }
    expect(w.workerHashed).toBeGreaterThan(maxLag === 0 ? 50 : 1000); // with 0 the main thread hashes most of them
    expect(t.size).toBe(live.length);
  });

  test("needs a shared arena: a tree on a plain one hashes serially", () => {
    const w = new ArenaHashWorker({ minNodes: 0 });
    workers.push(w);
    const plain = new NodeArena();
    expect(w.canHash(plain)).toBe(false);
    expect(() => w.begin(plain, 1, 10)).toThrow(StoreError);
    const t = new ArenaTree({ arena: plain, hashWorker: w });
    const ref = new ArenaTree();
    for (let i = 0; i < 100; i++) {
      t.set(k(`k${i}`), k(`v${i}`));
      ref.set(k(`k${i}`), k(`v${i}`));
    }
    expect(hex(t.saveVersion())).toBe(hex(ref.saveVersion()));
    expect(w.passes).toBe(0);
  });

  test("leaves that do not fit the worker's buffers are hashed on the main thread; the next pass has bigger buffers", () => {
    const r = new FixturePrng("arena-worker-3");
    const w = new ArenaHashWorker({ minNodes: 0 });
    workers.push(w);
    const t = new ArenaTree({ arena: new NodeArena(64, { shared: true }), hashWorker: w });
    const ref = new ArenaTree();
    /** Saves both trees (the worker's writer and a plain one): same root, same records. */
    const saveBoth = (): void => {
      const a = recorder();
      const b = recorder();
      const wa = new ArenaNodeWriter(ref.arena, new StoreKeys("bank"), a);
      const wb = new ArenaNodeWriter(t.arena, new StoreKeys("bank"), b, w);
      expect(hex(t.saveVersion((s) => wb.add(s)))).toBe(hex(ref.saveVersion((s) => wa.add(s))));
      expect(wb.finish(t.version)).toBe(wa.finish(ref.version));
      expect(sorted(b.out)).toEqual(sorted(a.out));
    };
    // 400 values of 5 KB (> the first 1 MB slab), then 6,000 small leaves (> the first 4,096 leaf entries).
    for (const [n, vlen] of [[400, 5000], [400, 5000], [6000, 8], [6000, 8]] as const) {
      for (let i = 0; i < n; i++) {
        const key = randomKey(r);
        const val = r.bytes(vlen);
        t.set(key, val);
        ref.set(key, val);
      }
      saveBoth(); // the worker's pages are handed over last: compared sorted
    }
    expect(w.passes).toBe(4);
    expect(w.encodePasses).toBe(3); // the first save has < LOCAL_PAGES pages: encoded here
    expect(w.workerEncoded).toBeGreaterThan(1000);
    // A failed encode pass: the writer encodes the worker's pages itself (same records).
    for (let i = 0; i < 3000; i++) {
      const key = randomKey(r);
      t.set(key, k("v"));
      ref.set(key, k("v"));
    }
    t.workingHash();
    w.failNextPass();
    saveBoth();
    expect(w.encodePasses).toBe(4);
    expect(w.usable).toBe(false);
  });

  test("inner pages framed on the worker: long keys, a page that does not fit mid-copy, then bigger buffers (same records)", () => {
    const r = new FixturePrng("arena-worker-pages");
    const w = new ArenaHashWorker({ minNodes: 0 });
    workers.push(w);
    w.leavesOnWorker = false; // the hash pass must not grow the slab before the encode pass
    const t = new ArenaTree({ arena: new NodeArena(64, { shared: true }), hashWorker: w });
    const ref = new ArenaTree();
    const saveBoth = (): void => {
      const a = recorder();
      const b = recorder();
      const wa = new ArenaNodeWriter(ref.arena, new StoreKeys("bank"), a);
      const wb = new ArenaNodeWriter(t.arena, new StoreKeys("bank"), b, w);
      expect(hex(t.saveVersion((s) => wb.add(s)))).toBe(hex(ref.saveVersion((s) => wa.add(s))));
      expect(wb.finish(t.version)).toBe(wa.finish(ref.version));
      expect(sorted(b.out)).toEqual(sorted(a.out));
    };
    // Keys of 200–2,000 bytes: inner keys overflow the first 1 MB key slab part-way through a page
    // (that page and the rest are encoded here), body lengths take 2-byte varints in page headers.
    for (const n of [1500, 1500, 300]) {
      const before = w.workerEncoded;
      for (let i = 0; i < n; i++) {
        const key = Buffer.concat([r.bytes(8), Buffer.alloc(200 + r.intn(1800), 0x61)]);
        const val = r.bytes(1 + r.intn(40));
        t.set(key, val);
        ref.set(key, val);
      }
      saveBoth();
      expect(w.workerEncoded).toBeGreaterThan(before);
    }
    expect(w.encodePasses).toBe(3);
  });

  test("one worker serves several arenas; a failed pass throws StoreError, later passes hash serially with the same roots", () => {
    const r = new FixturePrng("arena-worker-2");
    const w = new ArenaHashWorker({ minNodes: 0 });
    workers.push(w);
    const trees = [0, 1].map(() => new ArenaTree({ arena: new NodeArena(64, { shared: true }), hashWorker: w }));
    const refs = [0, 1].map(() => new ArenaTree());
    const write = (i: number, n: number): void => {
      for (let j = 0; j < n; j++) {
        const key = randomKey(r);
        const val = r.bytes(8);
        trees[i]!.set(key, val);
        refs[i]!.set(key, val);
      }
    };
    for (let v = 0; v < 4; v++) {
      for (let i = 0; i < 2; i++) {
        write(i, 500);
        expect(hex(trees[i]!.saveVersion())).toBe(hex(refs[i]!.saveVersion()));
      }
    }
    expect(w.passes).toBe(8);
    const hashed = w.workerHashed;
    expect(hashed).toBeGreaterThan(1000);
    write(0, 500);
    w.failNextPass();
    expect(() => trees[0]!.workingHash()).toThrow(StoreError);
    expect(w.usable).toBe(false);
    expect(hex(trees[0]!.workingHash())).toBe(hex(refs[0]!.workingHash())); // the retry hashes what the worker left
    for (let v = 0; v < 2; v++) {
      for (let i = 0; i < 2; i++) {
        if (v > 0 || i > 0) write(i, 500);
        const a = recorder();
        const b = recorder();
        const wa = new ArenaNodeWriter(refs[i]!.arena, new StoreKeys("bank"), a);
        const wb = new ArenaNodeWriter(trees[i]!.arena, new StoreKeys("bank"), b, w);
        expect(hex(trees[i]!.saveVersion((s) => wb.add(s)))).toBe(hex(refs[i]!.saveVersion((s) => wa.add(s))));
        expect(wb.finish(trees[i]!.version)).toBe(wa.finish(refs[i]!.version));
        expect(sorted(b.out)).toEqual(sorted(a.out)); // the worker's pages are handed over last
      }
    }
    expect(w.passes).toBe(9);
  });
});

describe("ArenaTree slot reuse", () => {
  /** Writes and saves a version of churn in both trees (same roots). */
  function churn(r: FixturePrng, t: ArenaTree, ref: IavlTree, keys: Uint8Array[]): void {
    for (let i = 0; i < 60; i++) {
      if (keys.length > 50 && r.intn(3) === 0) {
        const k = keys.splice(r.intn(keys.length), 1)[0]!;
        t.remove(k);
        ref.remove(k);
      } else {
        const k = r.intn(2) === 0 && keys.length > 0 ? keys[r.intn(keys.length)]! : r.bytes(5);
        const v = r.bytes(6);
        if (!ref.set(k, v)) keys.push(k);
        t.set(k, v);
      }
    }
    expect(hex(t.saveVersion())).toBe(hex(ref.saveVersion()));
  }

  test("views of the last keepVersions versions read exactly their version; older views throw, never read reused slots", () => {
    const r = new FixturePrng("arena-views");
    const t = new ArenaTree({ keepVersions: 2 });
    const ref = new IavlTree(undefined);
    const keys: Uint8Array[] = [];
    const views = new Map<number, { arena: ArenaTree; ref: IavlTree }>();
    for (let v = 1; v <= 12; v++) {
      churn(r, t, ref, keys);
      views.set(v, { arena: t.view(t.savedRoot, v), ref: new IavlTree(undefined, ref.savedRoot, v) });
      for (const [w, pair] of views) {
        const dump = (it: Iterable<[Uint8Array, Uint8Array]>) => [...it].map(([k, x]) => toHex(k) + "=" + toHex(x)).join(",");
        if (w >= v - 2) {
          expect(dump(pair.arena.iterate(undefined, undefined, false))).toBe(dump(pair.ref.iterate(undefined, undefined, false)));
          expect(hex(pair.arena.savedHash())).toBe(hex(pair.ref.savedHash()));
        } else {
          expect(() => pair.arena.get(keys[0]!)).toThrow(StoreError);
          expect(() => [...pair.arena.iterate(undefined, undefined, false)]).toThrow(/no longer held in the node arena/);
        }
      }
    }
    expect(() => views.get(12)!.arena.set(Buffer.from("x"), Buffer.from("y"))).toThrow(StoreError);
  });

  test("an iterator open across writes and freed slots re-seeks: ordered, no repeats, current values", () => {
    const r = new FixturePrng("arena-iter");
    const t = new ArenaTree({ keepVersions: 0 });
    const ref = new IavlTree(undefined);
    const keys: Uint8Array[] = [];
    churn(r, t, ref, keys);
    for (const reverse of [false, true]) {
      const it = t.iterate(undefined, undefined, reverse);
      const seen: string[] = [];
      for (let step = 0; ; step++) {
        const n = it.next();
        if (n.done) break;
        const [k, v] = n.value;
        seen.push(toHex(k));
        // What the tree holds for that key right now (writes happened since the iterator started).
        expect(toHex(v)).toBe(hex(t.get(k)));
        if (step % 5 === 0) churn(r, t, ref, keys); // frees slots (keepVersions 0) and rewrites the tree
      }
      const sorted = [...seen].sort();
      expect(seen).toEqual(reverse ? sorted.reverse() : sorted);
      expect(new Set(seen).size).toBe(seen.length);
    }
  });

  test("memory stays bounded over many versions at a constant key count", () => {
    const r = new FixturePrng("arena-bound");
    const t = new ArenaTree({ keepVersions: 2 });
    const keys: Uint8Array[] = [];
    for (let i = 0; i < 2000; i++) {
      const k = r.bytes(8);
      t.set(k, r.bytes(8));
      keys.push(k);
    }
    t.saveVersion();
    const after1 = t.arena.highWater;
    for (let v = 0; v < 100; v++) {
      for (let i = 0; i < 100; i++) t.set(keys[r.intn(keys.length)]!, r.bytes(8));
      t.saveVersion();
    }
    // ~4,000 live nodes plus 3 versions of ~1,100 orphans each; no growth with the version count.
    expect(t.arena.liveSlots).toBeLessThan(after1 + 3 * 1500);
    expect(t.arena.highWater).toBeLessThan(after1 + 4 * 1500);
  });
});

describe("ArenaTree loading stubs from node records", () => {
  /** Records by key (a RecordSink and a SyncReader). */
  class MapDb {
    readonly m = new Map<string, Uint8Array>();
    put(k: Uint8Array, v: Uint8Array): void {
      this.m.set(toHex(k), Uint8Array.from(v));
    }
    getSync(k: Uint8Array): Uint8Array | undefined {
      return this.m.get(toHex(k));
    }
  }

  /** One version of random writes to both trees (keys from `live`, or new ones). */
  function writes(r: FixturePrng, trees: (IavlTree | ArenaTree)[], live: Uint8Array[], n: number): void {
    for (let i = 0; i < n; i++) {
      const x = r.intn(10);
      if (x < 3 && live.length > 10) {
        const k = live.splice(r.intn(live.length), 1)[0]!;
        for (const t of trees) expect(t.remove(k)).toBe(true);
      } else {
        const k = x < 6 && live.length > 0 ? live[r.intn(live.length)]! : r.bytes(1 + r.intn(12));
        const v = r.bytes(1 + r.intn(30));
        const got = trees.map((t) => t.set(k, v));
        expect(new Set(got).size).toBe(1);
        if (!got[0]) live.push(k);
      }
    }
  }

  function setup(seed: string): { db: MapDb; keys: StoreKeys; ref: IavlTree; live: Uint8Array[]; r: FixturePrng; open: () => ArenaTree } {
    const r = new FixturePrng(seed);
    const db = new MapDb();
    const keys = new StoreKeys("bank");
    const ref = new IavlTree(undefined);
    const live: Uint8Array[] = [];
    for (let v = 0; v < 5; v++) {
      writes(r, [ref], live, 300);
      const w = new NodeWriter(keys, db);
      ref.saveVersion((n) => w.add(n));
      w.finish(ref.version);
    }
    const open = () => {
      const t = new ArenaTree({ loader: new DbNodeLoader(db, keys) });
      const root = ref.savedRoot!;
      t.openSaved(ref.version, root.version, root.nonce, root.hash!);
      return t;
    };
    return { db, keys, ref, live, r, open };
  }

  test("a tree reopened from its records reads, iterates and proves like IavlTree, then writes the same records", () => {
    const { keys, ref, live, r, open } = setup("arena-load");
    const t = open();
    expect(t.arena.liveSlots).toBe(1);
    expect(hex(t.savedHash())).toBe(hex(ref.savedHash()));
    for (let i = 0; i < 40; i++) {
      const k = i % 2 === 0 ? live[r.intn(live.length)]! : r.bytes(1 + r.intn(12));
      expect(hex(t.get(k))).toBe(hex(ref.get(k)));
      if (i < 10) expect(toHex(encodeProof(iavlProof(t, k)))).toBe(toHex(encodeProof(iavlProof(ref, k))));
    }
    const dump = (it: Iterable<[Uint8Array, Uint8Array]>) => [...it].map(([k, x]) => toHex(k) + "=" + toHex(x));
    expect(dump(t.iterate(undefined, undefined, true))).toEqual(dump(ref.iterate(undefined, undefined, true)));
    // A fresh tree (nothing loaded) writes straight away: loads happen inside set/remove/rotations.
    for (const tree of [t, open()]) {
      const ref2 = new IavlTree(undefined, ref.savedRoot, ref.version);
      const live2 = [...live];
      const r2 = new FixturePrng("arena-load-2");
      for (let v = 0; v < 4; v++) {
        writes(r2, [ref2, tree], live2, 150);
        expect(hex(tree.encodedOrphans())).toBe(hex(ref2.encodedOrphans()));
        const a = recorder();
        const b = recorder();
        const wa = new NodeWriter(keys, a);
        const wb = new ArenaNodeWriter(tree.arena, keys, b);
        expect(hex(tree.saveVersion((s) => wb.add(s)))).toBe(hex(ref2.saveVersion((n) => wa.add(n))));
        expect(wb.finish(tree.version)).toBe(wa.finish(ref2.version));
        expect(b.out).toEqual(a.out);
      }
    }
  });

  test("evictBelow turns deep nodes back into stubs: reads reload them; views and iterators keep reading intact records", () => {
    const { ref, live, open } = setup("arena-evict");
    const t = open();
    const dump = (it: Iterable<[Uint8Array, Uint8Array]>) => [...it].map(([k, x]) => toHex(k) + "=" + toHex(x));
    const all = dump(ref.iterate(undefined, undefined, false));
    expect(dump(t.iterate(undefined, undefined, false))).toEqual(all); // loads every node
    const loaded = t.arena.liveSlots;
    const it = t.iterate(undefined, undefined, false);
    const head: [Uint8Array, Uint8Array][] = [];
    for (let i = 0; i < 10; i++) head.push(it.next().value as [Uint8Array, Uint8Array]);
    const view = t.view(t.savedRoot, t.version);
    t.evictBelow(3);
    expect(t.arena.liveSlots).toBe(loaded); // retired, not freed yet
    for (const k of live.slice(0, 5)) expect(hex(view.get(k))).toBe(hex(ref.get(k))); // reloads 5 paths
    t.saveVersion();
    t.saveVersion(); // keepVersions (2) saves later the evicted slots are free
    expect(t.arena.liveSlots).toBeLessThan(loaded / 2); // ~31 kept + 5 reloaded paths, of ~210
    expect(() => view.get(live[0]!)).toThrow(/no longer held in the node arena/);
    // The iterator opened before the eviction re-seeks into the reloaded tree.
    expect([...dump(head), ...dump(it)]).toEqual(all);
    for (const k of live) expect(hex(t.get(k))).toBe(hex(ref.get(k)));
    expect(hex(t.savedHash())).toBe(hex(ref.savedHash()));
  });

  test("a swapped or corrupt record throws StoreError and the node stays a stub; reads succeed once repaired", () => {
    const { db, keys, ref, live, open } = setup("arena-corrupt");
    // Leaf records of the latest tree (each is read by exactly one live key).
    const leaves: string[] = [];
    const stack = [ref.savedRoot!];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.height === 0) leaves.push(toHex(keys.node(n.version, n.nonce)));
      else stack.push(n.left!, n.right!);
    }
    const [ka, kb] = [leaves[3]!, leaves[11]!];
    const [va, vb] = [db.m.get(ka)!, db.m.get(kb)!];
    db.m.set(ka, vb);
    db.m.set(kb, va);
    const t = open();
    const fails: string[] = [];
    for (const k of live) {
      try {
        expect(hex(t.get(k))).toBe(hex(ref.get(k)));
      } catch (e) {
        expect(e).toBeInstanceOf(StoreError);
        fails.push((e as Error).message);
      }
    }
    expect(fails.length).toBe(2);
    for (const m of fails) expect(m).toMatch(/is corrupt: hash [0-9a-f]{64} but its parent expects [0-9a-f]{64}/);
    db.m.set(ka, va);
    db.m.set(kb, Uint8Array.from(vb.subarray(0, vb.length - 1))); // bad crc
    expect(() => live.forEach((k) => t.get(k))).toThrow(/is corrupt: checksum mismatch/);
    db.m.set(kb, vb);
    for (const k of live) expect(hex(t.get(k))).toBe(hex(ref.get(k)));
    expect(toHex(t.saveVersion())).toBe(toHex(ref.savedHash()));
  });
});

describe("NodeArena page reuse", () => {
  const fill = (a: NodeArena, n: number): number[] => {
    const s: number[] = [];
    for (let i = 0; i < n; i++) s.push(a.alloc("k", undefined, 1, 1));
    return s;
  };

  test("freed slots are reused from pages with at least pageReuseMin free slots, one page at a time", () => {
    const a = new NodeArena(1024, { pageReuseMin: 16 });
    fill(a, 64 * 8 - 1); // slots 1..511: pages 0..7
    for (let s = 128; s < 192; s += 2) a.release(s); // page 2: 32 free
    for (let s = 192; s < 200; s++) a.release(s); // page 3: 8 free (below the minimum)
    expect(a.liveSlots).toBe(511 - 40);
    const got = fill(a, 32);
    expect(got.every((s) => s >= 128 && s < 192 && s % 2 === 0)).toBe(true);
    expect(new Set(got).size).toBe(32);
    expect(a.alloc("k", undefined, 0, 1)).toBe(512); // page 3 is not reused yet: new slot at the end
    for (let s = 200; s < 208; s++) a.release(s); // page 3 reaches 16 free
    const p3 = fill(a, 16);
    expect(p3.every((s) => s >= 192 && s < 208)).toBe(true);
    expect(a.liveSlots).toBe(512 - 40 + 32 + 16 - 8);
  });

  test("random churn never hands out a live slot twice and counts live slots (page mode and LIFO)", () => {
    for (const min of [0, 1, 16, 64]) {
      const a = new NodeArena(64, { pageReuseMin: min });
      const r = new FixturePrng(`arena-pages-${min}`);
      const live = new Set<number>();
      const order: number[] = [];
      let bad = 0;
      for (let i = 0; i < 20000; i++) {
        if (order.length > 0 && r.intn(100) < 45) {
          const j = r.intn(order.length);
          const s = order[j]!;
          order[j] = order[order.length - 1]!;
          order.pop();
          live.delete(s);
          a.release(s);
        } else {
          const hw = a.highWater;
          const s = a.alloc(`k${i}`, undefined, 1, 1);
          if (s <= 0 || live.has(s) || a.keys[s] !== `k${i}`) bad++;
          live.add(s);
          order.push(s);
          // A new slot at the end only when no page had pageReuseMin free slots: memory is at most
          // the live slots plus (min - 1) stranded free slots per page.
          if (min > 0 && a.highWater > hw && a.highWater > live.size + Math.ceil(a.highWater / 64) * (min - 1)) bad++;
        }
      }
      expect(bad).toBe(0);
      expect(a.liveSlots).toBe(live.size);
    }
  });
});

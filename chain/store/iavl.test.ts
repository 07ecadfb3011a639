/**
 * Byte-compatibility with the real Go cosmos/iavl v1 and the SDK's CommitInfo hash. Every expected
 * value comes from test/fixtures/*.json, written by test/tools/iavlfixtures (Go).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ics23, iavlSpec, verifyMembership, verifyNonMembership } from "@confio/ics23";
import { IavlTree, Node } from "./iavl";
import { commitInfoHash, encodeProof, iavlProof } from "./proofs";
import { fromHex, toHex } from "./encoding";
import { FixturePrng, applyTreeHashOps, randomSequenceOps } from "./testutil";

const FIXTURES = join(__dirname, "../../test/fixtures");
const load = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), "utf8"));

interface RandomFixture {
  seed: string;
  initialVersion: number;
  firstInserts: number;
  opsPerVersion: number;
  versions: number;
  sorted: boolean;
  roots: string[];
  sizes: number[];
  proofs: { version: number; key: string; exists: boolean; proof: string }[];
}

describe("IAVL tree vs Go cosmos/iavl", () => {
  test("TestTreeHash: 4 versions x 4096 ops give Go's golden roots", () => {
    const fx = load("iavl-treehash.json") as { versions: { ops: string; root: string }[] };
    // Go's own expectations from tree_test.go (also asserted by the generator).
    expect(fx.versions.map((v) => v.root.slice(0, 8))).toEqual(["58ec30fa", "91ad3ace", "92c25dce", "e44d1709"]);
    const tree = new IavlTree(undefined);
    for (const v of fx.versions) {
      applyTreeHashOps(tree, v.ops);
      expect(toHex(tree.saveVersion())).toBe(v.root);
    }
  });

  test("small vectors from the reference (a=1; +b,+c; b=22; -a; no-op)", () => {
    const e = (s: string) => Buffer.from(s);
    const t = new IavlTree(undefined);
    expect(toHex(t.saveVersion())).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const t2 = new IavlTree(undefined);
    t2.set(e("a"), e("1"));
    expect(toHex(t2.saveVersion())).toBe("bbe33cd0a785b97b9fb1f964aa71159dacd9e0ade84df7403dc0f9dc24818404");
  });

  const fixtures = (load("iavl-random.json") as { sequences: RandomFixture[] }).sequences;

  for (const fx of fixtures) {
    test(`random sequence ${fx.seed}: roots, sizes and proof bytes equal Go (${fx.versions} versions, sorted=${fx.sorted})`, () => {
      const tree = new IavlTree(undefined);
      tree.initialVersion = fx.initialVersion;
      const roots = new Map<number, Node | undefined>();
      let i = 0;
      for (const ops of randomSequenceOps(fx)) {
        if (fx.sorted) {
          const last = new Map<string, Uint8Array | null>();
          for (const op of ops) last.set(Buffer.from(op.key).toString("latin1"), op.value);
          const keys = [...last.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          for (const k of keys) {
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
      let exist = 0;
      let absent = 0;
      for (const p of fx.proofs) {
        const t = new IavlTree(undefined, roots.get(p.version), p.version);
        const key = fromHex(p.key);
        const ours = encodeProof(iavlProof(t, key));
        expect(toHex(ours)).toBe(p.proof);
        const root = t.savedHash();
        const decoded = ics23.CommitmentProof.decode(fromHex(p.proof));
        if (p.exists) {
          exist++;
          expect(verifyMembership(decoded, iavlSpec, root, key, t.get(key)!)).toBe(true);
        } else {
          absent++;
          expect(verifyNonMembership(decoded, iavlSpec, root, key)).toBe(true);
        }
      }
      expect(exist).toBeGreaterThan(3);
      expect(absent).toBeGreaterThan(3);
    });
  }
});

describe("IAVL tree bookkeeping", () => {
  test("cachedNodes tracks the live nodes of the latest tree across sets, updates and removes", () => {
    const t = new IavlTree(undefined);
    const r = new FixturePrng("cached");
    const keys: Uint8Array[] = [];
    for (let v = 0; v < 12; v++) {
      for (let i = 0; i < 400; i++) {
        const x = r.intn(3);
        if (x === 0 && keys.length > 0) t.remove(keys.splice(r.intn(keys.length), 1)[0]!);
        else if (x === 1 && keys.length > 0) t.set(keys[r.intn(keys.length)]!, r.bytes(3));
        else {
          const k = r.bytes(6);
          if (!t.set(k, r.bytes(3))) keys.push(k);
        }
      }
      t.saveVersion();
      let live = 0;
      const stack = t.root ? [t.root] : [];
      while (stack.length > 0) {
        const n = stack.pop()!;
        live++;
        if (n.height > 0) stack.push(n.left!, n.right!);
      }
      expect(t.cachedNodes).toBe(live);
      expect(t.size).toBe(keys.length);
    }
  });
});

describe("AppHash vs the SDK's CommitInfo.Hash()", () => {
  test("1..11 stores", () => {
    const fx = load("commitinfo.json") as { cases: { stores: Record<string, string>; appHash: string }[] };
    expect(fx.cases.length).toBe(11);
    for (const c of fx.cases) {
      const roots = Object.entries(c.stores).map(([name, hash]) => ({ name, hash: fromHex(hash) }));
      expect(toHex(commitInfoHash(roots))).toBe(c.appHash);
    }
  });
});

/**
 * The multistore on LevelDB: AppHash vs Go, commit/reopen, crash safety, proofs chained to the
 * AppHash with @confio/ics23, pruning, setInitialVersion semantics, bad input and corruption.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ics23, iavlSpec, tendermintSpec, verifyMembership, verifyNonMembership, calculateExistenceRoot } from "@confio/ics23";
import { RootMultiStore } from "./multistore";
import { diskTree, forEachTreeMode, openStore as openMultiStore } from "./testutil";
import type { ArenaTree } from "./arenatree";
import type { IavlTree } from "./iavl";
import { CommitMultiStore, MAX_KEY_BYTES, MAX_VALUE_BYTES, StoreError } from "./types";
import { commitInfoHash, verifyStoreProof } from "./proofs";
import { fromHex, toHex } from "./encoding";
import { FixturePrng, bytesStr, randomSequenceOps, tempDirsPerTest, utf8Bytes } from "./testutil";
import { TAG_NODE } from "./nodedb";

const FIXTURES = join(__dirname, "../../test/fixtures");
const e = utf8Bytes;
const str = bytesStr;
const newDir = tempDirsPerTest("hg-ms-");
async function countNodes(cms: CommitMultiStore): Promise<number> {
  const db = (cms as RootMultiStore).database;
  let n = 0;
  for await (const _ of db.keys({ gte: new Uint8Array([TAG_NODE]), lt: new Uint8Array([TAG_NODE + 1]) })) n++;
  return n;
}

forEachTreeMode((arena) => {
  describe("multistore on LevelDB", () => {
    test("sorted-application Go fixtures: AppHash per version equals CommitInfo(Go root), across reopen", async () => {
      const seqs = JSON.parse(readFileSync(join(FIXTURES, "iavl-random.json"), "utf8")).sequences as {
        seed: string; initialVersion: number; firstInserts: number; opsPerVersion: number; versions: number; sorted: boolean; roots: string[];
      }[];
      for (const fx of seqs.filter((s) => s.sorted)) {
        const dir = newDir();
        let cms = await openMultiStore({ dir, storeNames: ["s"], keepRecent: 0 });
        if (fx.initialVersion > 1) cms.setInitialVersion(fx.initialVersion);
        let i = 0;
        for (const ops of randomSequenceOps(fx)) {
          // Writes go through a block branch in generation order; the store sorts them.
          const block = cms.branch();
          for (const op of ops) {
            if (op.value === null) block.getStore("s").delete(op.key);
            else block.getStore("s").set(op.key, op.value);
          }
          block.write();
          const expected = toHex(commitInfoHash([{ name: "s", hash: fromHex(fx.roots[i]!) }]));
          expect(toHex(cms.workingHash())).toBe(expected);
          const info = await cms.commit();
          expect({ version: info.version, appHash: toHex(info.appHash) }).toEqual({ version: fx.initialVersion + i, appHash: expected });
          i++;
          if (i === Math.floor(fx.versions / 2)) {
            await cms.close();
            cms = await openMultiStore({ dir, storeNames: ["s"], keepRecent: 0 });
            expect(cms.lastCommit.version).toBe(fx.initialVersion + i - 1);
            expect(toHex(cms.lastCommit.appHash)).toBe(expected);
          }
        }
        await cms.close();
      }
    });

    test("AppHash does not depend on the order a block touched keys", async () => {
      const hashes: string[] = [];
      for (const order of [0, 1]) {
        const cms = await openMultiStore({ dir: newDir(), storeNames: ["bank", "auth"] });
        const keys = Array.from({ length: 200 }, (_, i) => `k${(i * 7919) % 1000}`);
        if (order === 1) keys.reverse();
        const block = cms.branch();
        for (const k of keys) {
          const tx = block.branch();
          tx.getStore(k.length % 2 ? "bank" : "auth").set(e(k), e(`v-${k}`));
          tx.write();
        }
        block.write();
        hashes.push(toHex((await cms.commit()).appHash));
        await cms.close();
      }
      expect(hashes[0]).toBe(hashes[1]);
    });

    test("empty stores: AppHash is CommitInfo over sha256('') roots", async () => {
      const cms = await openMultiStore({ dir: newDir(), storeNames: ["bank", "auth"] });
      const empty = fromHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
      expect(toHex(cms.lastCommit.appHash)).toBe(toHex(empty));
      const want = toHex(commitInfoHash([{ name: "auth", hash: empty }, { name: "bank", hash: empty }]));
      expect(toHex(cms.workingHash())).toBe(want);
      expect(toHex((await cms.commit()).appHash)).toBe(want);
      await cms.close();
    });

    test("a crash between batch preparation and write keeps the previous version", async () => {
      const dir = newDir();
      const names = ["auth", "bank"];
      let cms = await openMultiStore({ dir, storeNames: names });
      for (let v = 1; v <= 3; v++) {
        for (let i = 0; i < 50; i++) cms.getStore("bank").set(e(`k${v}-${i}`), e(`v${i}`));
        await cms.commit();
      }
      const before = cms.lastCommit;
      cms.getStore("bank").set(e("crash"), e("1"));
      cms.getStore("bank").delete(e("k1-1"));
      const attempted = toHex(cms.workingHash());
      (cms as RootMultiStore).beforeWrite = () => {
        throw new Error("simulated crash");
      };
      await expect(cms.commit()).rejects.toThrow("simulated crash");
      expect(() => cms.getStore("bank")).toThrow(StoreError); // unusable until reopened
      await cms.close();

      cms = await openMultiStore({ dir, storeNames: names });
      expect(cms.lastCommit.version).toBe(3);
      expect(toHex(cms.lastCommit.appHash)).toBe(toHex(before.appHash));
      expect(cms.getStore("bank").get(e("crash"))).toBeUndefined();
      expect(str(cms.getStore("bank").get(e("k1-1")))).toBe("v1");
      // Replaying the block gives the hash the crashed commit would have had.
      cms.getStore("bank").set(e("crash"), e("1"));
      cms.getStore("bank").delete(e("k1-1"));
      expect(toHex((await cms.commit()).appHash)).toBe(attempted);
      await cms.close();
    });

    test("a query during an in-flight commit answers from the last committed version", async () => {
      const cms = (await openMultiStore({ dir: newDir(), storeNames: ["ibc"] })) as RootMultiStore;
      cms.getStore("ibc").set(e("k"), e("old"));
      const c1 = await cms.commit();
      cms.getStore("ibc").set(e("k"), e("new"));
      let seen: { v?: string; version: number; ok: boolean } | undefined;
      cms.beforeWrite = () => {
        // The trees already hold the new version in memory; the batch is not on disk yet.
        const q = cms.query("ibc", e("k"), 0, true);
        seen = { v: str(q.value), version: q.version, ok: verifyStoreProof(c1.appHash, "ibc", e("k"), q.value, q.proofOps!) };
      };
      await cms.commit();
      expect(seen).toEqual({ v: "old", version: 1, ok: true });
      cms.beforeWrite = undefined;
      expect(str(cms.query("ibc", e("k"), 0, false).value)).toBe("new");
      await cms.close();
    });

    test("proofs at several versions verify with @confio/ics23 chained to the AppHash", async () => {
      const cms = await openMultiStore({ dir: newDir(), storeNames: ["auth", "bank", "ibc", "market"], keepRecent: 0 });
      const r = new FixturePrng("proofs");
      const model = new Map<string, Uint8Array>(); // latest values of "ibc"
      const history: { version: number; appHash: Uint8Array; model: Map<string, Uint8Array> }[] = [];
      for (let v = 1; v <= 6; v++) {
        for (let i = 0; i < 300; i++) {
          const k = r.bytes(1 + r.intn(12));
          const hk = toHex(k);
          if (model.has(hk) && r.intn(3) === 0) {
            cms.getStore("ibc").delete(k);
            model.delete(hk);
          } else {
            const val = r.bytes(1 + r.intn(30));
            cms.getStore("ibc").set(k, val);
            model.set(hk, val);
          }
          cms.getStore(["auth", "bank", "market"][i % 3]!).set(k, e("x"));
        }
        const info = await cms.commit();
        history.push({ version: info.version, appHash: info.appHash, model: new Map(model) });
      }
      let members = 0;
      let absents = 0;
      for (const h of history.filter((x) => x.version % 2 === 0 || x.version === 6)) {
        const present = [...h.model.keys()].sort();
        const probes = [present[0]!, present[present.length - 1]!, "00", "ffffffffffffffffffffffffffff"];
        for (let i = 0; i < 15; i++) probes.push(present[r.intn(present.length)]!, toHex(r.bytes(1 + r.intn(12))));
        for (const hk of probes) {
          const key = fromHex(hk);
          const q = cms.query("ibc", key, h.version === 6 ? 0 : h.version, true);
          expect(q.version).toBe(h.version);
          const want = h.model.get(hk);
          expect(q.value === undefined ? undefined : toHex(q.value)).toBe(want === undefined ? undefined : toHex(want));
          const ops = q.proofOps!;
          expect(ops.map((o) => o.type)).toEqual(["ics23:iavl", "ics23:simple"]);
          expect(str(ops[1]!.key)).toBe("ibc");
          // Raw @confio/ics23, chained like ibc-go: store proof -> subroot -> AppHash.
          const iavlP = ics23.CommitmentProof.decode(ops[0]!.data);
          const simpleP = ics23.CommitmentProof.decode(ops[1]!.data);
          const subroot = calculateExistenceRoot(iavlP.exist ?? iavlP.nonexist!.left ?? iavlP.nonexist!.right!);
          if (want !== undefined) {
            expect(verifyMembership(iavlP, iavlSpec, subroot, key, want)).toBe(true);
            members++;
          } else {
            expect(verifyNonMembership(iavlP, iavlSpec, subroot, key)).toBe(true);
            absents++;
          }
          expect(verifyMembership(simpleP, tendermintSpec, h.appHash, e("ibc"), subroot)).toBe(true);
          // Our verifier (with the Dragonberry checks) agrees, and rejects the wrong claims.
          expect(verifyStoreProof(h.appHash, "ibc", key, want, ops)).toBe(true);
          expect(verifyStoreProof(h.appHash, "ibc", key, want === undefined ? e("forged") : undefined, ops)).toBe(false);
          expect(verifyStoreProof(h.appHash, "bank", key, want, ops)).toBe(false);
          const other = history.find((x) => x.version !== h.version)!;
          expect(verifyStoreProof(other.appHash, "ibc", key, want, ops)).toBe(false);
        }
      }
      expect(members).toBeGreaterThan(20);
      expect(absents).toBeGreaterThan(20);
      await cms.close();
    });

    test("verifier rejects a forged proof that @confio/ics23 alone accepts (Dragonberry prefix checks)", async () => {
      const cms = await openMultiStore({ dir: newDir(), storeNames: ["ibc"] });
      for (let i = 0; i < 20; i++) cms.getStore("ibc").set(e(`key${i}`), e(`val${i}`));
      // Byte 1 of this key (0x02) equals the length of the rest ("bc"), so moving "04 61" from the
      // key into the leaf prefix yields the same leaf preimage for the key "bc", which is absent.
      const real = new Uint8Array([0x61, 0x02, 0x62, 0x63]);
      cms.getStore("ibc").set(real, e("secret"));
      const { appHash } = await cms.commit();
      const q = cms.query("ibc", real, 0, true);
      expect(verifyStoreProof(appHash, "ibc", real, e("secret"), q.proofOps!)).toBe(true);
      const forged = ics23.CommitmentProof.decode(q.proofOps![0]!.data);
      forged.exist!.leaf!.prefix = new Uint8Array([...forged.exist!.leaf!.prefix!, 0x04, 0x61]);
      forged.exist!.key = new Uint8Array([0x62, 0x63]);
      const subroot = calculateExistenceRoot(forged.exist!);
      const simpleP = ics23.CommitmentProof.decode(q.proofOps![1]!.data);
      // The library on its own is fooled...
      expect(verifyMembership(forged, iavlSpec, subroot, e("bc"), e("secret"))).toBe(true);
      expect(verifyMembership(simpleP, tendermintSpec, appHash, e("ibc"), subroot)).toBe(true);
      expect(cms.query("ibc", e("bc"), 0, false).value).toBeUndefined();
      // ...ours is not.
      const ops = [{ type: "ics23:iavl", key: e("bc"), data: ics23.CommitmentProof.encode(forged).finish() }, q.proofOps![1]!];
      expect(verifyStoreProof(appHash, "ibc", e("bc"), e("secret"), ops)).toBe(false);
      // Empty suffix is never emitted next to a long prefix (Go would reject the Tendermint step).
      for (const op of simpleP.exist!.path ?? []) expect(op.prefix!.length === 1 || (op.suffix?.length ?? 0) === 0).toBe(true);
      await cms.close();
    });

    test("setInitialVersion + workingHash twice in one version (InitChain then FinalizeBlock)", async () => {
      const dir = newDir();
      const cms = await openMultiStore({ dir, storeNames: ["auth", "bank"] });
      cms.setInitialVersion(10);
      cms.getStore("auth").set(e("genesis"), e("g"));
      const h1 = toHex(cms.workingHash());
      const block = cms.branch();
      block.getStore("bank").set(e("tx"), e("t"));
      block.getStore("auth").set(e("genesis2"), e("g2"));
      block.write();
      const h2 = toHex(cms.workingHash());
      expect(h2).not.toBe(h1);
      expect(toHex(cms.workingHash())).toBe(h2); // idempotent
      const info = await cms.commit();
      expect(info.version).toBe(10);
      expect(toHex(info.appHash)).toBe(h2);
      expect(() => cms.setInitialVersion(3)).toThrow(StoreError);
      // Same writes applied in one go at version 10 give the same hash.
      const other = await openMultiStore({ dir: newDir(), storeNames: ["auth", "bank"] });
      other.setInitialVersion(10);
      for (const [s, k, v] of [["auth", "genesis", "g"], ["bank", "tx", "t"], ["auth", "genesis2", "g2"]] as const) other.getStore(s).set(e(k), e(v));
      expect(toHex((await other.commit()).appHash)).toBe(h2);
      expect(cms.query("auth", e("genesis"), 10, false).value).toEqual(Buffer.from("g"));
      expect((await cms.commit()).version).toBe(11);
      await other.close();
      await cms.close();
    });

    test("setInitialVersion after writes were already hashed re-hashes them at the new version", async () => {
      const a = await openMultiStore({ dir: newDir(), storeNames: ["bank"] });
      a.getStore("bank").set(e("x"), e("1"));
      a.getStore("bank").set(e("y"), e("2"));
      a.workingHash(); // hashed as version 1
      a.setInitialVersion(7);
      const b = await openMultiStore({ dir: newDir(), storeNames: ["bank"] });
      b.setInitialVersion(7);
      b.getStore("bank").set(e("x"), e("1"));
      b.getStore("bank").set(e("y"), e("2"));
      expect(toHex(a.workingHash())).toBe(toHex(b.workingHash()));
      const ca = await a.commit();
      expect(ca.version).toBe(7);
      expect(toHex(ca.appHash)).toBe(toHex((await b.commit()).appHash));
      expect(verifyStoreProof(ca.appHash, "bank", e("x"), e("1"), a.query("bank", e("x"), 7, true).proofOps!)).toBe(true);
      await a.close();
      await b.close();
    });

    test("discardPending drops applied-but-uncommitted changes", async () => {
      const cms = await openMultiStore({ dir: newDir(), storeNames: ["bank"] });
      const held = cms.getStore("bank"); // callers may keep the root store handle across blocks
      cms.getStore("bank").set(e("a"), e("1"));
      const c1 = await cms.commit();
      cms.getStore("bank").set(e("b"), e("2"));
      cms.getStore("bank").delete(e("a"));
      cms.workingHash();
      cms.getStore("bank").set(e("c"), e("3"));
      cms.discardPending();
      expect(toHex(cms.workingHash())).toBe(toHex(c1.appHash));
      expect([...cms.getStore("bank").iterator()].map(([k]) => str(k))).toEqual(["a"]);
      expect(toHex((await cms.commit()).appHash)).toBe(toHex(c1.appHash)); // empty version keeps the root
      held.set(e("d"), e("4"));
      expect(str(cms.getStore("bank").get(e("d")))).toBe("4");
      await cms.commit();
      expect(str(cms.query("bank", e("d"), 0, false).value)).toBe("4");
      await cms.close();
    });

    test("pruning keeps the latest N plus every K-th version and deletes the rest", async () => {
      const dir = newDir();
      let cms = await openMultiStore({ dir, storeNames: ["bank"], keepRecent: 3, keepEvery: 5 });
      const values = new Map<number, string>();
      for (let v = 1; v <= 20; v++) {
        for (let i = 0; i < 40; i++) cms.getStore("bank").set(e(`k${i}`), e(`v${v}-${i}`));
        values.set(v, `v${v}-7`);
        await cms.commit();
        if (v === 12) {
          await cms.close(); // pruning state survives a reopen
          cms = await openMultiStore({ dir, storeNames: ["bank"], keepRecent: 3, keepEvery: 5 });
        }
      }
      const kept = [5, 10, 15, 18, 19, 20];
      expect(cms.earliestVersion).toBe(5);
      for (let v = 1; v <= 20; v++) {
        if (kept.includes(v)) {
          const q = cms.query("bank", e("k7"), v, true);
          expect(str(q.value)).toBe(values.get(v));
          // Every node of a kept version is still there: iterate its whole tree via proofs of all keys.
          for (let i = 0; i < 40; i++) expect(cms.query("bank", e(`k${i}`), v, false).value).toBeDefined();
        } else {
          expect(() => cms.query("bank", e("k7"), v, false)).toThrow(/not available/);
        }
      }
      // Only nodes reachable from kept versions remain on disk.
      const reachable = await countNodes(cms);
      const ref = await openMultiStore({ dir: newDir(), storeNames: ["bank"], keepRecent: 0 });
      for (let v = 1; v <= 20; v++) {
        for (let i = 0; i < 40; i++) ref.getStore("bank").set(e(`k${i}`), e(`v${v}-${i}`));
        await ref.commit();
      }
      const all = await countNodes(ref);
      expect(reachable).toBeLessThan(all / 2);
      // Exactly: each version rewrites all 40 leaves and all 39 inner nodes, so kept versions
      // share nothing: 6 versions x (40 leaf records + 1 page of 39 inner nodes).
      expect(reachable).toBe(kept.length * 41);
      expect(ref.earliestVersion).toBe(1);
      await ref.close();
      await cms.close();
    });

    test("pruning work is bounded per commit and catches up", async () => {
      const cms = await openMultiStore({ dir: newDir(), storeNames: ["bank"], keepRecent: 1, pruneBudget: 30 } as never);
      for (let v = 1; v <= 4; v++) {
        for (let i = 0; i < 40; i++) cms.getStore("bank").set(e(`k${i}`), e(`v${v}`));
        await cms.commit();
      }
      // 3 versions x 79 orphaned nodes queued, at most 30 processed per commit.
      let n = await countNodes(cms);
      expect(n).toBeGreaterThan(41);
      for (let v = 5; v <= 20; v++) {
        await cms.commit(); // empty commits keep pruning
        const m = await countNodes(cms);
        expect(n - m).toBeLessThanOrEqual(30);
        n = m;
      }
      expect(n).toBe(41); // 40 leaf records + 1 inner page
      await cms.close();
    });

    test("pruning under random churn deletes exactly what no retained version reaches", async () => {
      const cms = (await openMultiStore({ dir: newDir(), storeNames: ["bank", "gov"], keepRecent: 4, keepEvery: 7, pruneBudget: 50 } as never)) as RootMultiStore;
      const r = new FixturePrng("churn");
      const models = new Map<number, Map<string, string>>();
      const model = new Map<string, string>();
      const check = async () => {
        const latest = cms.lastCommit.version;
        const retained = [...models.keys()].filter((v) => v > latest - 4 || v % 7 === 0);
        expect(cms.earliestVersion).toBe(Math.min(...retained));
        const reach = new Set<string>();
        for (const v of retained) {
          // Reads at every retained version match the model of that version.
          const m = models.get(v)!;
          for (let i = 0; i < 300; i++) {
            const k = `key${i}`;
            const q = cms.query("bank", e(k), v, false);
            expect(str(q.value)).toBe(m.get(k));
          }
          // Walk the whole tree (every node must load) and collect node keys.
          const t = diskTree(cms, "bank", v);
          const stack = t.root ? [t.root] : [];
          while (stack.length) {
            const n = t.load(stack.pop()!);
            reach.add(`${n.version}/${n.nonce >= 0x80000000 ? "L" + n.nonce : "P" + Math.floor((n.nonce - 1) / 64)}`);
            if (n.height > 0) stack.push(n.left!, n.right!);
          }
        }
        const stored = new Set<string>();
        const prefix = new Uint8Array([0x6e, 4, ...Buffer.from("bank")]);
        for await (const k of cms.database.keys({ gte: prefix, lt: new Uint8Array([0x6e, 4, ...Buffer.from("banl")]) })) {
          const v = Number(Buffer.from(k).readBigUInt64BE(prefix.length));
          const x = Buffer.from(k).readUInt32BE(prefix.length + 8);
          stored.add(`${v}/${x >= 0x80000000 ? "L" + x : "P" + x}`);
        }
        return { reach, stored };
      };
      for (let v = 1; v <= 40; v++) {
        for (let i = 0; i < 40; i++) {
          const k = `key${r.intn(300)}`;
          if (r.intn(4) === 0) {
            cms.getStore("bank").delete(e(k));
            model.delete(k);
          } else {
            const val = `v${v}-${r.intn(1000)}`;
            cms.getStore("bank").set(e(k), e(val));
            model.set(k, val);
          }
        }
        cms.getStore("gov").set(e(`g${v}`), e("x"));
        await cms.commit();
        models.set(v, new Map(model));
        if (v % 13 === 0) {
          const { reach, stored } = await check();
          for (const x of reach) expect(stored.has(x)).toBe(true); // nothing reachable deleted
        }
      }
      for (let i = 0; i < 30; i++) await cms.commit(); // let pruning catch up (no new writes)
      for (let v = 41; v <= 70; v++) models.set(v, new Map(model));
      const { reach, stored } = await check();
      expect([...stored].sort()).toEqual([...reach].sort()); // and everything unreachable is gone
      await cms.close();
    });

    test("trimming cached nodes (memory bound) changes nothing observable", async () => {
      const small = (await openMultiStore({ dir: newDir(), storeNames: ["bank"], maxCachedNodes: 50, evictDepth: 2 } as never)) as RootMultiStore;
      const full = await openMultiStore({ dir: newDir(), storeNames: ["bank"] });
      const r = new FixturePrng("evict");
      for (let v = 1; v <= 8; v++) {
        for (let i = 0; i < 250; i++) {
          const k = e(`k${r.intn(1500)}`);
          const del = r.intn(5) === 0;
          for (const s of [small, full]) {
            if (del) s.getStore("bank").delete(k);
            else s.getStore("bank").set(k, e(`v${v}`));
          }
        }
        const a = await small.commit();
        const b = await full.commit();
        expect(toHex(a.appHash)).toBe(toHex(b.appHash));
        if (arena) {
          const t = small.treeAt("bank", v) as ArenaTree;
          const a = t.arena;
          expect(a.height(a.left(a.left(a.left(t.root))))).toBe(-1); // trimmed to stubs
        } else {
          expect((small.treeAt("bank", v) as IavlTree).root!.left!.left!.left!.height).toBe(-1); // trimmed to stubs
        }
        const it = (s: CommitMultiStore) => [...s.getStore("bank").iterator(e("k3"), e("k7"))].map(([k, x]) => `${str(k)}=${str(x)}`);
        expect(it(small)).toEqual(it(full));
        expect(small.query("bank", e("k42"), 0, true).proofOps![0]!.data).toEqual(full.query("bank", e("k42"), 0, true).proofOps![0]!.data);
      }
      await small.close();
      await full.close();
    });

    test("bad input is rejected with StoreError", async () => {
      const cms = await openMultiStore({ dir: newDir(), storeNames: ["bank"] });
      const s = cms.branch().getStore("bank");
      expect(() => s.set(new Uint8Array(0), e("v"))).toThrow(StoreError);
      expect(() => s.set(e("k"), new Uint8Array(0))).toThrow(/empty value/);
      expect(() => s.set(new Uint8Array(MAX_KEY_BYTES + 1), e("v"))).toThrow(/exceeds/);
      expect(() => s.set(e("k"), new Uint8Array(MAX_VALUE_BYTES + 1))).toThrow(/exceeds/);
      expect(() => s.delete(new Uint8Array(0))).toThrow(StoreError);
      expect(() => cms.getStore("nope")).toThrow(/not mounted/);
      expect(() => cms.query("bank", e("k"), 0, false)).toThrow(/nothing has been committed/);
      await cms.commit();
      expect(() => cms.query("bank", e("k"), 5, false)).toThrow(/not committed yet/);
      await expect(openMultiStore({ dir: newDir(), storeNames: ["Bad Name"] })).rejects.toThrow(StoreError);
      await cms.close();
    });

    /** A closed "bank" store with 64 keys at version 1 and k3 rewritten at version 2; returns its dir. */
    const twoVersions = async (): Promise<string> => {
      const dir = newDir();
      const cms = await openMultiStore({ dir, storeNames: ["bank"] });
      for (let i = 0; i < 64; i++) cms.getStore("bank").set(e(`k${i}`), e(`v${i}`));
      await cms.commit();
      cms.getStore("bank").set(e("k3"), e("new"));
      await cms.commit();
      await cms.close();
      return dir;
    };

    test("a corrupt or missing node raises StoreError naming the version and key", async () => {
      const dir = await twoVersions();
      let cms: RootMultiStore;

      // Flip one byte in every version-1 node record, then reopen (no nodes cached).
      const { Level } = await import("level");
      const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
      const victims: [Uint8Array, Uint8Array][] = [];
      for await (const [k, v] of db.iterator({ gte: new Uint8Array([TAG_NODE]), lt: new Uint8Array([TAG_NODE + 1]) })) victims.push([k, v]);
      const first = victims[0]!;
      const bad = Uint8Array.from(first[1]);
      bad[bad.length - 6] ^= 0x01;
      await db.put(first[0], bad);
      await db.close();

      cms = await openMultiStore({ dir, storeNames: ["bank"] });
      let err: unknown;
      try {
        for (let i = 0; i < 64; i++) cms.query("bank", e(`k${i}`), 1, false);
      } catch (x) {
        err = x;
      }
      expect(err).toBeInstanceOf(StoreError);
      expect((err as Error).message).toMatch(/corrupt/);
      expect((err as Error).message).toMatch(/version 1/);
      expect((err as Error).message).toMatch(/key 6b/);
      await cms.close();

      const db2 = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
      await db2.del(first[0]);
      await db2.close();
      cms = await openMultiStore({ dir, storeNames: ["bank"] });
      expect(() => {
        for (let i = 0; i < 64; i++) cms.query("bank", e(`k${i}`), 1, true);
      }).toThrow(/missing/);
      await cms.close();
    });

    test("a corrupt node under the latest version raises StoreError naming versions and key (proof, write, iteration)", async () => {
      const dir = await twoVersions();
      let cms: RootMultiStore;

      // Corrupt the leaf record of k40 (written at version 1, still live at version 2).
      const { Level } = await import("level");
      const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
      let victim: [Uint8Array, Uint8Array] | undefined;
      for await (const [k, v] of db.iterator({ gte: new Uint8Array([TAG_NODE]), lt: new Uint8Array([TAG_NODE + 1]) })) {
        if (Buffer.from(k).readUInt32BE(k.length - 4) >= 0x80000000 && Buffer.from(v).includes("k40v40")) victim = [k, v];
      }
      const bad = Uint8Array.from(victim![1]);
      bad[bad.length - 6] ^= 0x01;
      await db.put(victim![0], bad);
      await db.close();

      const expectStoreError = (f: () => unknown, ...patterns: RegExp[]) => {
        let err: unknown;
        try {
          f();
        } catch (x) {
          err = x;
        }
        expect(err).toBeInstanceOf(StoreError);
        for (const p of patterns) expect((err as Error).message).toMatch(p);
      };
      cms = await openMultiStore({ dir, storeNames: ["bank"] });
      expect(str(cms.query("bank", e("k40"), 0, false).value)).toBe("v40"); // fast index: no tree walk
      expectStoreError(() => cms.query("bank", e("k40"), 0, true), /corrupt/, /node \(version 1, nonce/, /at version 2/, /key 6b3430/);
      expectStoreError(() => [...cms.viewAt(0).getStore("bank").iterator()], /corrupt/, /version 1/, /committed version 2/);
      expectStoreError(() => [...cms.getStore("bank").iterator()], /corrupt/, /version 1/, /working version 3/);
      cms.getStore("bank").delete(e("k40")); // (an update would replace the cached key's leaf unread)
      expectStoreError(() => cms.workingHash(), /corrupt/, /version 1/, /writing key 6b3430 at working version 3/);
      await cms.close();
    });

    test("reopen refuses to drop a store that exists on disk; new stores start empty", async () => {
      const dir = newDir();
      let cms = await openMultiStore({ dir, storeNames: ["bank", "auth"] });
      cms.getStore("bank").set(e("a"), e("1"));
      await cms.commit();
      await cms.close();
      await expect(openMultiStore({ dir, storeNames: ["bank"] })).rejects.toThrow(/not mounted/);
      cms = await openMultiStore({ dir, storeNames: ["bank", "auth", "gov"] });
      expect(cms.getStore("gov").get(e("a"))).toBeUndefined();
      cms.getStore("gov").set(e("p"), e("1"));
      expect((await cms.commit()).version).toBe(2);
      await cms.close();
    });
  });
});

describe("ArenaTree and IavlTree live trees write the same database", () => {
  /** 2 stores, 16 versions of churn with deletes, pruning, reopens (`modes[i]` = arena for the i-th open). */
  async function workload(dir: string, modes: boolean[]): Promise<string[]> {
    const opts = { dir, storeNames: ["bank", "gov"], keepRecent: 3, keepEvery: 5, pruneBudget: 700 };
    let opened = 0;
    let cms = await RootMultiStore.open({ ...opts, arena: modes[opened++ % modes.length] });
    const r = new FixturePrng("same-bytes");
    const hashes: string[] = [];
    for (let v = 1; v <= 16; v++) {
      const b = cms.branch();
      for (let i = 0; i < 120; i++) {
        const store = r.intn(3) === 0 ? "gov" : "bank";
        const k = e(`${store}-key-${r.intn(400)}`);
        if (r.intn(5) === 0) b.getStore(store).delete(k);
        else b.getStore(store).set(k, e(`v${v}.${r.intn(1e6)}`.repeat(1 + r.intn(3))));
      }
      b.write();
      if (v === 6) {
        cms.workingHash();
        cms.discardPending(); // rolled back: version 6 has no writes
      }
      // Reads between blocks (fast index, tree walks, old versions) must not change what is written.
      if (v > 2) {
        cms.query("bank", e("bank-key-7"), v - 2, true);
        [...cms.viewAt(0).getStore("gov").iterator()];
      }
      hashes.push(toHex((await cms.commit()).appHash));
      if (v % 5 === 0) {
        await cms.close();
        cms = await RootMultiStore.open({ ...opts, arena: modes[opened++ % modes.length] });
      }
    }
    await cms.close();
    return hashes;
  }

  async function dump(dir: string): Promise<[string, string][]> {
    const { Level } = await import("level");
    const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
    const out: [string, string][] = [];
    for await (const [k, v] of db.iterator()) out.push([toHex(k), toHex(v)]);
    await db.close();
    return out;
  }

  test("same AppHashes and the same LevelDB contents, key by key; either mode reopens the other's database", async () => {
    const dirs = [newDir(), newDir(), newDir()];
    const hashes = [await workload(dirs[0]!, [false]), await workload(dirs[1]!, [true]), await workload(dirs[2]!, [true, false])];
    expect(hashes[1]).toEqual(hashes[0]);
    expect(hashes[2]).toEqual(hashes[0]);
    const [a, b, c] = [await dump(dirs[0]!), await dump(dirs[1]!), await dump(dirs[2]!)];
    expect(a.length).toBeGreaterThan(100);
    expect(b.length).toBe(a.length);
    for (let i = 0; i < a.length; i++) expect(b[i]).toEqual(a[i]);
    expect(c).toEqual(a);
  });
});

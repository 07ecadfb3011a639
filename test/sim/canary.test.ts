/**
 * The simulation's checks catch what they claim to catch (anchor B6 #24, "non-determinism
 * canary"): test-only modules appended to the node's wiring break one property each, and the
 * harness must notice within a couple of blocks.
 *  - nondeterministic state (a value that differs per process/instance, like Date.now()) →
 *    same-seed runs disagree on the AppHash at height 1;
 *  - a balance silently moved between accounts (supply intact) → the model/store comparison fails;
 *  - coins created without supply → the bank total-supply invariant reports it.
 */
import type { Module } from "../../chain/app/types";
import { fromHex } from "../../chain/crypto/hash";
import { balanceKey, decodeAmount, encodeAmount } from "../../modules/bank/keys";
import { runInvariants, runSim, simGenesis } from "./sim";
import { TempDirs } from "./tmp";

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());
const enc = (s: string) => Buffer.from(s);

let instances = 0;
/** Writes a per-instance value into state at every EndBlock: what Date.now()/Math.random() would do. */
function nondeterministic(): Module {
  const me = ++instances;
  return { name: "canary", endBlock: (ctx) => void ctx.store("canary").set(enc("who"), enc(`instance-${me}`)) };
}

/** At `height`, EndBlock moves 1ugrid from genesis account 0 to account 1 by writing bank's store directly. */
function thief(seed: string, height: bigint, mint = false): Module {
  const [a, b] = simGenesis(seed, 20).accounts;
  return {
    name: "thief",
    stores: [],
    endBlock(ctx) {
      if (ctx.header.height !== height) return;
      const s = ctx.store("bank");
      const bump = (hex: string, d: bigint) => {
        const k = balanceKey(fromHex(hex), "ugrid");
        s.set(k, encodeAmount(decodeAmount(s.get(k)!) + d));
      };
      if (!mint) bump(a!.hex, -1n);
      bump(b!.hex, 1n);
    },
  };
}

test("nondeterministic state is caught: two same-seed runs differ at height 1", async () => {
  const run = (label: string) => runSim({ seed: "canary", dir: dirs.next(label), blocks: 2, txsPerBlock: 5, extraModules: [nondeterministic()] });
  const [x, y] = [await run("nd-1"), await run("nd-2")];
  expect(x.blocks[0]!.appHash).not.toBe(y.blocks[0]!.appHash);
  // …and without the canary the same two runs agree (the difference is the canary's alone).
  const [p, q] = [await runSim({ seed: "canary", dir: dirs.next("d-1"), blocks: 2, txsPerBlock: 5 }), await runSim({ seed: "canary", dir: dirs.next("d-2"), blocks: 2, txsPerBlock: 5 })];
  expect(p.blocks.map((b) => b.appHash)).toEqual(q.blocks.map((b) => b.appHash));
}, 60_000);

test("a balance moved behind the model's back is caught at that block", async () => {
  await expect(runSim({ seed: "canary", dir: dirs.next("thief"), blocks: 4, txsPerBlock: 5, checkEvery: 1, extraModules: [thief("canary", 3n)] })).rejects.toThrow(
    /after block 3: store and model differ:[\s\S]*balance in store only/,
  );
}, 60_000);

test("coins created without supply break the bank total-supply invariant", async () => {
  const r = await runSim({ seed: "canary", dir: dirs.next("mint"), blocks: 3, txsPerBlock: 5, checkState: false, keepOpen: true, extraModules: [thief("canary", 2n, true)] });
  expect(runInvariants(r.opened!)).toEqual([expect.stringMatching(/^bank\/total-supply: total supply != sum of balances for ugrid/)]);
  await r.opened!.close();
}, 60_000);

/**
 * The params / send-flag read cache (ScopedReadCache) must never serve a stale value and must
 * charge exactly the gas of the read it replaces.
 */
import { createContext, BasicGasMeter } from "../../chain/app/context";
import type { ExecMode } from "../../chain/app/types";
import type { CacheMultiStore } from "../../chain/store/types";
import { MemStore, newMemDisk } from "../../test/helpers/memStore";
import { silent } from "../../test/helpers/txkit";
import { AuthKeeper } from "../auth/keeper";
import { Params } from "./params";
import { BankKeeper } from "./keeper";

function setup() {
  const store = new MemStore(["auth", "bank"], newMemDisk());
  const auth = new AuthKeeper();
  const bank = new BankKeeper(auth);
  const ctx = (s: CacheMultiStore, mode: ExecMode, height: bigint, gas = new BasicGasMeter(0n)) =>
    createContext({ header: { height, time: { seconds: 0n, nanos: 0 }, chainId: "t", proposer: new Uint8Array() }, mode, store: s, gas, logger: silent });
  return { store, auth, bank, ctx };
}

test("a hit charges the same gas, in the same steps, as the read it replaces (and as an uncached keeper)", () => {
  const { store, bank, auth, ctx } = setup();
  const g = store.branch();
  bank.setParams(ctx(g, "genesis", 0n), { sendEnabled: [], defaultSendEnabled: true });
  auth.setParams(ctx(g, "genesis", 0n), { maxMemoCharacters: 256n, txSigLimit: 7n, txSizeCostPerByte: 10n, sigVerifyCostEd25519: 590n, sigVerifyCostSecp256k1: 1000n });
  g.write();
  const block = store.branch();
  const used: bigint[] = [];
  for (let i = 0; i < 3; i++) {
    const meter = new BasicGasMeter(0n);
    const c = ctx(block.branch(), "finalize", 5n, meter);
    expect(bank.isSendEnabled(c, "ugrid")).toBe(true);
    expect(auth.getParams(c).txSigLimit).toBe(7n);
    used.push(meter.consumed());
  }
  const fresh = new BasicGasMeter(0n);
  const other = new BankKeeper(new AuthKeeper());
  const c = ctx(block.branch(), "finalize", 5n, fresh);
  other.isSendEnabled(c, "ugrid");
  (other.accounts as AuthKeeper).getParams(c);
  expect(used).toEqual([fresh.consumed(), fresh.consumed(), fresh.consumed()]);
  expect(fresh.consumed()).toBeGreaterThan(2000n);
  // Out of gas on a hit fails at the same point with the same message as on a miss.
  const limit = fresh.consumed() - 1n;
  const msg = (k: BankKeeper) => {
    try {
      const cc = ctx(block.branch(), "finalize", 5n, new BasicGasMeter(limit));
      k.isSendEnabled(cc, "ugrid");
      (k.accounts as AuthKeeper).getParams(cc);
      return "no error";
    } catch (e) {
      return (e as Error).message;
    }
  };
  expect(msg(bank)).toBe(msg(new BankKeeper(new AuthKeeper())));
  expect(msg(bank)).toMatch(/out of gas/);
});

test("a write in a branch that is discarded never leaves its value in the cache", () => {
  const { store, bank, ctx } = setup();
  const block = store.branch();
  expect(bank.isSendEnabled(ctx(block, "finalize", 5n), "ugrid")).toBe(true); // cached
  const tx = block.branch();
  bank.setSendEnabled(ctx(tx, "finalize", 5n), "ugrid", false);
  expect(bank.isSendEnabled(ctx(tx, "finalize", 5n), "ugrid")).toBe(false);
  // tx branch dropped (a failed message): the block still sees the flag unset.
  expect(bank.isSendEnabled(ctx(block, "finalize", 5n), "ugrid")).toBe(true);
  // Same for auth params (read by every ante).
  const auth = bank.accounts as AuthKeeper;
  expect(auth.getParams(ctx(block, "finalize", 5n)).txSigLimit).toBe(7n);
  const tx2 = block.branch();
  auth.setParams(ctx(tx2, "finalize", 5n), { ...auth.getParams(ctx(tx2, "finalize", 5n)), txSigLimit: 3n });
  expect(auth.getParams(ctx(tx2, "finalize", 5n)).txSigLimit).toBe(3n);
  expect(auth.getParams(ctx(block, "finalize", 5n)).txSigLimit).toBe(7n);
});

test("a committed change is seen by the next block and by CheckTx; mempool and block scopes are separate", async () => {
  const { store, bank, ctx } = setup();
  expect(bank.isSendEnabled(ctx(store.branch(), "check", 1n), "ugrid")).toBe(true);
  expect(bank.isSendEnabled(ctx(store.branch(), "finalize", 1n), "ugrid")).toBe(true);
  const block = store.branch();
  bank.setSendEnabled(ctx(block, "finalize", 1n), "ugrid", false);
  // CheckTx between FinalizeBlock and Commit still reads the committed state.
  expect(bank.isSendEnabled(ctx(store.branch(), "check", 1n), "ugrid")).toBe(true);
  block.write();
  await store.commit();
  expect(bank.isSendEnabled(ctx(store.branch(), "check", 2n), "ugrid")).toBe(false);
  expect(bank.isSendEnabled(ctx(store.branch(), "finalize", 2n), "ugrid")).toBe(false);
  expect(bank.isSendEnabled(ctx(store.branch(), "recheck", 2n), "ugrid")).toBe(false);
});

test("a replayed block (FinalizeBlock again without Commit) re-reads state after a write in the dropped run", () => {
  const { store, bank, ctx } = setup();
  const run1 = store.branch();
  expect(bank.isSendEnabled(ctx(run1, "finalize", 1n), "ugrid")).toBe(true);
  bank.setSendEnabled(ctx(run1, "finalize", 1n), "ugrid", false);
  expect(bank.isSendEnabled(ctx(run1, "finalize", 1n), "ugrid")).toBe(false);
  const run2 = store.branch(); // run1 discarded
  expect(bank.isSendEnabled(ctx(run2, "finalize", 1n), "ugrid")).toBe(true);
});

test("genesis, simulation and queries are not cached", () => {
  const { store, bank, ctx } = setup();
  const s = store.branch();
  expect(bank.isSendEnabled(ctx(s, "simulate", 1n), "ugrid")).toBe(true);
  s.getStore("bank").set(new Uint8Array([0x04, ...Buffer.from("ugrid")]), new Uint8Array([0])); // raw write, no invalidation
  expect(bank.isSendEnabled(ctx(s, "simulate", 1n), "ugrid")).toBe(false);
  expect(bank.isSendEnabled(ctx(s, "genesis", 1n), "ugrid")).toBe(false);
  expect(bank.isSendEnabled({ store: (n: string) => s.getStore(n) } as never, "ugrid")).toBe(false);
});

test("default_send_enabled false is stored as a non-empty value and read back as false", () => {
  const { store, bank, ctx } = setup();
  const g = store.branch();
  bank.setParams(ctx(g, "genesis", 0n), { sendEnabled: [], defaultSendEnabled: false });
  g.write();
  const raw = store.getStore("bank").get(new Uint8Array([0x05]));
  expect(raw).toEqual(new Uint8Array([0x10, 0x00]));
  expect(Params.decode(raw!).defaultSendEnabled).toBe(false);
  const c = ctx(store.branch(), "finalize", 2n);
  expect(bank.getParams(c).defaultSendEnabled).toBe(false);
  expect(bank.isSendEnabled(c, "ugrid")).toBe(false);
});

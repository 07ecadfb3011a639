/**
 * The fee collector's existence is answered from a per-scope cache (every tx's fee transfer asks):
 * same answers and gas as the store, and never stale when the account is created in the scope.
 */
import { BasicGasMeter, createContext } from "../../chain/app/context";
import { moduleAddress } from "../../chain/crypto/address";
import type { ExecMode } from "../../chain/app/types";
import type { CacheMultiStore } from "../../chain/store/types";
import { MemStore, newMemDisk } from "../../test/helpers/memStore";
import { silent } from "../../test/helpers/txkit";
import { AuthKeeper } from "./keeper";

const FC = moduleAddress("fee_collector");

function setup() {
  const store = new MemStore(["auth"], newMemDisk());
  const ctx = (s: CacheMultiStore, mode: ExecMode, height: bigint, gas = new BasicGasMeter(0n)) =>
    createContext({ header: { height, time: { seconds: 0n, nanos: 0 }, chainId: "t", proposer: new Uint8Array() }, mode, store: s, gas, logger: silent });
  return { store, ctx };
}

test("hits charge the Has they replace; answers match an uncached keeper", () => {
  const { store, ctx } = setup();
  const g = store.branch();
  new AuthKeeper().ensureModuleAccount(ctx(g, "genesis", 0n), "fee_collector");
  g.write();
  const auth = new AuthKeeper();
  const block = store.branch();
  for (let i = 0; i < 3; i++) {
    const cached = new BasicGasMeter(0n);
    const plain = new BasicGasMeter(0n);
    expect(auth.hasAccount(ctx(block.branch(), "finalize", 5n, cached), FC)).toBe(true);
    expect(new AuthKeeper().hasAccount(ctx(block.branch(), "finalize", 5n, plain), FC)).toBe(true);
    expect(cached.consumed()).toBe(plain.consumed());
    expect(cached.consumed()).toBe(1000n);
  }
  // Out of gas at the same point either way.
  expect(() => auth.hasAccount(ctx(block.branch(), "finalize", 5n, new BasicGasMeter(999n)), FC)).toThrow(/out of gas in location: Has/);
});

test("a cached absence is never served after the account is created in the scope (kept or discarded branch)", () => {
  const { store, ctx } = setup();
  const auth = new AuthKeeper();
  const block = store.branch();
  expect(auth.hasAccount(ctx(block.branch(), "finalize", 7n), FC)).toBe(false); // cached: absent
  // Created in a tx branch that is discarded: still absent, from the store.
  const failed = block.branch();
  auth.ensureAccountExists(ctx(failed, "finalize", 7n), FC);
  expect(auth.hasAccount(ctx(failed, "finalize", 7n), FC)).toBe(true);
  expect(auth.hasAccount(ctx(block.branch(), "finalize", 7n), FC)).toBe(false);
  // Created in a branch that is kept: present.
  const ok = block.branch();
  auth.ensureAccountExists(ctx(ok, "finalize", 7n), FC);
  ok.write();
  expect(auth.hasAccount(ctx(block.branch(), "finalize", 7n), FC)).toBe(true);
  // Mempool side of the same height: its own scope, read from its own state.
  expect(auth.hasAccount(ctx(store.branch(), "check", 7n), FC)).toBe(false);
});

/**
 * The wallet path on the real wiring and the real LevelDB store: /cosmos.bank.v1beta1.Query/Balance
 * between FinalizeBlock and Commit answers the committed balance, at height h-1 the older one, and
 * Simulate runs on committed state.
 */
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { SimulateRequest } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { appStoreNames } from "./app";
import { ModuleManager } from "./manager";
import { buildModules } from "./wiring";
import { openMultiStore } from "../store/multistore";
import { tempDir } from "../store/testutil";
import { blockReq, buildSignedTx, CHAIN_ID, keyFromSeed, msgSend, newTestChain, silent, type TestChain } from "../../test/helpers/txkit";

const alice = keyFromSeed("alice");
const carol = keyFromSeed("carol");
const FUND = 1_000_000_000n;

const balanceQuery = (c: TestChain, addr: string, height = 0n) =>
  c.app.query({ path: "/cosmos.bank.v1beta1.Query/Balance", data: QueryBalanceRequest.encode({ address: addr, denom: "ugrid" }).finish(), height, prove: false });
const amount = (r: { value: Uint8Array }) => BigInt(QueryBalanceResponse.decode(r.value).balance?.amount ?? "0");

test("Balance between FinalizeBlock and Commit, at h-1 and in the future; Simulate on committed state", async () => {
  const t = tempDir("hg-appbank-");
  const wiring = buildModules({ logger: silent });
  const store = await openMultiStore({ dir: t.dir, storeNames: appStoreNames(new ModuleManager(wiring.modules, wiring.order)) });
  try {
    const c = newTestChain([{ address: alice.address, amount: FUND }], { store: () => store });
    const acc = c.app.query({ path: "/cosmos.auth.v1beta1.Query/Account", data: QueryAccountRequest.encode({ address: alice.address }).finish(), height: 0n, prove: false });
    expect(acc.code).toBe(0);
    const accNum = BaseAccount.decode(QueryAccountResponse.decode(acc.value).account!.value).accountNumber;
    const sendN = (seq: bigint, amt: bigint) =>
      buildSignedTx({ key: alice, msgs: [msgSend(alice.address, carol.address, amt)], chainId: CHAIN_ID, accountNumber: accNum, sequence: seq }).bytes;

    // Block 1: alice → carol 1000.
    expect(c.app.finalizeBlock(blockReq(1n, [sendN(0n, 1000n)])).txResults[0]!.code).toBe(0);
    await c.app.commit();
    const b1 = balanceQuery(c, carol.address);
    expect([b1.code, amount(b1), b1.height]).toEqual([0, 1000n, 1n]);

    // Block 2: alice → carol 500, finalized but not committed.
    expect(c.app.finalizeBlock(blockReq(2n, [sendN(1n, 500n)])).txResults[0]!.code).toBe(0);
    const mid = balanceQuery(c, carol.address);
    expect([mid.code, amount(mid), mid.height]).toEqual([0, 1000n, 1n]); // not 1500: block 2 is pending
    // Simulate of alice's next tx on committed state: sequence 1 is still the next one (2 would be "pending" state).
    const sim = (seq: bigint, height = 0n) =>
      c.app.query({ path: "/cosmos.tx.v1beta1.Service/Simulate", data: SimulateRequest.encode({ txBytes: sendN(seq, 1n) } as SimulateRequest).finish(), height, prove: false });
    expect([sim(1n).code, sim(1n).height]).toEqual([0, 1n]);
    expect(sim(2n).code).toBe(32); // wrong sequence against committed state
    await c.app.commit();

    const now = balanceQuery(c, carol.address);
    expect([now.code, amount(now), now.height]).toEqual([0, 1500n, 2n]);
    const prev = balanceQuery(c, carol.address, 1n);
    expect([prev.code, amount(prev), prev.height]).toEqual([0, 1000n, 1n]);
    const future = balanceQuery(c, carol.address, 3n);
    expect(future.code).toBe(26);
    expect(future.log).toMatch(/cannot query with height in the future; please provide a valid height/);
    expect(sim(1n, 1n).code).toBe(0); // Simulate at height 1: sequence 1 was next then
    expect(sim(2n).code).toBe(0);
  } finally {
    await store.close();
    t.cleanup();
  }
});

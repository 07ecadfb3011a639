/**
 * Micro-benchmark of the tx pipeline alone (no IAVL, no LevelDB): the App over the test MemStore,
 * N pre-signed MsgSends through CheckTx then FinalizeBlock. Reports CPU µs per tx, which isolates
 * chain/tx + auth/bank costs from the store's. `BENCH_TXS=5000 npx tsx test/bench/pipeline-micro.ts`
 */
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { CHAIN_ID, blockReq, buildSignedTx, keyFromSeed, msgSend, newTestChain } from "../helpers/txkit";

const N = Number(process.env.BENCH_TXS ?? 5000);
const keys = Array.from({ length: N }, (_, i) => keyFromSeed(`micro-${i}`));
const c = newTestChain(keys.map((k) => ({ address: k.address, amount: 1_000_000n })));
const FIRST_NUMBER = 4n; // after the 4 default module accounts
const txs = keys.map((k, i) =>
  buildSignedTx({ key: k, msgs: [msgSend(k.address, keys[(i + 1) % N].address, 1n)], chainId: CHAIN_ID, accountNumber: FIRST_NUMBER + BigInt(i), sequence: 0n, fee: { amount: [{ denom: "ugrid", amount: "250" }], gasLimit: 100_000n } }).bytes,
);
function cpu<T>(f: () => T): [T, number] {
  const u0 = process.cpuUsage();
  const r = f();
  const u = process.cpuUsage(u0);
  return [r, (u.user + u.system) / N];
}
const [, check] = cpu(() => txs.map((tx) => c.app.checkTx({ tx, type: CheckTxType.NEW })));
const [res, fin] = cpu(() => c.app.finalizeBlock(blockReq(1n, txs)));
const ok = res.txResults.filter((r) => r.code === 0).length;
if (ok !== N) throw new Error(`${ok}/${N} ok: ${res.txResults.find((r) => r.code)?.log}`);
const [, recheck] = cpu(() => txs.map((tx) => c.app.checkTx({ tx, type: CheckTxType.RECHECK })));
console.log(`pipeline (MemStore): CheckTx ${check.toFixed(0)} µs/tx CPU, FinalizeBlock (sigs cached) ${fin.toFixed(0)} µs/tx CPU, ReCheck ${recheck.toFixed(0)} µs/tx CPU`);

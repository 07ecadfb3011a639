/**
 * Parallel pre-verification of a block's signatures is only a SignatureCache fill: a node with it
 * and a node without it produce the same results, events, gas and AppHash for a block of txs they
 * never saw in CheckTx — valid ones, a bad signature, a missing key, a signer created in the block.
 */
import { CHAIN_ID, blockReq, buildSignedTx, keyFromSeed, msgSend, newTestChain, type TestChain } from "../../test/helpers/txkit";
import type { TxPipeline } from "./runner";

const N = 80;
const FIRST_NUMBER = 4n; // after the 4 default module accounts
const keys = Array.from({ length: N }, (_, i) => keyFromSeed(`pv-${i}`));
const fresh = keyFromSeed("pv-fresh");

function chain(parallel: boolean): { c: TestChain; runner: TxPipeline } {
  const c = newTestChain(keys.map((k) => ({ address: k.address, amount: 1_000_000n })));
  const runner = (c.app as unknown as { runner: TxPipeline }).runner;
  if (!parallel) (runner as unknown as { pool?: unknown }).pool = undefined;
  return { c, runner };
}

function blockTxs(): Uint8Array[] {
  const fee = { amount: [{ denom: "ugrid", amount: "250" }], gasLimit: 100_000n };
  const txs = keys.slice(0, N - 3).map((k, i) =>
    buildSignedTx({ key: k, msgs: [msgSend(k.address, keys[(i + 1) % N].address, 1n)], chainId: CHAIN_ID, accountNumber: FIRST_NUMBER + BigInt(i), sequence: 0n, fee }).bytes,
  );
  // Signed for another chain: fails signature verification.
  const k1 = keys[N - 3];
  txs.push(buildSignedTx({ key: k1, msgs: [msgSend(k1.address, keys[0].address, 1n)], chainId: "other-chain", accountNumber: FIRST_NUMBER + BigInt(N - 3), sequence: 0n, fee }).bytes);
  // No public key in the tx and none on the account yet.
  const k2 = keys[N - 2];
  txs.push(buildSignedTx({ key: k2, msgs: [msgSend(k2.address, keys[0].address, 1n)], chainId: CHAIN_ID, accountNumber: FIRST_NUMBER + BigInt(N - 2), sequence: 0n, fee, includePubkey: false }).bytes);
  // A new account funded in this block, then signing in the same block.
  const k3 = keys[N - 1];
  txs.push(buildSignedTx({ key: k3, msgs: [msgSend(k3.address, fresh.address, 100_000n)], chainId: CHAIN_ID, accountNumber: FIRST_NUMBER + BigInt(N - 1), sequence: 0n, fee }).bytes);
  txs.push(buildSignedTx({ key: fresh, msgs: [msgSend(fresh.address, keys[1].address, 5n)], chainId: CHAIN_ID, accountNumber: FIRST_NUMBER + BigInt(N), sequence: 0n, fee }).bytes);
  return txs;
}

test("a block of unseen txs: same results, gas, events and AppHash with and without pre-verification", async () => {
  const txs = blockTxs();
  const a = chain(true);
  const b = chain(false);
  const ra = a.c.app.finalizeBlock(blockReq(1n, txs));
  const rb = b.c.app.finalizeBlock(blockReq(1n, txs));
  expect(ra.txResults).toEqual(rb.txResults);
  expect(Buffer.from(ra.appHash).toString("hex")).toBe(Buffer.from(rb.appHash).toString("hex"));
  const codes = ra.txResults.map((r) => r.code);
  expect(codes.filter((x) => x === 0).length).toBe(N - 3 + 2);
  expect(codes[N - 3]).toBe(4); // unauthorized: signature verification failed
  expect(codes[N - 2]).toBe(8); // invalid pubkey: no key yet
  // The pre-verification did run and cache the valid signatures of existing accounts only.
  expect(a.runner.sigCache.size).toBe(N - 3 + 1);
  expect(b.runner.sigCache.size).toBe(0);
  const ca = await a.c.app.commit();
  const cb = await b.c.app.commit();
  expect(ca).toEqual(cb);
});

/**
 * finalizeBlockYielding (what the ABCI server calls) pauses between txs so the event loop can read
 * sockets; it must give exactly finalizeBlock's response (results, events, gas, AppHash) and state.
 */
import { CHAIN_ID, blockReq, buildSignedTx, keyFromSeed, msgSend, newTestChain } from "../../test/helpers/txkit";

const N = 300;
const keys = Array.from({ length: N }, (_, i) => keyFromSeed(`fy-${i}`));
const fee = { amount: [{ denom: "ugrid", amount: "250" }], gasLimit: 100_000n };

test("finalizeBlockYielding = finalizeBlock, and it lets timers run while a long block executes", async () => {
  const txs = keys.map(
    (k, i) =>
      buildSignedTx({
        key: k,
        msgs: [msgSend(k.address, keys[(i + 1) % N].address, i % 7 === 0 ? 10_000_000n : 1n)], // some fail (insufficient funds)
        chainId: CHAIN_ID,
        accountNumber: 4n + BigInt(i),
        sequence: 0n,
        fee,
      }).bytes,
  );
  const funded = keys.map((k) => ({ address: k.address, amount: 1_000_000n }));
  const a = newTestChain(funded);
  const b = newTestChain(funded);
  const ra = a.app.finalizeBlock(blockReq(1n, txs));
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const rb = await b.app.finalizeBlockYielding(blockReq(1n, txs));
  clearInterval(timer);
  expect(rb).toEqual(ra);
  expect(ra.txResults.filter((r) => r.code !== 0).length).toBeGreaterThan(0);
  expect(ticks).toBeGreaterThan(0); // the event loop ran during the block
  expect(await b.app.commit()).toEqual(await a.app.commit());
  expect(b.app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" })).toEqual(a.app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" }));
});

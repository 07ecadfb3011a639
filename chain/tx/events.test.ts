/**
 * A tx's events: the ante's (tx fee, acc_seq, signature, fee transfer) first, then each message's
 * with a trailing msg_index attribute; a failing message leaves the ante's events only.
 */
import { CHAIN_ID, DEFAULT_FEE, buildSignedTx, deliverBlock, keyFromSeed, msgSend, newTestChain } from "../../test/helpers/txkit";

const alice = keyFromSeed("ev-alice");
const bob = keyFromSeed("ev-bob");
const FIRST_NUMBER = 4n; // after the 4 default module accounts

const types = (evs: readonly { type: string; attributes: readonly { key: string; value: string }[] }[]) =>
  evs.map((e) => `${e.type}[${e.attributes.map((a) => `${a.key}=${a.key === "signature" ? "…" : a.value}`).join(",")}]`);

test("two messages: ante events, then message 0's and message 1's with msg_index; a failing second message drops both", async () => {
  const c = newTestChain([{ address: alice.address, amount: 1_000_000n }]);
  // One tx of alice's with one MsgSend to bob per amount.
  const sends = (sequence: bigint, amounts: bigint[]) =>
    buildSignedTx({ key: alice, msgs: amounts.map((a) => msgSend(alice.address, bob.address, a)), chainId: CHAIN_ID, accountNumber: FIRST_NUMBER, sequence, fee: DEFAULT_FEE }).bytes;
  const ok = sends(0n, [5n, 7n]);
  const bad = sends(1n, [1n, 10_000_000n]);
  const r = await deliverBlock(c, [ok, bad]);
  const [a, b] = r.txResults;
  expect(a.code).toBe(0);
  const feeCollector = a.events.find((e) => e.type === "transfer")!.attributes.find((x) => x.key === "recipient")!.value;
  const fee = "500ugrid";
  const ante = [
    `coin_spent[spender=${alice.address},amount=${fee}]`,
    `coin_received[receiver=${feeCollector},amount=${fee}]`,
    `transfer[recipient=${feeCollector},sender=${alice.address},amount=${fee}]`,
    `tx[fee=${fee},fee_payer=${alice.address}]`,
    `tx[acc_seq=${alice.address}/0]`,
    `tx[signature=…]`,
  ];
  const msg = (i: number, amount: string) => [
    `message[action=/cosmos.bank.v1beta1.MsgSend,sender=${alice.address},module=bank,msg_index=${i}]`,
    `coin_spent[spender=${alice.address},amount=${amount},msg_index=${i}]`,
    `coin_received[receiver=${bob.address},amount=${amount},msg_index=${i}]`,
    `transfer[recipient=${bob.address},sender=${alice.address},amount=${amount},msg_index=${i}]`,
  ];
  expect(types(a.events)).toEqual([...ante, ...msg(0, "5ugrid"), ...msg(1, "7ugrid")]);
  expect(b.code).toBe(5); // insufficient funds in message 1
  expect(types(b.events)).toEqual(ante.map((s) => s.replace("acc_seq=" + alice.address + "/0", "acc_seq=" + alice.address + "/1")));
});

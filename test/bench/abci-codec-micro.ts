/**
 * CPU time of encoding ABCI answers: cosmjs-types (`encodeFrame(Response.encode(res).finish())`) vs
 * chain/abci/codec.ts, for a CheckTx answer with the 7 events of a MsgSend's ante and a FinalizeBlock
 * of 1,000 results with 14 events each.
 *
 *   npx tsx test/bench/abci-codec-micro.ts
 */
import { Response } from "cosmjs-types/tendermint/abci/types";
import { encodeFrame } from "../../chain/abci/framing";
import { encodeResponseFrame } from "../../chain/abci/codec";

const addr = "hashgrid1qyqszqgpqyqszqgpqyqszqgpqyqszqgpz4kq4l";
const ev = (type: string, kv: [string, string][]) => ({ type, attributes: kv.map(([key, value]) => ({ key, value, index: true })) });
const events = [
  ev("coin_spent", [["spender", addr], ["amount", "250ugrid"]]),
  ev("coin_received", [["receiver", addr], ["amount", "250ugrid"]]),
  ev("transfer", [["recipient", addr], ["sender", addr], ["amount", "250ugrid"]]),
  ev("message", [["sender", addr]]),
  ev("tx", [["fee", "250ugrid"], ["fee_payer", addr]]),
  ev("tx", [["acc_seq", `${addr}/3`]]),
  ev("tx", [["signature", "Vd3nXy2lqNn8wYB8h8t8vGQ2b3lVh1t3b7x8e9F5c2Y1p0o9i8u7y6t5r4e3w2q1aAbBcCdDeEfFgG=="]]),
];
const check: Response = { checkTx: { code: 0, data: new Uint8Array(), log: "", info: "", gasWanted: 100_000n, gasUsed: 61_234n, events, codespace: "" } };
const block: Response = {
  finalizeBlock: { events: [], txResults: Array.from({ length: 1000 }, () => ({ ...check.checkTx!, events: [...events, ...events] })), validatorUpdates: [], consensusParamUpdates: undefined, appHash: new Uint8Array(32) },
};
const encoders: [string, (r: Response) => Buffer][] = [
  ["cosmjs-types", (r) => encodeFrame(Response.encode(r).finish())],
  ["codec.ts", encodeResponseFrame],
];
const cpu = (f: () => void): number => {
  const t = process.cpuUsage();
  f();
  const d = process.cpuUsage(t);
  return d.user + d.system;
};
for (let round = 1; round <= 3; round++) {
  for (const [name, enc] of encoders) {
    const c = cpu(() => {
      for (let i = 0; i < 20_000; i++) enc(check);
    });
    const b = cpu(() => {
      for (let i = 0; i < 10; i++) enc(block);
    });
    console.log(`round ${round} ${name.padEnd(12)} CheckTx answer ${(c / 20_000).toFixed(1)} µs, FinalizeBlock ${(b / 10_000).toFixed(1)} µs per tx result`);
  }
}

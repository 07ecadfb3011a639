/**
 * Keys a bank message will touch, for reading them ahead of the block (chain/app/prefetch.ts):
 * the sender's and each recipient's account (auth store) and balances of the sent denoms (bank
 * store). Only a hint: a wrong or missing key costs a read, never a result.
 */
import type { MsgMultiSend, MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { fromBech32 } from "../../chain/crypto/address";
import { accountKey } from "../auth/keys";
import { balanceKey } from "./keys";
import { MSG_MULTI_SEND, MSG_SEND } from "./msgs";

/** Adds [store, key] pairs to `out`; throws on a malformed address (the caller ignores the message). */
export type KeysToWarm = (msg: unknown, out: [string, Uint8Array][]) => void;

function party(address: string, coins: readonly { denom: string }[], out: [string, Uint8Array][]): void {
  const addr = fromBech32(address);
  out.push(["auth", accountKey(addr)]);
  for (const c of coins) out.push(["bank", balanceKey(addr, c.denom)]);
}

export const bankKeysToWarm: ReadonlyMap<string, KeysToWarm> = new Map<string, KeysToWarm>([
  [
    MSG_SEND,
    (msg, out) => {
      const m = msg as MsgSend;
      party(m.fromAddress, m.amount, out);
      party(m.toAddress, m.amount, out);
    },
  ],
  [
    MSG_MULTI_SEND,
    (msg, out) => {
      const m = msg as MsgMultiSend;
      for (const io of [...m.inputs, ...m.outputs]) party(io.address, io.coins, out);
    },
  ],
]);

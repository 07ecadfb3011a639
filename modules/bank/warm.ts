/**
 * Keys a bank message will touch, for reading them ahead of the block (chain/app/prefetch.ts):
 * the sender's and each recipient's account (auth store) and balances of the sent denoms (bank
 * store), each marked written or only read (a recipient's existing account is only read; the
 * sender's is written by the ante's sequence bump). Only a hint: a wrong or missing key costs a
 * read, never a result.
 */
import type { MsgMultiSend, MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { fromBech32 } from "../../chain/crypto/address";
import { accountKey } from "../auth/keys";
import { balanceKey } from "./keys";
import { MSG_MULTI_SEND, MSG_SEND } from "./msgs";

/** [store, key, written]: `written` = the block will write the key (its tree path is needed too). */
export type WarmKey = [string, Uint8Array, boolean];

/** Adds the message's keys to `out`; throws on a malformed address (the caller ignores the message). */
export type KeysToWarm = (msg: unknown, out: WarmKey[]) => void;

function party(address: string, coins: readonly { denom: string }[], sender: boolean, out: WarmKey[]): void {
  const addr = fromBech32(address);
  out.push(["auth", accountKey(addr), sender]);
  for (const c of coins) out.push(["bank", balanceKey(addr, c.denom), true]);
}

export const bankKeysToWarm: ReadonlyMap<string, KeysToWarm> = new Map<string, KeysToWarm>([
  [
    MSG_SEND,
    (msg, out) => {
      const m = msg as MsgSend;
      party(m.fromAddress, m.amount, true, out);
      party(m.toAddress, m.amount, false, out);
    },
  ],
  [
    MSG_MULTI_SEND,
    (msg, out) => {
      const m = msg as MsgMultiSend;
      for (const io of m.inputs) party(io.address, io.coins, true, out);
      for (const io of m.outputs) party(io.address, io.coins, false, out);
    },
  ],
]);

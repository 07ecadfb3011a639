/**
 * Keys a bank message will touch, for reading them ahead of the block (chain/app/prefetch.ts):
 * the sender's and each recipient's account (auth store) and balances of the sent denoms (bank
 * store), each marked written or only read (a recipient's existing account is only read; the
 * sender's is written by the ante's sequence bump). Only a hint: a wrong or missing key costs a
 * read, never a result.
 */
import type { MsgMultiSend, MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { fromBech32 } from "../../chain/crypto/address";
import { bytesToKey } from "../../chain/store/encoding";
import { FifoMap } from "../../chain/util/fifo";
import { accountKey } from "../auth/keys";
import { balanceKey } from "./keys";
import { MSG_MULTI_SEND, MSG_SEND } from "./msgs";

/** Takes one key: store name, the key as a latin1 string, whether the block will write it (then its tree path is needed too). */
export type WarmSink = (store: string, key: string, written: boolean) => void;

/** Hands the message's keys to `sink`; throws on a malformed address (the caller ignores the message). */
export type KeysToWarm = (msg: unknown, sink: WarmSink) => void;

/** An address's account key and its balance key of the last denom asked for (latin1). */
interface PartyKeys {
  readonly account: string;
  denom: string;
  balance: string;
}

/**
 * Per bech32 address: its keys, so a tx whose parties were seen before (every ProcessProposal
 * after CheckTx, senders sending again) costs a lookup, no bech32 decode and no key building.
 * Bounded FIFO; an entry never goes stale (keys are a pure function of address and denom).
 */
const MEMO_MAX = 65_536;
const memo = new FifoMap<string, PartyKeys>(MEMO_MAX);

function keysOf(address: string, denom: string): PartyKeys {
  let k = memo.get(address);
  if (k === undefined) {
    const addr = fromBech32(address);
    k = { account: bytesToKey(accountKey(addr)), denom, balance: bytesToKey(balanceKey(addr, denom)) };
    memo.set(address, k);
  } else if (k.denom !== denom) {
    k.balance = bytesToKey(balanceKey(fromBech32(address), denom));
    k.denom = denom;
  }
  return k;
}

function party(address: string, coins: readonly { denom: string }[], sender: boolean, sink: WarmSink): void {
  if (coins.length === 0) {
    sink("auth", keysOf(address, "").account, sender);
    return;
  }
  for (let i = 0; i < coins.length; i++) {
    const k = keysOf(address, coins[i]!.denom);
    if (i === 0) sink("auth", k.account, sender);
    sink("bank", k.balance, true);
  }
}

export const bankKeysToWarm: ReadonlyMap<string, KeysToWarm> = new Map<string, KeysToWarm>([
  [
    MSG_SEND,
    (msg, sink) => {
      const m = msg as MsgSend;
      party(m.fromAddress, m.amount, true, sink);
      party(m.toAddress, m.amount, false, sink);
    },
  ],
  [
    MSG_MULTI_SEND,
    (msg, sink) => {
      const m = msg as MsgMultiSend;
      for (const io of m.inputs) party(io.address, io.coins, true, sink);
      for (const io of m.outputs) party(io.address, io.coins, false, sink);
    },
  ],
]);

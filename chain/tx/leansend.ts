/**
 * FinalizeBlock's message step for a tx whose only message is a plain MsgSend (one coin, to an
 * existing account that is not a module account, sends enabled, the sender keeps a non-zero
 * balance): done straight on the block's branch, without the message branch, a context, the
 * gas-metered store wrappers and the keepers' byte-array keys.
 *
 * It performs the bank handler's reads in its order (send flag → bank params if no flag → the
 * recipient's module-account marker → sender balance → recipient balance → recipient account),
 * adds up the same gas, and only if every check passes and the total fits the tx's gas limit does
 * it write the two balances (the same latin1 strings the keeper writes) and build the same events
 * (message, coin_spent, coin_received, transfer, each with msg_index 0). Otherwise it returns
 * undefined having written nothing, and the runner runs the message the general way, which gives
 * the canonical answer (error, gas, events) — so a failing message never has its writes kept.
 * Test: chain/tx/leanante.test.ts compares Apps with and without the lean paths.
 */
import { Params } from "cosmjs-types/cosmos/bank/v1beta1/bank";
import type { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import type { Event, EventAttribute } from "../app/types";
import { bytesToKey } from "../store/encoding";
import type { MultiStoreView } from "../store/types";
import { bytesEqual } from "../crypto/hash";
import { accountKey, moduleAddressMarkerKey, STORE_NAME as AUTH_STORE } from "../../modules/auth/keys";
import { balanceKey, PARAMS_KEY as BANK_PARAMS_KEY, sendEnabledKey, STORE_NAME as BANK_STORE } from "../../modules/bank/keys";
import { DEFAULT_PARAMS as DEFAULT_BANK_PARAMS } from "../../modules/bank/params";
import { MSG_SEND, parseMsgSend } from "../../modules/bank/msgs";
import { HAS, READ_BYTE, READ_FLAT, planMove, read, write } from "./leanante";
import { leanSlot } from "./ante";
import type { DecodedTx } from "./decode";

const BANK_PARAMS_KEY_L = bytesToKey(BANK_PARAMS_KEY);

/** What the lean send needs from a message, derived once per decoded message (pure functions of it). */
interface SendShape {
  readonly fromStr: string;
  readonly toStr: string;
  readonly amount: bigint;
  /** coinsToString of the coins (the events' amount). */
  readonly amountStr: string;
  readonly fromBalanceKey: string;
  readonly toBalanceKey: string;
  readonly toMarkerKey: string;
  readonly toAccountKey: string;
  readonly sendFlagKey: string;
}

/** The send's shape, kept in the tx's statics (no WeakMap entry of its own: ephemerons are GC work). */
function shapeOf(tx: DecodedTx, m: MsgSend): SendShape | null {
  const slot = leanSlot(tx) as { send?: SendShape | null };
  let s = slot.send;
  if (s === undefined) {
    s = deriveShape(m);
    slot.send = s;
  }
  return s;
}

function deriveShape(m: MsgSend): SendShape | null {
  const p = parseMsgSend(m); // validateBasic passed at decode: this is its memoized parse
  if (p.coins.length !== 1 || bytesEqual(p.from, p.to)) return null;
  const { denom, amount } = p.coins[0];
  const to = bytesToKey(accountKey(p.to)); // 0x01 ‖ len ‖ addr; the marker key differs in its first byte only
  return {
    fromStr: m.fromAddress,
    toStr: m.toAddress,
    amount,
    amountStr: p.amount,
    fromBalanceKey: bytesToKey(balanceKey(p.from, denom)),
    toBalanceKey: bytesToKey(balanceKey(p.to, denom)),
    toMarkerKey: MARKER_PREFIX + to.slice(1),
    toAccountKey: to,
    sendFlagKey: sendFlagKey(denom),
  };
}

/** Both auth keys are prefixedAddressKey(prefix, addr) (a wrong marker key would let a blocked send through: leanante.test.ts sends to the fee collector). */
const MARKER_PREFIX = String.fromCharCode(moduleAddressMarkerKey(new Uint8Array(1))[0]);

/** The send-enabled key per denom (latin1; a per-tx TextEncoder call otherwise). */
const flagKeys = new Map<string, string>();
function sendFlagKey(denom: string): string {
  let k = flagKeys.get(denom);
  if (k === undefined) {
    k = bytesToKey(sendEnabledKey(denom));
    if (flagKeys.size >= 256) flagKeys.clear(); // only parsed coin denoms reach here
    flagKeys.set(denom, k);
  }
  return k;
}

/** The bank params' default send flag from their stored value (one value at a time: params change by governance only). */
let paramsValue: string | null | undefined;
let defaultSendEnabled = DEFAULT_BANK_PARAMS.defaultSendEnabled;
function defaultSendFlag(v: string | null): boolean {
  if (v !== paramsValue) {
    defaultSendEnabled = v === null ? DEFAULT_BANK_PARAMS.defaultSendEnabled : Params.decode(Buffer.from(v, "latin1")).defaultSendEnabled;
    paramsValue = v;
  }
  return defaultSendEnabled;
}

/** Attributes that are the same in every lean send (shared: emitted events are never mutated). */
const MSG_INDEX_0: EventAttribute = { key: "msg_index", value: "0", index: true };
const ACTION_SEND: EventAttribute = { key: "action", value: MSG_SEND, index: true };
const MODULE_BANK: EventAttribute = { key: "module", value: "bank", index: true };

/** How often the lean send answered (tests check that it is actually taken). */
export const leanSendStats = { passed: 0 };

/**
 * The message step of a one-MsgSend tx in FinalizeBlock (`m`: `tx`'s only message). `gasLeft`: the tx's gas limit minus the
 * ante's gas. Success: the message's gas (≤ gasLeft), its events appended to `events`, the
 * balances written to `store`. undefined: nothing written or appended.
 */
export function leanSend(store: MultiStoreView, tx: DecodedTx, m: MsgSend, gasLeft: number, events: Event[]): number | undefined {
  const s = shapeOf(tx, m);
  if (s === null) return undefined;
  const authStore = store.getStore(AUTH_STORE);
  const bankStore = store.getStore(BANK_STORE);

  // isSendEnabled: the denom's flag, else the params' default.
  const fv = read(bankStore, s.sendFlagKey);
  let gas = READ_FLAT + READ_BYTE * (s.sendFlagKey.length + (fv === null ? 0 : fv.length));
  let enabled: boolean;
  if (fv !== null) {
    enabled = fv.charCodeAt(0) === 1;
  } else {
    const pv = read(bankStore, BANK_PARAMS_KEY_L);
    gas += READ_FLAT + READ_BYTE * (BANK_PARAMS_KEY_L.length + (pv === null ? 0 : pv.length));
    enabled = defaultSendFlag(pv);
  }
  if (!enabled) return undefined;

  // assertNotBlocked: the recipient's module-account marker (a Has).
  if (read(authStore, s.toMarkerKey) !== null) return undefined;
  gas += HAS;

  // subtract from the sender, add to the recipient.
  const move = planMove(bankStore, s.fromBalanceKey, s.toBalanceKey, s.amount);
  if (move === undefined) return undefined;
  gas += move.gas;

  // ensureAccountExists: a Has of the recipient's account (a missing one is created: general path).
  if (read(authStore, s.toAccountKey) === null) return undefined;
  gas += HAS;
  if (!Number.isSafeInteger(gas) || gas > gasLeft) return undefined; // out of gas somewhere: the general path says where

  write(bankStore, s.fromBalanceKey, move.fromAfter);
  write(bankStore, s.toBalanceKey, move.toAfter);
  const from = s.fromStr;
  const amount = s.amountStr;
  events.push(
    { type: "message", attributes: [ACTION_SEND, { key: "sender", value: from, index: true }, MODULE_BANK, MSG_INDEX_0] },
    { type: "coin_spent", attributes: [{ key: "spender", value: from, index: true }, { key: "amount", value: amount, index: true }, MSG_INDEX_0] },
    { type: "coin_received", attributes: [{ key: "receiver", value: s.toStr, index: true }, { key: "amount", value: amount, index: true }, MSG_INDEX_0] },
    {
      type: "transfer",
      attributes: [
        { key: "recipient", value: s.toStr, index: true },
        { key: "sender", value: from, index: true },
        { key: "amount", value: amount, index: true },
        MSG_INDEX_0,
      ],
    },
  );
  leanSendStats.passed++;
  return gas;
}

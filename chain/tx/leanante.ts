/**
 * The ante of CheckTx and ReCheckTx for the common tx shape — one signer who pays the fee in one
 * coin, a secp256k1 key, SIGN_MODE_DIRECT — done straight on the mempool state's write buffers,
 * without the general ante's layers (a context, a branch per tx, gas-metered store wrappers, the
 * keepers' byte-array reads and writes, event objects).
 *
 * It performs exactly the general ante's checks, reads and writes (ante.ts, for one signer paying
 * its own fee in check/recheck mode) and adds up the same gas charges. It only ever *succeeds* on
 * its own: whenever any check would fail (wrong sequence, low balance, out of gas, a missing
 * account, unusual params...) it returns undefined before writing anything, and the caller runs
 * the general ante, which produces the canonical error and gas. The one exception is a failed
 * signature verification in CheckTx (the answer is known, and verifying twice would double the
 * cost of a bad-signature flood): it reports the general ante's error and the gas charged up to it.
 *
 * FinalizeBlock (`leanBlockAnte`, round 9): the same plan on the block's branch for a tx whose
 * signature this node already verified (SignatureCache hit; a miss goes the general way), without
 * the minimum-gas-price check (as ante.ts in that mode), returning the gas as one figure and the
 * general ante's events for this shape, built directly.
 *
 * Writes, all at the end and only on success: the payer's balance (fee subtracted), the fee
 * collector's balance (fee added), the payer's account (sequence + 1, public key recorded) — the
 * same latin1 strings the keepers write. Test: chain/tx/leanante.test.ts runs both paths over
 * valid and invalid txs (every error class, a gas-limit sweep across every charge, ReCheck after
 * blocks) and compares results, gas, the check state and the signature cache.
 */
import { Params } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { sdkErrors, type ChainError } from "../app/errors";
import { DEFAULT_STORE_GAS } from "../app/context";
import type { Event, EventAttribute, ExecMode } from "../app/types";
import { CacheKV } from "../store/cachekv";
import { bytesToKey, keyToBytes } from "../store/encoding";
import type { KVStore, MultiStoreView } from "../store/types";
import { moduleAddress, pubkeyToAddress, toBech32 } from "../crypto/address";
import { bytesEqual } from "../crypto/hash";
import { isCanonicalLowS, type Secp256k1Verifier } from "../crypto/secp256k1";
import { decodeAccountLatin1, encodeAccountScratch } from "../../modules/auth/account";
import { accountKey, PARAMS_KEY as AUTH_PARAMS_KEY, STORE_NAME as AUTH_STORE } from "../../modules/auth/keys";
import { DEFAULT_PARAMS as DEFAULT_AUTH_PARAMS } from "../../modules/auth/params";
import { balanceKey, decodeAmountLatin1, STORE_NAME as BANK_STORE } from "../../modules/bank/keys";
import { MAX_AMOUNT, coinsToString, parseCoins } from "../../modules/bank/coins";
import type { DecodedTx } from "./decode";
import { leanSlot, memoHashHex, memoSigEvents, memoSigners } from "./ante";
import { requiredFee, type GasPrice } from "./fees";
import type { SignatureCache } from "./sigcache";
import { SIGN_MODE_DIRECT, directSignDigest } from "./signing";

const FEE_COLLECTOR_ADDRESS = moduleAddress("fee_collector");
const FEE_COLLECTOR_BECH32 = toBech32(FEE_COLLECTOR_ADDRESS);
const FEE_COLLECTOR_ACCOUNT_KEY = bytesToKey(accountKey(FEE_COLLECTOR_ADDRESS));
const AUTH_PARAMS_KEY_L = bytesToKey(AUTH_PARAMS_KEY);

// The general ante's store gas (GasKVStore with the default KVGasConfig, as the runner's contexts use).
const G = DEFAULT_STORE_GAS;
export const READ_FLAT = Number(G.readCostFlat);
export const READ_BYTE = Number(G.readCostPerByte);
export const WRITE_FLAT = Number(G.writeCostFlat);
export const WRITE_BYTE = Number(G.writeCostPerByte);
export const HAS = Number(G.hasCost);

/** What the lean path needs from a tx, derived once per decoded tx (pure functions of its bytes). */
interface Shape {
  readonly signer: Uint8Array;
  readonly signerStr: string;
  readonly accountKey: string;
  readonly payerBalanceKey: string;
  readonly collectorBalanceKey: string;
  readonly denom: string;
  readonly fee: bigint;
  /** coinsToString of the fee (the events' amount). */
  readonly feeString: string;
  readonly memoBytes: number;
  readonly pubkey: Uint8Array | undefined;
  /** Whether the fee meets `feeCheckedFor` (a pipeline's minimum gas prices: fixed per node). */
  feeCheckedFor?: readonly GasPrice[];
  feeOk?: boolean;
  /** The payer's account step for the last stored account value seen (see accountStep). */
  acct?: AccountStep;
}

/**
 * What the ante takes from, and writes back to, the payer's account, as a pure function of the
 * stored value (and the tx's signer and key): kept per tx for the last value seen, because a tx's
 * CheckTx, every ReCheckTx and its FinalizeBlock read the very same value (sequence n) and would
 * each decode it and encode sequence n + 1 again. Keyed by the whole value, so it cannot go stale.
 */
interface AccountStep {
  /** The stored account value this was derived from (latin1). */
  readonly value: string;
  /** A module account: the general path runs. */
  readonly module: boolean;
  readonly accountNumber: bigint;
  /** The account's sequence before the increment. */
  readonly seq: bigint;
  /** The key the signature is checked with (the account's, or the tx's recorded on it); undefined: the general path runs (key mismatch or none). */
  readonly key: Uint8Array | undefined;
  /** The account written back (sequence + 1, key recorded); "" when `key` is undefined. */
  readonly accValue: string;
}

function accountStep(s: Shape, av: string): AccountStep {
  const memo = s.acct;
  if (memo !== undefined && memo.value === av) return memo;
  const acc = decodeAccountLatin1(av, s.signer);
  let key: Uint8Array | undefined;
  const pk = s.pubkey;
  if (pk !== undefined) key = acc.pubKey === undefined || bytesEqual(acc.pubKey, pk) ? (acc.pubKey ?? pk) : undefined;
  else key = acc.pubKey;
  let accValue = "";
  if (acc.module === undefined && key !== undefined) {
    acc.pubKey = key;
    acc.sequence += 1n;
    accValue = bytesToKey(encodeAccountScratch(acc, s.signerStr));
    acc.sequence -= 1n;
  }
  const step: AccountStep = { value: av, module: acc.module !== undefined, accountNumber: acc.accountNumber, seq: acc.sequence, key, accValue };
  s.acct = step;
  return step;
}

/** The fee collector's balance key per fee denom (latin1). */
const collectorKeys = new Map<string, string>();
function collectorBalanceKey(denom: string): string {
  let k = collectorKeys.get(denom);
  if (k === undefined) {
    k = bytesToKey(balanceKey(FEE_COLLECTOR_ADDRESS, denom));
    if (collectorKeys.size >= 256) collectorKeys.clear(); // only parsed fee denoms reach here
    collectorKeys.set(denom, k);
  }
  return k;
}

/** The tx's Shape, or null when it is not the lean shape (the general ante handles it); memoized with the ante's per-tx statics. */
function shapeOf(tx: DecodedTx): Shape | null {
  const slot = leanSlot(tx) as { lean?: Shape | null };
  let s = slot.lean;
  if (s === undefined) {
    s = deriveShape(tx);
    slot.lean = s;
  }
  return s;
}

function deriveShape(tx: DecodedTx): Shape | null {
  const signers = memoSigners(tx);
  const infos = tx.authInfo.signerInfos;
  if (signers.bytes.length !== 1 || infos.length !== 1 || tx.signatures.length !== 1) return null;
  const signer = signers.bytes[0];
  if (bytesEqual(signer, FEE_COLLECTOR_ADDRESS)) return null;
  const fee = tx.fee;
  if (fee.payer !== "" || fee.granter !== "" || fee.amount.length !== 1) return null;
  let coins;
  try {
    coins = parseCoins(fee.amount, "fee.amount", true);
  } catch {
    return null;
  }
  const single = infos[0].modeInfo?.single;
  if (!single || single.mode !== SIGN_MODE_DIRECT) return null;
  const sig = tx.signatures[0];
  if (sig.length !== 64 || !isCanonicalLowS(sig)) return null;
  const pubkey = tx.pubkeys[0];
  if (pubkey !== undefined && !bytesEqual(pubkeyToAddress(pubkey), signer)) return null;
  const { denom, amount } = coins[0];
  return {
    signer,
    signerStr: signers.strings[0],
    accountKey: bytesToKey(accountKey(signer)),
    payerBalanceKey: bytesToKey(balanceKey(signer, denom)),
    collectorBalanceKey: collectorBalanceKey(denom),
    denom,
    fee: amount,
    feeString: coinsToString(coins),
    memoBytes: Buffer.byteLength(tx.body.memo, "utf8"),
    pubkey,
  };
}

/**
 * The class itself, not the module binding: the transpiled `cachekv.CacheKV` is an export getter
 * called per read (it showed as 20-45% of the lean ante's samples in the 100k-account bench).
 */
const CacheKVClass = CacheKV;

/** A read with the key and value as latin1 strings: the store branches' own path, or any other store through bytes (the test MemStore). */
export function read(store: KVStore, key: string): string | null {
  if (store instanceof CacheKVClass) return store.getLatin1(key);
  const v = store.get(keyToBytes(key));
  return v === undefined ? null : bytesToKey(v);
}

export function write(store: KVStore, key: string, value: string): void {
  if (store instanceof CacheKVClass) store.setLatin1(key, value);
  else store.set(keyToBytes(key), keyToBytes(value));
}

/** A balance move planned by `planMove`: both new balances (decimal strings) and its gas. */
export interface PlannedMove {
  readonly fromAfter: string;
  readonly toAfter: string;
  readonly gas: number;
}

/**
 * The bank keeper's subtract-then-add of `amount` (one denom) from one balance key to another, as
 * the lean paths plan it (the fee in the ante, the coin in the send): the same reads in the same
 * order and the same read + write gas. undefined for what the general path must do: too little, a
 * balance going to zero (the keeper deletes it), a result above MAX_AMOUNT. Writes nothing.
 */
export function planMove(bank: KVStore, fromKey: string, toKey: string, amount: bigint): PlannedMove | undefined {
  const fb = read(bank, fromKey);
  const have = fb === null ? 0n : decodeAmountLatin1(fb);
  if (have < amount) return undefined;
  const fromLeft = have - amount;
  if (fromLeft === 0n) return undefined;
  const fromAfter = fromLeft.toString();
  let gas = READ_FLAT + READ_BYTE * (fromKey.length + (fb === null ? 0 : fb.length));
  gas += WRITE_FLAT + WRITE_BYTE * (fromKey.length + fromAfter.length);
  const tb = read(bank, toKey);
  const toSum = (tb === null ? 0n : decodeAmountLatin1(tb)) + amount;
  if (toSum > MAX_AMOUNT) return undefined;
  const toAfter = toSum.toString();
  gas += READ_FLAT + READ_BYTE * (toKey.length + (tb === null ? 0 : tb.length));
  gas += WRITE_FLAT + WRITE_BYTE * (toKey.length + toAfter.length);
  return { fromAfter, toAfter, gas };
}

/** The auth params decoded from their stored value (one value at a time: params change by governance only). */
let paramsValue: string | null | undefined;
let paramsDecoded: Params = DEFAULT_AUTH_PARAMS;
function authParams(v: string | null): Params {
  if (v !== paramsValue) {
    paramsDecoded = v === null ? DEFAULT_AUTH_PARAMS : Params.decode(Buffer.from(v, "latin1"));
    paramsValue = v;
  }
  return paramsDecoded;
}

/** A gas cost from params as a number, when it is small enough for exact number arithmetic. */
function small(v: bigint): number | undefined {
  return v >= 0n && v <= 1n << 30n ? Number(v) : undefined;
}

export interface LeanInput {
  readonly mode: ExecMode;
  readonly height: bigint;
  readonly chainId: string;
  readonly store: MultiStoreView;
  readonly tx: DecodedTx;
  readonly gasWanted: bigint;
  readonly minGasPrices: readonly GasPrice[];
  readonly verifier: Secp256k1Verifier;
  readonly sigCache: SignatureCache;
}

function feeMeetsMinimum(s: Shape, gasLimit: bigint, prices: readonly GasPrice[]): boolean {
  if (prices.length === 0) return true;
  for (const p of prices) if ((p.denom === s.denom ? s.fee : 0n) >= requiredFee(p, gasLimit)) return true;
  return false;
}

/** How often the lean paths answered (tests check that they are actually taken). */
export const leanStats = { passed: 0, badSignature: 0, block: 0 };

/** Success: the gas used (writes done). Failure known here: the general ante's error and gas. */
export type LeanOutcome = { readonly gasUsed: bigint; readonly error?: ChainError };

/** Everything the general ante would read, check and charge, worked out without writing (see plan()). */
interface Plan {
  readonly s: Shape;
  readonly authStore: KVStore;
  readonly bankStore: KVStore;
  readonly accountNumber: bigint;
  /** The key the signature is checked with. */
  readonly key: Uint8Array;
  /** The account's sequence before the increment (the tx's sequence). */
  readonly seq: bigint;
  /** Gas up to and including the signature gas. */
  readonly gasToSig: number;
  /** Gas of the whole ante (≤ the tx's gas limit). */
  readonly total: number;
  readonly payerAfterStr: string;
  readonly collectorAfterStr: string;
  readonly accValue: string;
}

/**
 * The general ante's reads, checks and gas for the lean shape, nothing written (`prices`: the
 * node's minimum gas prices in the mempool modes; undefined in FinalizeBlock, which does not check
 * them). undefined: some check would fail, or the tx is not plain enough — the general ante runs.
 */
function plan(store: MultiStoreView, tx: DecodedTx, s: Shape, height: bigint, gasWanted: bigint, prices: readonly GasPrice[] | undefined): Plan | undefined {
  const authStore = store.getStore(AUTH_STORE);
  const bankStore = store.getStore(BANK_STORE);

  // Params (the general ante's first read).
  const pv = read(authStore, AUTH_PARAMS_KEY_L);
  const params = authParams(pv);
  const sizeCost = small(params.txSizeCostPerByte);
  const sigCost = small(params.sigVerifyCostSecp256k1);
  if (sizeCost === undefined || sigCost === undefined || params.txSigLimit < 1n) return undefined;
  let gas = READ_FLAT + READ_BYTE * (AUTH_PARAMS_KEY_L.length + (pv === null ? 0 : pv.length));

  const th = tx.body.timeoutHeight;
  if (th > 0n && height > th) return undefined;
  if (BigInt(s.memoBytes) > params.maxMemoCharacters) return undefined;
  gas += sizeCost * tx.bytes.length;

  // Minimum gas prices (both mempool modes), as the general ante; a pure function of the tx and the node's prices.
  if (prices !== undefined) {
    if (s.feeCheckedFor !== prices) {
      s.feeOk = feeMeetsMinimum(s, tx.fee.gasLimit, prices);
      s.feeCheckedFor = prices;
    }
    if (!s.feeOk) return undefined;
  }

  // The payer's account.
  const av = read(authStore, s.accountKey);
  if (av === null) return undefined;
  const acct = accountStep(s, av);
  if (acct.module) return undefined;
  const accRead = READ_FLAT + READ_BYTE * (s.accountKey.length + av.length);
  gas += accRead;

  // The fee transfer (bank sendCoinsKnown): payer − fee, collector + fee, collector account exists.
  const fee = planMove(bankStore, s.payerBalanceKey, s.collectorBalanceKey, s.fee);
  if (fee === undefined) return undefined;
  gas += fee.gas;
  if (read(authStore, FEE_COLLECTOR_ACCOUNT_KEY) === null) return undefined; // the keeper would create it
  gas += HAS;

  // The signer's account again (charged as a re-read), its public key, the signature gas.
  gas += accRead;
  const key = acct.key;
  if (key === undefined) return undefined; // the tx's key is not the account's, or neither has one
  gas += sigCost;
  const seq = acct.seq;
  if (tx.authInfo.signerInfos[0].sequence !== seq) return undefined;

  // The account write (sequence + 1): its gas decides whether the whole ante fits the limit.
  const accValue = acct.accValue;
  const total = gas + WRITE_FLAT + WRITE_BYTE * (s.accountKey.length + accValue.length);
  if (!Number.isSafeInteger(total) || BigInt(total) > gasWanted) return undefined; // out of gas somewhere: the general path says where
  return { s, authStore, bankStore, accountNumber: acct.accountNumber, key, seq, gasToSig: gas, total, payerAfterStr: fee.fromAfter, collectorAfterStr: fee.toAfter, accValue };
}

/** The plan's three writes, in the general ante's order. */
function writePlan(p: Plan): void {
  write(p.bankStore, p.s.payerBalanceKey, p.payerAfterStr);
  write(p.bankStore, p.s.collectorBalanceKey, p.collectorAfterStr);
  write(p.authStore, p.s.accountKey, p.accValue);
}

/**
 * The mempool ante for the lean shape (check or recheck mode only). undefined: nothing was
 * written, run the general ante.
 */
export function leanMempoolAnte(o: LeanInput): LeanOutcome | undefined {
  if (o.mode !== "check" && o.mode !== "recheck") return undefined;
  const tx = o.tx;
  const s = shapeOf(tx);
  if (s === null) return undefined;
  const p = plan(o.store, tx, s, o.height, o.gasWanted, o.minGasPrices);
  if (p === undefined) return undefined;
  if (o.mode === "check") {
    const key = p.key;
    const digest = directSignDigest(tx.bodyBytes, tx.authInfoBytes, o.chainId, p.accountNumber);
    if (!o.verifier.verify(tx.signatures[0], digest, key)) {
      leanStats.badSignature++;
      return {
        gasUsed: BigInt(p.gasToSig), // everything up to and including the signature gas, as the general ante
        error: sdkErrors.Unauthorized.wrap(
          `signature verification failed; please verify account number (${p.accountNumber}), sequence (${p.seq}) and chain-id (${o.chainId})`,
        ),
      };
    }
    o.sigCache.add(memoHashHex(tx), p.accountNumber, key);
  }

  writePlan(p);
  leanStats.passed++;
  return { gasUsed: BigInt(p.total) };
}

export interface LeanBlockInput {
  readonly height: bigint;
  readonly store: MultiStoreView;
  readonly tx: DecodedTx;
  readonly gasWanted: bigint;
  readonly sigCache: SignatureCache;
}

/** The fee transfer's attributes that are the same in every tx (shared: event objects are never mutated once emitted). */
const COLLECTOR_RECEIVER: EventAttribute = { key: "receiver", value: FEE_COLLECTOR_BECH32, index: true };
const COLLECTOR_RECIPIENT: EventAttribute = { key: "recipient", value: FEE_COLLECTOR_BECH32, index: true };

/**
 * FinalizeBlock's ante for the lean shape, straight on the block's branch: the general ante's
 * checks, reads, gas (returned as one figure), writes and events (coin_spent, coin_received,
 * transfer, tx fee/fee_payer, tx acc_seq, tx signature — the same values, in the same order).
 * Only a signature this node already verified (the SignatureCache: CheckTx, a proposal step,
 * pre-verification) is accepted here; anything else — a cache miss included — returns undefined
 * before writing, and the general ante runs. Minimum gas prices are not checked (as ante.ts in
 * this mode).
 */
export function leanBlockAnte(o: LeanBlockInput): { readonly gasUsed: number; readonly events: Event[] } | undefined {
  const tx = o.tx;
  const s = shapeOf(tx);
  if (s === null) return undefined;
  const p = plan(o.store, tx, s, o.height, o.gasWanted, undefined);
  if (p === undefined) return undefined;
  if (!o.sigCache.has(memoHashHex(tx), p.accountNumber, p.key)) return undefined;
  const payer = s.signerStr;
  const amount = s.feeString;
  const events: Event[] = [
    { type: "coin_spent", attributes: [{ key: "spender", value: payer, index: true }, { key: "amount", value: amount, index: true }] },
    { type: "coin_received", attributes: [COLLECTOR_RECEIVER, { key: "amount", value: amount, index: true }] },
    {
      type: "transfer",
      attributes: [COLLECTOR_RECIPIENT, { key: "sender", value: payer, index: true }, { key: "amount", value: amount, index: true }],
    },
    { type: "tx", attributes: [{ key: "fee", value: amount, index: true }, { key: "fee_payer", value: payer, index: true }] },
    { type: "tx", attributes: [{ key: "acc_seq", value: `${payer}/${p.seq}`, index: true }] },
    { type: "tx", attributes: [{ key: "signature", value: memoSigEvents(tx)[0], index: true }] },
  ];
  writePlan(p);
  leanStats.block++;
  return { gasUsed: p.total, events };
}

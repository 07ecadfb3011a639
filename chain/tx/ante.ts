/**
 * The ante pipeline (DESIGN.md §5), in the SDK's order (x/auth/ante/ante.go):
 *
 *   basic checks (signature count, signer infos) → timeout height → memo length → tx size gas →
 *   fee ≥ min gas price (CheckTx only) → deduct fee → set public keys → signature count limit →
 *   signature gas → sequence + signature verification → increment sequences.
 *
 * Fees are charged before any signature work. The caller runs this in a branch: if it throws,
 * nothing it wrote is kept; if it returns, its writes (fee, pubkeys, sequences) are kept even
 * when the messages later fail.
 *
 * Signature verification is skipped in RECHECK (the tx passed CheckTx before and nothing a block
 * can change affects a signature over fixed bytes), in SIMULATE, and in PREPARE/PROCESS/FINALIZE
 * when the node verified the same (tx, account number, key) before: in CheckTx, a proposal step
 * or a parallel pre-verification of the block (SignatureCache). Gas is charged the same either way.
 */
import { sdkErrors } from "../app/errors";
import type { Context } from "../app/types";
import { fromBech32, moduleAddress, pubkeyToAddress, toBech32 } from "../crypto/address";
import { bytesEqual, toHex } from "../crypto/hash";
import { isCanonicalLowS, type Secp256k1Verifier } from "../crypto/secp256k1";
import type { AuthKeeper } from "../../modules/auth/keeper";
import type { Account } from "../../modules/auth/account";
import type { BankKeeper } from "../../modules/bank/keeper";
import { coinsToString, parseCoins, type BigCoin } from "../../modules/bank/coins";
import { authErrors } from "../../modules/auth/errors";
import type { DecodedTx } from "./decode";
import { formatGasPrices, requiredFee, type GasPrice } from "./fees";
import type { SignatureCache } from "./sigcache";
import { SIGN_MODE_DIRECT, directSignDigest } from "./signing";

export const FEE_COLLECTOR = "fee_collector";
const FEE_COLLECTOR_ADDRESS = moduleAddress(FEE_COLLECTOR);
const FEE_COLLECTOR_BECH32 = toBech32(FEE_COLLECTOR_ADDRESS);

export interface AnteOptions {
  readonly auth: AuthKeeper;
  readonly bank: BankKeeper;
  readonly verifier: Secp256k1Verifier;
  readonly sigCache: SignatureCache;
  /** Node-local minimum gas prices, enforced in CheckTx. */
  readonly minGasPrices: readonly GasPrice[];
}

export interface AnteResult {
  readonly signers: readonly Uint8Array[];
  readonly signerStrings: readonly string[];
  readonly fee: readonly BigCoin[];
  readonly feePayer: Uint8Array;
}

/**
 * What the ante derives from the tx alone (pure functions of its bytes), computed once per decoded
 * tx and reused by CheckTx, ReCheckTx, the proposal steps and FinalizeBlock (the runner memoizes
 * DecodedTx). Only successes are kept; a failing derivation throws at the same point every time.
 */
interface TxStatics {
  readonly signers: { bytes: Uint8Array[]; strings: string[] };
  hashHex?: string;
  fee?: readonly BigCoin[];
  feeString?: string;
  sigEvents?: readonly string[];
  /** Per signer: the tx's public key derives the signer's address (only set once all do). */
  keysMatch?: true;
  /** leanante.ts's derivations (null: not its shape). Kept here: one WeakMap entry per tx, not two. */
  lean?: unknown;
  /** leansend.ts's derivations of the tx's one MsgSend (null: not its shape); here for the same reason. */
  send?: unknown;
}
const statics = new WeakMap<DecodedTx, TxStatics>();

/** The tx's signers (bytes and bech32), memoized per decoded tx. */
export function memoSigners(tx: DecodedTx): { readonly bytes: readonly Uint8Array[]; readonly strings: readonly string[] } {
  return txStatics(tx).signers;
}

/** Upper-case-free hex of the tx hash (SignatureCache keys), memoized per decoded tx. */
export function memoHashHex(tx: DecodedTx): string {
  const st = txStatics(tx);
  return (st.hashHex ??= toHex(tx.hash));
}

/** The tx's "tx.signature" event values (base64 per signer; "" for a missing one), memoized per decoded tx. */
export function memoSigEvents(tx: DecodedTx): readonly string[] {
  const st = txStatics(tx);
  return (st.sigEvents ??= sigEventValues(tx, st.signers.bytes.length));
}

function sigEventValues(tx: DecodedTx, n: number): string[] {
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const sig = tx.signatures[i];
    out[i] = sig ? Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength).toString("base64") : "";
  }
  return out;
}

/** The slot leanante.ts keeps its per-tx derivations in (undefined until it first looks). */
export function leanSlot(tx: DecodedTx): { lean?: unknown; send?: unknown } {
  return txStatics(tx);
}

function txStatics(tx: DecodedTx): TxStatics {
  let st = statics.get(tx);
  if (st === undefined) {
    st = { signers: txSigners(tx) };
    statics.set(tx, st);
  }
  return st;
}

/** Signers of a tx: every message's signers, first-seen order, deduplicated (SDK GetSigners). */
export function txSigners(tx: DecodedTx): { bytes: Uint8Array[]; strings: string[] } {
  if (tx.msgs.length === 1) {
    // One message (nearly every tx): its signers, deduplicated without a Set (usually just one).
    const m = tx.msgs[0];
    const list = m.handler.signers(m.msg);
    if (list.length === 1) return { bytes: [decodeSigner(list[0])], strings: [list[0]] };
  }
  const strings: string[] = [];
  const seen = new Set<string>();
  for (const m of tx.msgs) {
    for (const s of m.handler.signers(m.msg)) {
      if (!seen.has(s)) {
        seen.add(s);
        strings.push(s);
      }
    }
  }
  // Addresses were validated by validateBasic; decode again to bytes.
  return { bytes: strings.map((s) => decodeSigner(s)), strings };
}

function decodeSigner(s: string): Uint8Array {
  return fromBech32(s, "signer");
}

export function runAnte(ctx: Context, tx: DecodedTx, opt: AnteOptions): AnteResult {
  const mode = ctx.mode;
  const simulate = mode === "simulate";
  const st = txStatics(tx);
  const { bytes: signers, strings: signerStrings } = st.signers;
  const infos = tx.authInfo.signerInfos;
  const params = opt.auth.getParams(ctx);

  // ValidateBasic (tx level).
  if (signers.length === 0) throw sdkErrors.NoSignatures.wrap("tx has no signers");
  if (!simulate && tx.signatures.length === 0) throw sdkErrors.NoSignatures.wrap("no signatures supplied");
  if (infos.length !== signers.length) {
    throw sdkErrors.Unauthorized.wrap(`wrong number of signer infos; expected ${signers.length}, got ${infos.length}`);
  }
  if (tx.signatures.length !== signers.length && !(simulate && tx.signatures.length === 0)) {
    throw sdkErrors.Unauthorized.wrap(`wrong number of signatures; expected ${signers.length}, got ${tx.signatures.length}`);
  }
  // Tx sig limit (ValidateSigCount; only single keys here, so one signature per signer).
  if (BigInt(signers.length) > params.txSigLimit) {
    throw sdkErrors.TooManySignatures.wrap(`signatures: ${signers.length}, limit: ${params.txSigLimit}`);
  }

  // Timeout height.
  const th = tx.body.timeoutHeight;
  if (th > 0n && ctx.header.height > th) {
    throw sdkErrors.TxTimeoutHeight.wrap(`block height: ${ctx.header.height}, timeout height: ${th}`);
  }

  // Memo.
  const memoBytes = Buffer.byteLength(tx.body.memo, "utf8");
  if (BigInt(memoBytes) > params.maxMemoCharacters) {
    throw sdkErrors.MemoTooLarge.wrap(`maximum number of characters is ${params.maxMemoCharacters} but received ${memoBytes} characters`);
  }

  // Tx size gas (in simulation, count the signature and key bytes a real tx will carry).
  let size = BigInt(tx.bytes.length);
  if (simulate) {
    for (let i = 0; i < signers.length; i++) {
      if (!tx.signatures[i] || tx.signatures[i].length === 0) size += 66n;
      if (!tx.pubkeys[i]) size += 40n;
    }
  }
  ctx.gas.consume(params.txSizeCostPerByte * size, "txSize");

  // Fee.
  const fee = (st.fee ??= parseCoins(tx.fee.amount, "fee.amount", true));
  const gasLimit = tx.fee.gasLimit;
  if (tx.fee.granter !== "") throw sdkErrors.NotSupported.wrap("fee grants are not supported; leave fee.granter empty");
  let feePayer = signers[0];
  let feePayerStr = signerStrings[0];
  if (tx.fee.payer !== "") {
    const idx = signerStrings.indexOf(tx.fee.payer);
    if (idx < 0) throw sdkErrors.InvalidAddress.wrap(`fee payer ${tx.fee.payer} must be one of the tx's signers`);
    feePayer = signers[idx];
    feePayerStr = signerStrings[idx];
  }
  if ((mode === "check" || mode === "recheck") && opt.minGasPrices.length > 0) {
    const ok = opt.minGasPrices.some((p) => {
      const need = requiredFee(p, gasLimit);
      const have = fee.find((c) => c.denom === p.denom)?.amount ?? 0n;
      return have >= need;
    });
    if (!ok) {
      const req = opt.minGasPrices.map((p) => `${requiredFee(p, gasLimit)}${p.denom}`).join(",");
      throw sdkErrors.InsufficientFee.wrap(
        `insufficient fees; got: ${coinsToString(fee) || "0"} required: ${req} (gas ${gasLimit} × minimum gas price ${formatGasPrices(opt.minGasPrices)}); raise --fees or the gas price`,
      );
    }
  }
  let payer = opt.auth.getAccountSized(ctx, feePayer);
  if (!payer) throw sdkErrors.UnknownAddress.wrap(`fee payer address: ${feePayerStr} does not exist; fund it first`);
  // fee_collector is a module account created at genesis (auth InitGenesis guarantees it), so the
  // transfer goes straight to its fixed address without the name → account lookup.
  if (fee.length > 0) {
    // Signer strings passed validateBasic's bech32 parse: they are the canonical encodings.
    opt.bank.sendCoinsKnown(ctx, feePayer, feePayerStr, FEE_COLLECTOR_ADDRESS, FEE_COLLECTOR_BECH32, fee, (st.feeString ??= coinsToString(fee)));
  } else if (simulate) {
    // Wallets simulate with an empty fee (CosmJS, Keplr) and then pay a real one: charge the store
    // gas of that transfer here (1 unit, in the throw-away simulation branch) or the estimate comes
    // out ~25-35% below the gas the signed tx uses and "auto" gas runs out with a 1.3 adjustment.
    const denom = opt.minGasPrices[0]?.denom ?? "ugrid";
    if (opt.bank.getBalance(ctx, feePayer, denom) > 0n) opt.bank.sendCoins(ctx, feePayer, FEE_COLLECTOR_ADDRESS, [{ denom, amount: 1n }]);
  }
  ctx.events.emit("tx", [
    ["fee", (st.feeString ??= coinsToString(fee))],
    ["fee_payer", feePayerStr],
  ]);

  // Accounts and public keys (SetPubKeyDecorator).
  // Between the fee payer's read above and here only balances and the fee collector's account
  // can have been written, so the payer's account is reused when it signs (the usual case): same
  // gas as reading it again, no store read, no decode.
  const payerReusable = !bytesEqual(feePayer, FEE_COLLECTOR_ADDRESS);
  const accounts: Account[] = [];
  for (let i = 0; i < signers.length; i++) {
    let acc: Account | undefined;
    if (payer && payerReusable && signers[i] === feePayer && opt.auth.chargeAccountReread(ctx, feePayer, payer.size)) {
      acc = payer.account;
      payer = undefined; // used once: a second signer entry for the same address cannot occur (deduplicated)
    } else {
      acc = opt.auth.getAccount(ctx, signers[i]);
    }
    if (!acc) throw sdkErrors.UnknownAddress.wrap(`account ${signerStrings[i]} does not exist; it must receive funds before it can sign`);
    const pk = tx.pubkeys[i];
    if (pk) {
      if (st.keysMatch === undefined && !bytesEqual(pubkeyToAddress(pk), signers[i])) {
        throw sdkErrors.InvalidPubKey.wrap(`pubKey does not match signer address ${signerStrings[i]} with signer index: ${i}`);
      }
      if (acc.pubKey && !bytesEqual(acc.pubKey, pk)) {
        throw authErrors.PubKeyMismatch.wrap(`account ${signerStrings[i]} already has a different public key`);
      }
      if (!acc.pubKey) acc.pubKey = pk;
    } else if (!acc.pubKey && !simulate) {
      throw sdkErrors.InvalidPubKey.wrap(`account ${signerStrings[i]} has no public key yet; include it in signer_infos[${i}].public_key`);
    }
    accounts.push(acc);
  }
  st.keysMatch = true; // every key present passed the address check above (a pure function of the tx)
  for (let i = 0; i < signers.length; i++) {
    ctx.events.emit("tx", [["acc_seq", `${signerStrings[i]}/${infos[i].sequence}`]]);
  }
  const sigEvents = (st.sigEvents ??= sigEventValues(tx, signers.length));
  for (let i = 0; i < signers.length; i++) ctx.events.emit("tx", [["signature", sigEvents[i]]]);

  // Signature gas: charged for every signature whether or not it is verified now.
  for (let i = 0; i < signers.length; i++) ctx.gas.consume(params.sigVerifyCostSecp256k1, "ante verify: secp256k1");

  // Sequences and signatures.
  const hashHex = (st.hashHex ??= toHex(tx.hash));
  for (let i = 0; i < signers.length; i++) {
    const acc = accounts[i];
    const info = infos[i];
    if (info.sequence !== acc.sequence) {
      throw sdkErrors.WrongSequence.wrap(`account sequence mismatch, expected ${acc.sequence}, got ${info.sequence}`);
    }
    if (simulate || mode === "recheck") continue;
    const single = info.modeInfo?.single;
    if (!single) throw authErrors.NotSupportedSignMode.wrap(`signer_infos[${i}]: only single-key signing is supported (no multisig)`);
    if (single.mode !== SIGN_MODE_DIRECT) {
      throw authErrors.NotSupportedSignMode.wrap(`signer_infos[${i}]: sign mode ${single.mode} is not supported; use SIGN_MODE_DIRECT (1)`);
    }
    const sig = tx.signatures[i];
    const pk = acc.pubKey!;
    if (sig.length !== 64) throw sdkErrors.Unauthorized.wrap(`signature ${i} must be 64 bytes (r||s), got ${sig.length}`);
    if (!isCanonicalLowS(sig)) throw sdkErrors.Unauthorized.wrap(`signature ${i} is not in canonical low-S form (s must be ≤ n/2)`);
    // A hit means this exact (tx, account number, key) verified before on this node (chain id fixed).
    if (mode !== "check" && opt.sigCache.has(hashHex, acc.accountNumber, pk)) continue;
    const digest = directSignDigest(tx.bodyBytes, tx.authInfoBytes, ctx.header.chainId, acc.accountNumber);
    if (!opt.verifier.verify(sig, digest, pk)) {
      throw sdkErrors.Unauthorized.wrap(
        `signature verification failed; please verify account number (${acc.accountNumber}), sequence (${acc.sequence}) and chain-id (${ctx.header.chainId})`,
      );
    }
    // CheckTx fills the cache for FinalizeBlock (txs this node never saw in its mempool are
    // pre-verified for the block by TxRunner.preverifyBlock, which fills it too).
    if (mode === "check") opt.sigCache.add(hashHex, acc.accountNumber, pk);
  }

  // Increment sequences (and record public keys).
  for (let i = 0; i < accounts.length; i++) {
    const acc = accounts[i];
    acc.sequence += 1n;
    opt.auth.setAccount(ctx, acc, signerStrings[i]); // acc.address is signers[i]
  }

  return { signers, signerStrings, fee, feePayer };
}


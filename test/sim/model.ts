/**
 * The simulation's oracle: an independent, in-memory model of auth + bank state (accounts,
 * account numbers, sequences, public-key presence, balances) that predicts the exact (codespace,
 * code) of every tx in CheckTx and in FinalizeBlock, and the exact state after each block.
 *
 * It re-states the rules of DESIGN.md §5 / chain/tx/ante.ts / modules/bank/msgs.ts in the
 * simplest possible form (no gas, no events, no stores): if the App and the model disagree,
 * one of them is wrong and the test says where.
 */
import { toHex } from "../../chain/crypto/hash";
import { decodeAccount } from "../../modules/auth/account";
import { ACCOUNT_PREFIX, NEXT_ACCOUNT_NUMBER_KEY, decodeU64 } from "../../modules/auth/keys";
import { BALANCES_PREFIX, decodeAmount, parseBalanceKey } from "../../modules/bank/keys";
import { parseGasPrices, requiredFee, DEFAULT_MIN_GAS_PRICES } from "../../chain/tx/fees";
import type { MultiStoreView } from "../../chain/store/types";

export type Code = readonly [codespace: string, code: number];
export const OK: Code = ["", 0];
export const C = {
  insufficientFunds: ["sdk", 5] as Code,
  unauthorized: ["sdk", 4] as Code,
  unknownAddress: ["sdk", 9] as Code,
  outOfGas: ["sdk", 11] as Code,
  insufficientFee: ["sdk", 13] as Code,
  wrongSequence: ["sdk", 32] as Code,
  blockedRecipient: ["bank", 11] as Code,
};

export interface Coin {
  readonly denom: string;
  readonly amount: bigint;
}

export type ModelMsg =
  | { readonly type: "send"; readonly from: string; readonly to: string; readonly coins: readonly Coin[] }
  | { readonly type: "multi"; readonly from: string; readonly outs: ReadonlyArray<{ readonly to: string; readonly coins: readonly Coin[] }> };

/** What the model needs to know about a tx (addresses are lower-case hex of the raw bytes). */
export interface TxSpec {
  readonly kind: string;
  /** First signer: pays the fee. */
  readonly signer: string;
  readonly sequence: bigint;
  /** Further signers (multi-signer txs), with their sequences, in signer order. */
  readonly coSigners?: ReadonlyArray<{ readonly addr: string; readonly sequence: bigint }>;
  readonly fee: readonly Coin[];
  readonly gasLimit: bigint;
  readonly msgs: readonly ModelMsg[];
  /** Signed over the wrong chain id: valid shape, fails signature verification. */
  readonly badSignature?: boolean;
  /** Gas limit too small for the ante's tx-size charge: out of gas before the fee is taken. */
  readonly oogInAnte?: boolean;
  /** Gas limit covers the ante but not the messages: out of gas while executing them. */
  readonly oogInMsgs?: boolean;
}

export interface Outcome {
  readonly code: Code;
  /** Where it failed: the ante (nothing kept) or the messages (fee + sequence kept). */
  readonly stage: "ok" | "ante" | "msgs";
}

interface Acct {
  number: bigint;
  seq: bigint;
  hasPub: boolean;
  readonly module: boolean;
}


export class Model {
  readonly accounts = new Map<string, Acct>();
  /** hex address → denom → amount (never stores zero). */
  readonly balances = new Map<string, Map<string, bigint>>();
  nextAccountNumber = 0n;
  private undo: Array<() => void> = [];
  private readonly minGasPrices = parseGasPrices(process.env.HASHGRID_MIN_GAS_PRICES ?? DEFAULT_MIN_GAS_PRICES);

  constructor(readonly feeCollector: string) {}

  /** Builds the model from a store (genesis state, or after an import/restart). */
  static fromStore(view: MultiStoreView, feeCollector: string): Model {
    const m = new Model(feeCollector);
    const snap = readSnapshot(view);
    for (const a of snap.accounts) m.accounts.set(a.addr, { number: a.number, seq: a.seq, hasPub: a.hasPub, module: a.module });
    for (const b of snap.balances) {
      let per = m.balances.get(b.addr);
      if (!per) m.balances.set(b.addr, (per = new Map()));
      per.set(b.denom, b.amount);
    }
    m.nextAccountNumber = snap.nextAccountNumber;
    return m;
  }

  clone(): Model {
    const m = new Model(this.feeCollector);
    for (const [k, a] of this.accounts) m.accounts.set(k, { ...a });
    for (const [k, per] of this.balances) m.balances.set(k, new Map(per));
    m.nextAccountNumber = this.nextAccountNumber;
    return m;
  }

  balance(addr: string, denom: string): bigint {
    return this.balances.get(addr)?.get(denom) ?? 0n;
  }

  exists(addr: string): boolean {
    return this.accounts.has(addr);
  }

  isModule(addr: string): boolean {
    return this.accounts.get(addr)?.module ?? false;
  }

  sequence(addr: string): bigint {
    return this.accounts.get(addr)?.seq ?? 0n;
  }

  // ------------------------------------------------------------ journaled mutations

  private setBalance(addr: string, denom: string, amount: bigint): void {
    const old = this.balance(addr, denom);
    this.undo.push(() => this.rawSetBalance(addr, denom, old));
    this.rawSetBalance(addr, denom, amount);
  }

  private rawSetBalance(addr: string, denom: string, amount: bigint): void {
    let per = this.balances.get(addr);
    if (!per) this.balances.set(addr, (per = new Map()));
    if (amount === 0n) {
      per.delete(denom);
      if (per.size === 0) this.balances.delete(addr);
    } else per.set(denom, amount);
  }

  private ensureAccount(addr: string): void {
    if (this.accounts.has(addr)) return;
    const n = this.nextAccountNumber;
    this.undo.push(() => {
      this.accounts.delete(addr);
      this.nextAccountNumber = n;
    });
    this.accounts.set(addr, { number: n, seq: 0n, hasPub: false, module: false });
    this.nextAccountNumber = n + 1n;
  }

  private bumpSequence(addr: string): void {
    const a = this.accounts.get(addr)!;
    const { seq, hasPub } = a;
    this.undo.push(() => {
      a.seq = seq;
      a.hasPub = hasPub;
    });
    a.seq = seq + 1n;
    a.hasPub = true;
  }

  private subtract(addr: string, coins: readonly Coin[]): boolean {
    for (const c of coins) {
      const have = this.balance(addr, c.denom);
      if (have < c.amount) return false;
      this.setBalance(addr, c.denom, have - c.amount);
    }
    return true;
  }

  private add(addr: string, coins: readonly Coin[]): void {
    for (const c of coins) this.setBalance(addr, c.denom, this.balance(addr, c.denom) + c.amount);
  }

  private rollback(mark: number): void {
    while (this.undo.length > mark) this.undo.pop()!();
  }

  // ------------------------------------------------------------ tx semantics

  /**
   * Applies `tx` like the pipeline does in `mode` and returns the predicted outcome.
   * check: ante only, with the node-local minimum gas price; process: ante only, no minimum gas
   * price (Prepare/ProcessProposal no longer run the ante); finalize: ante + messages.
   */
  apply(tx: TxSpec, mode: "check" | "process" | "finalize"): Outcome {
    this.undo = [];
    const fail = (code: Code, stage: "ante" | "msgs", mark: number): Outcome => {
      this.rollback(mark);
      return { code, stage };
    };
    // --- ante (chain/tx/ante.ts order)
    if (tx.oogInAnte) return fail(C.outOfGas, "ante", 0); // tx-size gas is the first charge
    if (mode === "check" && this.minGasPrices.length > 0) {
      const ok = this.minGasPrices.some((p) => (tx.fee.find((c) => c.denom === p.denom)?.amount ?? 0n) >= requiredFee(p, tx.gasLimit));
      if (!ok) return fail(C.insufficientFee, "ante", 0);
    }
    if (!this.exists(tx.signer)) return fail(C.unknownAddress, "ante", 0);
    if (!this.subtract(tx.signer, tx.fee)) return fail(C.insufficientFunds, "ante", 0);
    this.add(this.feeCollector, tx.fee);
    const signers = [{ addr: tx.signer, sequence: tx.sequence }, ...(tx.coSigners ?? [])];
    for (const s of signers) if (!this.exists(s.addr)) return fail(C.unknownAddress, "ante", 0);
    for (const s of signers) {
      if (this.sequence(s.addr) !== s.sequence) return fail(C.wrongSequence, "ante", 0);
      if (tx.badSignature) return fail(C.unauthorized, "ante", 0);
    }
    for (const s of signers) this.bumpSequence(s.addr);
    if (mode !== "finalize") return { code: OK, stage: "ok" };
    // --- messages, all or nothing
    const mark = this.undo.length;
    for (const m of tx.msgs) {
      if (m.type === "send") {
        if (this.isModule(m.to)) return fail(C.blockedRecipient, "msgs", mark);
        if (!this.subtract(m.from, m.coins)) return fail(C.insufficientFunds, "msgs", mark);
        this.add(m.to, m.coins);
        this.ensureAccount(m.to);
      } else {
        if (m.outs.some((o) => this.isModule(o.to))) return fail(C.blockedRecipient, "msgs", mark);
        const total = sumCoins(m.outs.map((o) => o.coins));
        if (!this.subtract(m.from, total)) return fail(C.insufficientFunds, "msgs", mark);
        for (const o of m.outs) {
          this.add(o.to, o.coins);
          this.ensureAccount(o.to);
        }
      }
    }
    if (tx.oogInMsgs) return fail(C.outOfGas, "msgs", mark);
    return { code: OK, stage: "ok" };
  }

  snapshot(): Snapshot {
    const accounts = [...this.accounts.entries()]
      .map(([addr, a]) => ({ addr, number: a.number, seq: a.seq, hasPub: a.hasPub, module: a.module }))
      .sort((x, y) => cmp(x.addr, y.addr));
    const balances: Array<Snapshot["balances"][number]> = [];
    for (const [addr, per] of this.balances) for (const [denom, amount] of per) balances.push({ addr, denom, amount });
    balances.sort((x, y) => cmp(x.addr, y.addr) || cmp(x.denom, y.denom));
    return { accounts, balances, nextAccountNumber: this.nextAccountNumber };
  }
}

export function sumCoins(lists: ReadonlyArray<readonly Coin[]>): Coin[] {
  const m = new Map<string, bigint>();
  for (const l of lists) for (const c of l) m.set(c.denom, (m.get(c.denom) ?? 0n) + c.amount);
  return [...m.entries()].sort((a, b) => cmp(a[0], b[0])).map(([denom, amount]) => ({ denom, amount }));
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface Snapshot {
  readonly accounts: ReadonlyArray<{ addr: string; number: bigint; seq: bigint; hasPub: boolean; module: boolean }>;
  readonly balances: ReadonlyArray<{ addr: string; denom: string; amount: bigint }>;
  readonly nextAccountNumber: bigint;
}

/** The same view read straight from the auth and bank stores (committed + pending). */
export function readSnapshot(view: MultiStoreView): Snapshot {
  const auth = view.getStore("auth");
  const accounts: Array<Snapshot["accounts"][number]> = [];
  for (const [k, v] of auth.prefixIterator(ACCOUNT_PREFIX)) {
    const a = decodeAccount(v);
    const addr = toHex(a.address);
    if (toHex(k.subarray(2)) !== addr) throw new Error(`auth key ${toHex(k)} holds the account of ${addr}`);
    accounts.push({ addr, number: a.accountNumber, seq: a.sequence, hasPub: a.pubKey !== undefined, module: a.module !== undefined });
  }
  const next = auth.get(NEXT_ACCOUNT_NUMBER_KEY);
  const balances: Array<Snapshot["balances"][number]> = [];
  for (const [k, v] of view.getStore("bank").prefixIterator(BALANCES_PREFIX)) {
    const p = parseBalanceKey(k.subarray(1))!;
    balances.push({ addr: toHex(p.addr), denom: p.denom, amount: decodeAmount(v) });
  }
  return { accounts, balances, nextAccountNumber: next ? decodeU64(next) : 0n };
}

/**
 * Coins: bigint amounts, SDK validation rules. A denom matches the SDK's default
 * `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`; an amount is a decimal integer below 2^256 (math.Int's bound).
 * A Coins list is sorted by denom, without duplicates, every amount positive.
 */
import type { Coin } from "cosmjs-types/cosmos/base/v1beta1/coin";
import { sdkErrors } from "../../chain/app/errors";

export interface BigCoin {
  readonly denom: string;
  readonly amount: bigint;
}

const DENOM_RE = /^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/;
const AMOUNT_RE = /^[0-9]{1,78}$/;
export const MAX_AMOUNT = (1n << 256n) - 1n;
/** Most coins in one list (a msg's amount, a fee). */
export const MAX_COINS = 64;

export function isValidDenom(d: unknown): d is string {
  return typeof d === "string" && DENOM_RE.test(d);
}

export function validateDenom(d: unknown, path: string): string {
  if (!isValidDenom(d)) throw sdkErrors.InvalidCoins.wrap(`${path}: invalid denom ${JSON.stringify(String(d).slice(0, 140))}`);
  return d;
}

export function parseAmount(a: unknown, path: string): bigint {
  if (typeof a !== "string" || !AMOUNT_RE.test(a)) {
    throw sdkErrors.InvalidCoins.wrap(`${path}: amount must be a non-negative integer string, got ${JSON.stringify(String(a).slice(0, 100))}`);
  }
  const v = BigInt(a);
  if (v > MAX_AMOUNT) throw sdkErrors.InvalidCoins.wrap(`${path}: amount exceeds 2^256-1`);
  return v;
}

/**
 * Validates a Coins list (protobuf Coin[]): sorted, unique, positive amounts, valid denoms.
 * `allowEmpty` for fees. Returns the bigint form.
 */
export function parseCoins(coins: readonly Coin[], path: string, allowEmpty = false): BigCoin[] {
  if (!allowEmpty && coins.length === 0) throw sdkErrors.InvalidCoins.wrap(`${path}: must not be empty`);
  if (coins.length > MAX_COINS) throw sdkErrors.InvalidCoins.wrap(`${path}: more than ${MAX_COINS} coins`);
  const out: BigCoin[] = [];
  for (let i = 0; i < coins.length; i++) {
    const denom = validateDenom(coins[i].denom, `${path}[${i}].denom`);
    const amount = parseAmount(coins[i].amount, `${path}[${i}].amount`);
    if (amount === 0n) throw sdkErrors.InvalidCoins.wrap(`${path}[${i}]: amount must be positive (${coins[i].amount}${denom})`);
    if (i > 0) {
      const prev = out[i - 1].denom;
      if (prev === denom) throw sdkErrors.InvalidCoins.wrap(`${path}: duplicate denom ${denom}`);
      if (prev > denom) throw sdkErrors.InvalidCoins.wrap(`${path}: coins must be sorted by denom (${prev} before ${denom})`);
    }
    out.push({ denom, amount });
  }
  return out;
}

/** "100ugrid,5uatom": the SDK's Coins.String(), used in event attributes. */
export function coinsToString(coins: readonly BigCoin[]): string {
  return coins.map((c) => `${c.amount}${c.denom}`).join(",");
}

export function toProtoCoins(coins: readonly BigCoin[]): Coin[] {
  return coins.map((c) => ({ denom: c.denom, amount: c.amount.toString() }));
}

/** Sums coin lists into a sorted list (denom order by UTF-16 code units = byte order for ASCII denoms). */
export function addCoins(...lists: ReadonlyArray<readonly BigCoin[]>): BigCoin[] {
  const m = new Map<string, bigint>();
  for (const l of lists) for (const c of l) m.set(c.denom, (m.get(c.denom) ?? 0n) + c.amount);
  return [...m.entries()]
    .filter(([, a]) => a !== 0n)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([denom, amount]) => ({ denom, amount }));
}

export function coinsEqual(a: readonly BigCoin[], b: readonly BigCoin[]): boolean {
  return a.length === b.length && a.every((c, i) => c.denom === b[i].denom && c.amount === b[i].amount);
}

/** Parses "1000ugrid" / "1000ugrid,5uatom" (CLI, config). */
export function parseCoinsString(s: string, path = "coins"): BigCoin[] {
  const t = s.trim();
  if (t === "") return [];
  const parts = t.split(",").map((p) => p.trim());
  const coins: Coin[] = parts.map((p) => {
    const m = /^([0-9]+)([a-zA-Z][a-zA-Z0-9/:._-]*)$/.exec(p);
    if (!m) throw sdkErrors.InvalidCoins.wrap(`${path}: "${p.slice(0, 100)}" is not of the form <amount><denom>, e.g. 1000ugrid`);
    return { denom: m[2], amount: m[1].replace(/^0+(?=\d)/, "") };
  });
  coins.sort((a, b) => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0));
  return parseCoins(coins, path, true);
}

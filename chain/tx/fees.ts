/**
 * Minimum gas prices (node configuration, not consensus state): CheckTx rejects txs whose fee is
 * below gas_limit × price for every configured denom (SDK: fee must cover at least one of them).
 * Prices are decimals like "0.0025ugrid", kept as exact fractions (no floating point).
 */
import { sdkErrors } from "../app/errors";

export interface GasPrice {
  readonly denom: string;
  /** price = numerator / 10^scale */
  readonly numerator: bigint;
  readonly scale: number;
}

/** The devnet default (DESIGN/issue #4): 0.0025ugrid. */
export const DEFAULT_MIN_GAS_PRICES = "0.0025ugrid";

/** Parses "0.0025ugrid" or "0.0025ugrid,0.1uatom"; "" = no minimum. */
export function parseGasPrices(s: string): GasPrice[] {
  const t = s.trim();
  if (t === "") return [];
  return t.split(",").map((part) => {
    const m = /^([0-9]{1,30})(?:\.([0-9]{1,18}))?([a-zA-Z][a-zA-Z0-9/:._-]{2,127})$/.exec(part.trim());
    if (!m) throw sdkErrors.InvalidCoins.wrap(`minimum gas price "${part}" must look like 0.0025ugrid`);
    const frac = m[2] ?? "";
    return { denom: m[3], numerator: BigInt(m[1] + frac), scale: frac.length };
  });
}

/** ceil(gasLimit × price) */
export function requiredFee(price: GasPrice, gasLimit: bigint): bigint {
  const d = 10n ** BigInt(price.scale);
  return (price.numerator * gasLimit + d - 1n) / d;
}

export function formatGasPrices(p: readonly GasPrice[]): string {
  return p
    .map((g) => {
      const s = g.numerator.toString().padStart(g.scale + 1, "0");
      const int = s.slice(0, s.length - g.scale);
      const frac = s.slice(s.length - g.scale);
      return `${int}${frac ? "." + frac : ""}${g.denom}`;
    })
    .join(",");
}

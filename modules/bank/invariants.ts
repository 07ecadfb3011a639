/** bank invariants (x/bank/keeper/invariants.go): test oracles, O(state), never run per block on mainnet. */
import type { Invariant } from "../../chain/app/types";
import { BALANCES_PREFIX, STORE_NAME, SUPPLY_PREFIX, decodeAmount, decodeDenom, parseBalanceKey } from "./keys";

export const totalSupplyInvariant: Invariant = {
  name: "bank/total-supply",
  check(ctx) {
    const s = ctx.multiStore.getStore(STORE_NAME);
    const sums = new Map<string, bigint>();
    for (const [k, v] of s.prefixIterator(BALANCES_PREFIX)) {
      const p = parseBalanceKey(k.subarray(1));
      if (!p) return `malformed balance key ${Buffer.from(k).toString("hex")}`;
      sums.set(p.denom, (sums.get(p.denom) ?? 0n) + decodeAmount(v));
    }
    const supply = new Map<string, bigint>();
    for (const [k, v] of s.prefixIterator(SUPPLY_PREFIX)) supply.set(decodeDenom(k.subarray(1)), decodeAmount(v));
    const denoms = [...new Set([...sums.keys(), ...supply.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const bad = denoms.filter((d) => (sums.get(d) ?? 0n) !== (supply.get(d) ?? 0n));
    if (bad.length === 0) return undefined;
    return `total supply != sum of balances for ${bad.map((d) => `${d} (supply ${supply.get(d) ?? 0n}, balances ${sums.get(d) ?? 0n})`).join(", ")}`;
  },
};

export const nonNegativeInvariant: Invariant = {
  name: "bank/nonnegative-outstanding",
  check(ctx) {
    for (const [k, v] of ctx.multiStore.getStore(STORE_NAME).prefixIterator(BALANCES_PREFIX)) {
      if (decodeAmount(v) <= 0n) return `non-positive balance stored at ${Buffer.from(k).toString("hex")}`;
    }
    return undefined;
  },
};

/**
 * auth params (cosmos.auth.v1beta1.Params), with the SDK defaults:
 * max_memo_characters 256, tx_sig_limit 7, tx_size_cost_per_byte 10,
 * sig_verify_cost_ed25519 590, sig_verify_cost_secp256k1 1000.
 */
import { Params } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { authErrors } from "./errors";

export { Params };

export const DEFAULT_PARAMS: Params = {
  maxMemoCharacters: 256n,
  txSigLimit: 7n,
  txSizeCostPerByte: 10n,
  sigVerifyCostEd25519: 590n,
  sigVerifyCostSecp256k1: 1000n,
};

/** Upper bounds that keep governance from making the chain unusable by accident. */
const MAX_MEMO = 65536n;
const MAX_SIGS = 64n;

export function validateParams(p: Params, path = "auth.params"): void {
  const positive: [keyof Params, string, bigint][] = [
    ["maxMemoCharacters", "max_memo_characters", MAX_MEMO],
    ["txSigLimit", "tx_sig_limit", MAX_SIGS],
    ["txSizeCostPerByte", "tx_size_cost_per_byte", 1_000_000n],
    ["sigVerifyCostEd25519", "sig_verify_cost_ed25519", 100_000_000n],
    ["sigVerifyCostSecp256k1", "sig_verify_cost_secp256k1", 100_000_000n],
  ];
  for (const [k, name, max] of positive) {
    const v = p[k];
    if (typeof v !== "bigint" || v <= 0n || v > max) {
      throw authErrors.InvalidParams.wrap(`${path}.${name} must be in [1, ${max}], got ${String(v)}`);
    }
  }
}

export function paramsToJSON(p: Params): Record<string, string> {
  return {
    max_memo_characters: p.maxMemoCharacters.toString(),
    tx_sig_limit: p.txSigLimit.toString(),
    tx_size_cost_per_byte: p.txSizeCostPerByte.toString(),
    sig_verify_cost_ed25519: p.sigVerifyCostEd25519.toString(),
    sig_verify_cost_secp256k1: p.sigVerifyCostSecp256k1.toString(),
  };
}


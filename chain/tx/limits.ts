/**
 * Stateless tx limits (node-wide constants, not governance params). The per-chain limits that the
 * SDK keeps in auth params (memo length, signature count, gas costs) live in modules/auth/params.ts.
 */
export interface TxLimits {
  /** Largest accepted TxRaw in bytes (CometBFT's mempool max_tx_bytes is 1 MiB; we are stricter). */
  readonly maxTxBytes: number;
  /** Most messages in one tx. */
  readonly maxMsgsPerTx: number;
}

export const DEFAULT_TX_LIMITS: TxLimits = {
  maxTxBytes: 64 * 1024,
  maxMsgsPerTx: 32,
};

/**
 * Remembers signatures verified in CheckTx so FinalizeBlock need not verify them again.
 *
 * Keyed by (tx hash, signer index, account number, pubkey): the hash covers every signed byte and
 * the chain id is fixed per node, so a hit means the same check would succeed again. Only
 * successes are stored. Gas is charged identically on hit and miss (determinism: gas_used is in
 * LastResultsHash). Bounded: the oldest entries are dropped past `capacity`.
 */
export class SignatureCache {
  private readonly entries = new Set<string>();

  constructor(readonly capacity = 200_000) {}

  static key(txHashHex: string, accountNumber: bigint, pubkey: Uint8Array): string {
    return `${txHashHex}/${accountNumber}/${Buffer.from(pubkey.buffer, pubkey.byteOffset, pubkey.byteLength).toString("hex")}`;
  }

  add(key: string): void {
    if (this.entries.has(key)) return;
    this.entries.add(key);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.values().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /** True (and forgets the entry: a tx is finalized once) when `key` was verified before. */
  take(key: string): boolean {
    return this.entries.delete(key);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

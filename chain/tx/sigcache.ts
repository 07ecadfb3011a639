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
  /** Hashes (hex) of txs with at least one cached signature (FIFO-bounded like the entries). */
  private readonly txs = new Set<string>();

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
    const hash = key.slice(0, key.indexOf("/"));
    if (!this.txs.has(hash)) {
      this.txs.add(hash);
      if (this.txs.size > this.capacity) {
        const oldest = this.txs.values().next().value;
        if (oldest !== undefined) this.txs.delete(oldest);
      }
    }
  }

  /** True when some signature of the tx with this hash (hex) was cached (a hint: skip pre-verifying it). */
  seenTx(txHashHex: string): boolean {
    return this.txs.has(txHashHex);
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

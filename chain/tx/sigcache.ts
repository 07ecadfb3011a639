/**
 * Remembers signatures verified in CheckTx so FinalizeBlock need not verify them again.
 *
 * An entry is (tx hash, account number, public key): the hash covers every signed byte and the
 * chain id is fixed per node, so a hit means the same check would succeed again. Only successes
 * are stored. Gas is charged identically on hit and miss (determinism: gas_used is in
 * LastResultsHash). Bounded: past `capacity` entries the oldest txs' entries are dropped.
 *
 * Entries are grouped under the tx hash's hex string (memoized per decoded tx, so its string hash
 * is computed once) and matched by comparing the account number and key bytes: no key string is
 * built per lookup.
 */
import { bytesEqual } from "../crypto/hash";
import { KeyQueue } from "../util/fifo";

interface Entry {
  readonly accountNumber: bigint;
  readonly pubkey: Uint8Array;
}

export class SignatureCache {
  /** Tx hash (hex) → its verified (account number, key) pairs, in insertion order of the txs. */
  private readonly txs = new Map<string, Entry[]>();
  /** The txs' hashes in insertion order (each key of `txs`; also forgotten ones until evicted or compacted). */
  private readonly order = new KeyQueue<string>();
  private count = 0;

  constructor(readonly capacity = 200_000) {}

  add(txHashHex: string, accountNumber: bigint, pubkey: Uint8Array): void {
    let list = this.txs.get(txHashHex);
    if (list === undefined) {
      list = [];
      this.txs.set(txHashHex, list);
      this.order.push(txHashHex);
    } else if (find(list, accountNumber, pubkey) >= 0) {
      return;
    }
    list.push({ accountNumber, pubkey: pubkey.slice() }); // a private copy: callers' arrays may be views
    this.count++;
    while (this.count > this.capacity) {
      const oldest = this.order.shift(); // not txs.keys().next(): see fifo.ts
      if (oldest === undefined) break;
      const gone = this.txs.get(oldest); // undefined: forgotten earlier, its key still queued
      if (gone === undefined) continue;
      this.count -= gone.length;
      this.txs.delete(oldest);
    }
  }

  /**
   * Drops a tx's entries: it is in a committed block, so no later FinalizeBlock will ask (a replay
   * of the same bytes fails its sequence check; if it got as far as a signature it is verified
   * afresh, with the same answer). Keeps the cache at about the mempool's size instead of
   * `capacity` entries of heap on a busy node.
   */
  forget(txHashHex: string): void {
    const list = this.txs.get(txHashHex);
    if (list === undefined) return;
    this.count -= list.length;
    this.txs.delete(txHashHex);
    if (this.order.length > 2 * this.txs.size + 1024) this.order.compact((k) => this.txs.has(k));
  }

  /** True when some signature of the tx with this hash (hex) was cached (a hint: skip pre-verifying it). */
  seenTx(txHashHex: string): boolean {
    return this.txs.has(txHashHex);
  }

  has(txHashHex: string, accountNumber: bigint, pubkey: Uint8Array): boolean {
    const list = this.txs.get(txHashHex);
    return list !== undefined && find(list, accountNumber, pubkey) >= 0;
  }

  /** Entries held. */
  get size(): number {
    return this.count;
  }
}

function find(list: readonly Entry[], accountNumber: bigint, pubkey: Uint8Array): number {
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (e.accountNumber === accountNumber && bytesEqual(e.pubkey, pubkey)) return i;
  }
  return -1;
}

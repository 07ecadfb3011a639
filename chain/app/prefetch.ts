/**
 * Hands the store the keys of txs the node has seen but not yet executed (CheckTx, ProcessProposal),
 * so it can read them before FinalizeBlock needs them (chain/store/prefetch.ts). Which keys a
 * message touches is module knowledge (`KeysToWarm`, e.g. modules/bank/warm.ts). A hint only: it
 * changes no result and no gas, and never throws (an undecodable tx or odd message is skipped).
 */
import type { CommitMultiStore } from "../store/types";
import type { TxRunner } from "./types";
import { bankKeysToWarm, type KeysToWarm, type WarmKey } from "../../modules/bank/warm";

/** A decoded tx as far as warming needs it (chain/tx DecodedTx). */
interface Decoded {
  readonly msgs: readonly { readonly typeUrl: string; readonly msg: unknown }[];
}

export class TxPrefetcher {
  /** Decoded txs already warmed (the runner's decode memo returns the same object for the same bytes). */
  private warmed = new WeakSet<object>();

  constructor(
    private readonly store: Pick<CommitMultiStore, "prefetch">,
    private readonly decode: (tx: Uint8Array) => Decoded,
    private readonly warmers: ReadonlyMap<string, KeysToWarm>,
  ) {}

  /** One tx (CheckTx). */
  tx(tx: Uint8Array): void {
    this.txs([tx]);
  }

  /** A block's txs (ProcessProposal): those not warmed before. */
  txs(txs: readonly Uint8Array[]): void {
    const out: WarmKey[] = [];
    for (const tx of txs) {
      try {
        const d = this.decode(tx);
        if (this.warmed.has(d)) continue;
        this.warmed.add(d);
        for (const m of d.msgs) this.warmers.get(m.typeUrl)?.(m.msg, out);
      } catch {
        /* not decodable or a malformed field: nothing to warm */
      }
    }
    if (out.length === 0) return;
    // One call per (store, written), keys in the txs' order.
    const groups = new Map<string, { store: string; written: boolean; keys: Uint8Array[] }>();
    for (const [store, key, written] of out) {
      const g = `${written ? 1 : 0}${store}`;
      const l = groups.get(g);
      if (l === undefined) groups.set(g, { store, written, keys: [key] });
      else l.keys.push(key);
    }
    try {
      for (const g of groups.values()) this.store.prefetch?.(g.store, g.keys, g.written);
    } catch {
      /* a hint: never fails the request */
    }
  }
}

/**
 * The node's prefetcher: bank's keys (sends are the bulk of traffic), decoded through the tx
 * runner's decode memo. Undefined when the store cannot prefetch or the runner cannot decode.
 */
export function buildTxPrefetcher(store: CommitMultiStore, runner: TxRunner): TxPrefetcher | undefined {
  const decode = (runner as { decode?: (tx: Uint8Array, remember?: boolean) => Decoded }).decode;
  if (store.prefetch === undefined || decode === undefined) return undefined;
  return new TxPrefetcher(store, (tx) => decode.call(runner, tx, false), bankKeysToWarm);
}

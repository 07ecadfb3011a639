/**
 * Hands the store the keys of txs the node has seen but not yet executed (CheckTx, ProcessProposal),
 * so it can read them before FinalizeBlock needs them (chain/store/prefetch.ts). Which keys a
 * message touches is module knowledge (`KeysToWarm`, e.g. modules/bank/warm.ts). A hint only: it
 * changes no result and no gas, and never throws (an undecodable tx or odd message is skipped).
 */
import type { CommitMultiStore } from "../store/types";
import type { TxRunner } from "./types";
import { bankKeysToWarm, type KeysToWarm, type WarmSink } from "../../modules/bank/warm";

/** A decoded tx as far as warming needs it (chain/tx DecodedTx). */
interface Decoded {
  readonly msgs: readonly { readonly typeUrl: string; readonly msg: unknown }[];
}

type KeyTaker = (key: string, written: boolean) => void;

export class TxPrefetcher {
  /** Decoded txs already warmed (the runner's decode memo returns the same object for the same bytes). */
  private warmed = new WeakSet<object>();
  /** Per store name, the store's per-key taker (`prefetchTo`), or a fallback through `prefetch`. */
  private readonly takers = new Map<string, KeyTaker | null>();
  /** Keys go straight to the store, one call each: no per-call arrays or Maps. */
  private readonly sink: WarmSink = (store, key, written) => {
    let t = this.takers.get(store);
    if (t === undefined) this.takers.set(store, (t = this.takerOf(store)));
    if (t !== null) t(key, written);
  };

  constructor(
    private readonly store: Pick<CommitMultiStore, "prefetch" | "prefetchTo">,
    private readonly decode: (tx: Uint8Array) => Decoded,
    private readonly warmers: ReadonlyMap<string, KeysToWarm>,
  ) {}

  private takerOf(name: string): KeyTaker | null {
    const st = this.store;
    if (st.prefetchTo !== undefined) return st.prefetchTo(name) ?? null;
    if (st.prefetch === undefined) return null;
    return (key, written) => st.prefetch!(name, [Buffer.from(key, "latin1")], written);
  }

  /** One tx (CheckTx). */
  tx(tx: Uint8Array): void {
    this.one(tx);
  }

  /** A block's txs (ProcessProposal): those not warmed before. */
  txs(txs: readonly Uint8Array[]): void {
    for (let i = 0; i < txs.length; i++) this.one(txs[i]!);
  }

  private one(tx: Uint8Array): void {
    try {
      const d = this.decode(tx);
      if (this.warmed.has(d)) return;
      this.warmed.add(d);
      const msgs = d.msgs;
      for (let i = 0; i < msgs.length; i++) this.warmers.get(msgs[i]!.typeUrl)?.(msgs[i]!.msg, this.sink);
    } catch {
      /* not decodable, a malformed field, or the store refused: a hint, never fails the request */
    }
  }
}

/**
 * The node's prefetcher: bank's keys (sends are the bulk of traffic), decoded through the tx
 * runner's decode memo. Undefined when the store cannot prefetch or the runner cannot decode.
 */
export function buildTxPrefetcher(store: CommitMultiStore, runner: TxRunner): TxPrefetcher | undefined {
  const decode = (runner as { decode?: (tx: Uint8Array, remember?: boolean) => Decoded }).decode;
  if ((store.prefetch === undefined && store.prefetchTo === undefined) || decode === undefined) return undefined;
  return new TxPrefetcher(store, (tx) => decode.call(runner, tx, false), bankKeysToWarm);
}

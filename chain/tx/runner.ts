/**
 * The tx pipeline: strict decode → stateless message checks → ante (fees, keys, signatures,
 * sequences) → messages, implementing chain/app's TxRunner. It never throws: every failure
 * becomes a TxResult with the error's (codespace, code) and an actionable log.
 *
 * Branching: ante runs in its own branch of env.store and is written back when it succeeds, so a
 * tx whose messages fail still pays its fee and uses its sequence; messages then run in a second
 * branch of env.store written back only on success (failed txs lose their writes and their
 * message events). In FinalizeBlock a tx of the common shape (leanante.ts `leanBlockAnte`, then
 * leansend.ts for a lone MsgSend) needs neither branch: those check everything first and write the
 * block's branch only when the step succeeds, else the general path runs.
 * CheckTx/ReCheckTx run the ante only (as the SDK); Simulate and FinalizeBlock run everything.
 */
import "./protobuf-perf";
import { encodeTxMsgData } from "./pb";
import { ChainError, sdkErrors, toAbciError } from "../app/errors";
import { BasicEventManager, BasicGasMeter, MsgEventManager, createContext } from "../app/context";
import type { AnyMsg, Event, GasMeter, Module, MsgHandler, TxEnv, TxResult, TxRunner } from "../app/types";
import type { CacheMultiStore } from "../store/types";
import { blockMaxGas } from "../app/consensus";
import { getVerifier, type Secp256k1Verifier } from "../crypto/secp256k1";
import { sha256 } from "../crypto/hash";
import type { AuthKeeper } from "../../modules/auth/keeper";
import type { BankKeeper } from "../../modules/bank/keeper";
import { memoHashHex, runAnte } from "./ante";
import { decodeTx, type DecodedTx } from "./decode";
import { DEFAULT_MIN_GAS_PRICES, parseGasPrices, type GasPrice } from "./fees";
import { DEFAULT_TX_LIMITS, type TxLimits } from "./limits";
import { SignatureCache } from "./sigcache";
import { VerifyPool } from "../crypto/verify-pool";
import { preverifyBlock } from "./preverify";
import { FifoMap } from "../util/fifo";
import { BytesMemo, type MemoHash } from "./decodememo";
import { leanSend } from "./leansend";
import { MSG_SEND } from "../../modules/bank/msgs";
import type { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { leanBlockAnte, leanMempoolAnte, type LeanOutcome } from "./leanante";

export interface TxPipelineOptions {
  readonly modules: readonly Module[];
  readonly auth: AuthKeeper;
  readonly bank: BankKeeper;
  /** Node-local minimum gas prices for CheckTx, e.g. "0.0025ugrid" (default); "" disables. */
  readonly minGasPrices?: string;
  readonly limits?: Partial<TxLimits>;
  readonly verifier?: Secp256k1Verifier;
  readonly sigCacheSize?: number;
  /** Decoded txs memoized (per key kind; default 50,000). */
  readonly decodeCacheSize?: number;
  /** The decode memo's hash of tx bytes (tests force collisions with it; default `memoHash`). */
  readonly memoHash?: MemoHash;
  /** Pre-verify FinalizeBlock's unseen signatures on a second thread (default true; native verifier only). */
  readonly parallelVerify?: boolean;
  /** CheckTx/ReCheckTx of the common tx shape through leanante.ts (default true; false: the general ante only, for tests). */
  readonly leanMempool?: boolean;
  /** FinalizeBlock's ante of the common shape through leanante.ts `leanBlockAnte` (default true; false: the general ante only, for tests). */
  readonly leanBlock?: boolean;
}

/** Extra, optional inputs an App may give (additive to TxEnv). */
export interface TxEnvExtras {
  /** Consensus params block.max_gas (> 0): txs asking for more gas are rejected. */
  readonly maxBlockGas?: bigint;
  /** The block's gas meter in FinalizeBlock: a tx that would push it past its limit fails (out of gas). */
  readonly blockGas?: GasMeter;
}

export interface SimulateOutcome {
  readonly gasWanted: bigint;
  readonly gasUsed: bigint;
  readonly result?: { data: Uint8Array; log: string; events: readonly Event[]; msgResponses: AnyMsg[] };
  readonly error?: ChainError | Error;
}

/** "cosmos.bank.v1beta1.MsgSend" → "bank" (the SDK's message.module attribute). */
const moduleOfTypeUrlCache = new Map<string, string>();
export function moduleOfTypeUrl(typeUrl: string): string {
  let m = moduleOfTypeUrlCache.get(typeUrl);
  if (m === undefined) {
    m = moduleOfTypeUrlUncached(typeUrl);
    if (moduleOfTypeUrlCache.size >= 1000) moduleOfTypeUrlCache.clear(); // only registered types reach here
    moduleOfTypeUrlCache.set(typeUrl, m);
  }
  return m;
}

function moduleOfTypeUrlUncached(typeUrl: string): string {
  const parts = typeUrl.replace(/^\//, "").split(".");
  return parts.length >= 3 ? parts[1] : parts[0];
}

/**
 * CheckTx's and ReCheckTx's events: like the Cosmos SDK (v0.50 runTx keeps the ante's events only
 * in finalize and simulate modes), a passing CheckTx answers without events, so they are not built
 * at all. Gas never depends on events.
 */
class DiscardedEvents extends BasicEventManager {
  override emit(): void {}
  override append(): void {}
}

/** The result of a failed tx (a function, not a per-tx closure: this runs for every tx). */
function failure(env: TxEnv, e: unknown, gasWanted: bigint, gasUsed: bigint, events: readonly Event[] = []): { result: TxResult; msgResponses: AnyMsg[]; error: ChainError | Error } {
  const a = toAbciError(e);
  if (a.code === 1) env.logger.error({ err: e instanceof Error ? e.stack : String(e) }, "unexpected error in tx");
  return {
    result: { code: a.code, codespace: a.codespace, log: a.log, data: new Uint8Array(0), gasWanted, gasUsed, events },
    msgResponses: [],
    error: e instanceof Error ? e : new Error(String(e)),
  };
}

/** A passing mempool check's data and events: empty, shared (CheckTx answers carry neither; nothing writes to them). */
const LEAN_DATA = new Uint8Array(0);
const LEAN_EVENTS = Object.freeze([]) as unknown as Event[];
const MSG_SEND_RESPONSE = "/cosmos.bank.v1beta1.MsgSendResponse";
const EMPTY = new Uint8Array(0);
/** A lean send's TxMsgData (one empty MsgSendResponse): the same bytes for every such tx, shared (results are never mutated). */
const LEAN_SEND_DATA = encodeTxMsgData([{ typeUrl: MSG_SEND_RESPONSE, value: EMPTY }]);
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

export class TxPipeline implements TxRunner {
  /** execute() writes env.store only as TxRunner.branchesItself says (ante branch; messages' branch on success; lean path on success) and catches everything. */
  readonly branchesItself = true;
  readonly limits: TxLimits;
  readonly minGasPrices: GasPrice[];
  readonly verifier: Secp256k1Verifier;
  readonly sigCache: SignatureCache;
  private readonly pool?: VerifyPool;
  private readonly router = new Map<string, MsgHandler<unknown>>();

  constructor(private readonly opt: TxPipelineOptions) {
    this.decoded = new BytesMemo(opt.decodeCacheSize ?? 50_000, opt.memoHash);
    this.decodedByHash = new FifoMap(opt.decodeCacheSize ?? 50_000);
    this.limits = { ...DEFAULT_TX_LIMITS, ...opt.limits };
    this.minGasPrices = parseGasPrices(opt.minGasPrices ?? DEFAULT_MIN_GAS_PRICES);
    this.verifier = opt.verifier ?? getVerifier();
    this.sigCache = new SignatureCache(opt.sigCacheSize);
    this.leanMempool = opt.leanMempool ?? true;
    this.leanBlock = opt.leanBlock ?? true;
    if (opt.parallelVerify ?? true) {
      const pool = new VerifyPool(this.verifier);
      if (pool.parallel) this.pool = pool;
    }
    for (const m of opt.modules) {
      for (const h of m.msgs ?? []) {
        if (this.router.has(h.typeUrl)) throw new Error(`message ${h.typeUrl} is registered by two modules`);
        this.router.set(h.typeUrl, h as MsgHandler<unknown>);
      }
    }
  }

  /**
   * consensus block.max_gas as of the start of the block at env.header.height. Consensus params
   * only change in EndBlock (governance), so one read per (height, mempool-or-block) is exact;
   * it saves a store read + ConsensusParams decode per tx.
   */
  private maxGasMempool?: { height: bigint; v: bigint };
  private maxGasBlock?: { height: bigint; v: bigint };
  private maxGasAt(env: TxEnv): bigint {
    const mempool = env.mode === "check" || env.mode === "recheck" || env.mode === "simulate";
    const height = env.header.height;
    const hit = mempool ? this.maxGasMempool : this.maxGasBlock;
    if (hit !== undefined && hit.height === height) return hit.v; // no key string per tx
    const v = blockMaxGas(env.store);
    if (mempool) this.maxGasMempool = { height, v };
    else this.maxGasBlock = { height, v };
    return v;
  }

  /** Message type URLs this chain accepts (sorted). */
  messageTypes(): string[] {
    return [...this.router.keys()].sort();
  }

  /**
   * Decoding is a pure function of the bytes, and one tx is decoded up to five times (CheckTx,
   * ReCheckTx, PrepareProposal, ProcessProposal, FinalizeBlock): successful decodes are memoized
   * (bounded FIFO). Failures are not cached. Nothing downstream mutates a DecodedTx.
   * Key: for txs up to RAW_KEY_MAX bytes (every ordinary tx) a 30-bit hash of the bytes, a hit
   * confirmed by comparing them (decodememo.ts); the sha256 of the bytes for larger ones (bounded
   * key memory).
   */
  private readonly decoded: BytesMemo<DecodedTx>;
  private readonly decodedByHash: FifoMap<string, DecodedTx>;
  static readonly RAW_KEY_MAX = 2048;

  /**
   * The same byte array is decoded twice in FinalizeBlock (preverifyBlock, then the tx itself):
   * remembered by identity, so the second lookup skips building the key. Tx byte arrays are never
   * mutated (a DecodedTx already keeps views into them), so identity implies equal content.
   */
  private readonly decodedByRef = new WeakMap<Uint8Array, DecodedTx>();

  /**
   * `remember` = false: do not remember this array by identity (CheckTx/ReCheckTx get a fresh array
   * per request that is never decoded again; a WeakMap entry per request is only GC work).
   */
  decode(tx: Uint8Array, remember = true): DecodedTx {
    const byRef = this.decodedByRef.get(tx);
    if (byRef !== undefined && byRef.bytes.length === tx.length) return byRef;
    if (tx.length === 0 || tx.length > this.limits.maxTxBytes) return this.decodeFresh(tx);
    let d: DecodedTx | undefined;
    if (tx.length <= TxPipeline.RAW_KEY_MAX) {
      d = this.decoded.get(tx);
      if (d === undefined) {
        d = this.decodeFresh(tx);
        this.decoded.set(tx, d); // a new key past the bound evicts the oldest (FIFO)
      }
    } else {
      const h = sha256(tx);
      const key = Buffer.from(h.buffer, h.byteOffset, h.byteLength).toString("latin1");
      d = this.decodedByHash.get(key);
      if (d === undefined || d.bytes.length !== tx.length) {
        d = this.decodeFresh(tx, h);
        this.decodedByHash.set(key, d);
      }
    }
    if (remember) this.decodedByRef.set(tx, d);
    return d;
  }

  /**
   * TxRunner.blockCommitted: a committed block's txs leave the decode memos and the signature
   * cache. Nothing asks for them again (CometBFT drops them from its mempool; a replay of the same
   * bytes is decoded and, if it gets that far, verified afresh: same answers), so the caches hold
   * about the mempool instead of their bounds' worth of heap (50,000 decoded txs + 200,000
   * signatures on a busy node: hundreds of MB that every full GC traces).
   */
  blockCommitted(txs: readonly Uint8Array[]): void {
    for (let i = 0; i < txs.length; i++) {
      const tx = txs[i]!;
      const d = this.decodedByRef.get(tx); // FinalizeBlock remembered every tx it decoded
      if (d === undefined || d.bytes.length !== tx.length) continue; // undecodable: nothing cached
      if (tx.length <= TxPipeline.RAW_KEY_MAX) {
        this.decoded.delete(tx);
      } else {
        this.decodedByHash.delete(Buffer.from(d.hash.buffer, d.hash.byteOffset, d.hash.byteLength).toString("latin1"));
      }
      this.sigCache.forget(memoHashHex(d));
    }
  }

  private readonly lookup = (u: string) => this.router.get(u);

  private decodeFresh(tx: Uint8Array, hash?: Uint8Array): DecodedTx {
    const d = decodeTx(tx, this.lookup, this.limits, hash);
    for (let i = 0; i < d.msgs.length; i++) {
      const m = d.msgs[i];
      try {
        m.handler.validateBasic(m.msg);
      } catch (e) {
        if (e instanceof ChainError) {
          const detail = e.message === e.description ? "" : e.message.slice(0, e.message.length - e.description.length - 2);
          throw new ChainError(e.codespace, e.code, e.description, detail ? `message ${i}: ${detail}` : `message ${i}`);
        }
        throw e;
      }
    }
    return d;
  }

  /**
   * Called by the App before FinalizeBlock runs `txs` (env = the block's branch after BeginBlock):
   * verifies the signatures this node has not verified yet on two threads, as a SignatureCache
   * fill (see preverify.ts). Never throws; does nothing without a second thread.
   */
  preverifyBlock(env: TxEnv, txs: readonly Uint8Array[]): void {
    if (!this.pool || txs.length < 64) return;
    try {
      preverifyBlock(env, txs, (t) => this.decode(t), this.sigCache, this.pool);
    } catch (e) {
      env.logger.warn({ err: (e as Error)?.message }, "signature pre-verification failed; FinalizeBlock verifies in the ante step");
    }
  }

  /** TxRunner.gasLimit: decode only (memoized), for Prepare/ProcessProposal; throws ChainError on bad bytes. */
  gasLimit(tx: Uint8Array): bigint {
    // Not remembered by identity: each proposal request brings its own arrays, never decoded again
    // (FinalizeBlock's arrays are remembered by its own decode) — two WeakMap entries less per block tx.
    return this.decode(tx, false).fee.gasLimit;
  }

  run(env: TxEnv & TxEnvExtras, tx: Uint8Array): TxResult {
    if ((env.mode === "check" || env.mode === "recheck") && this.leanMempool) {
      const r = this.runLean(env, tx);
      if (r !== undefined) return r;
    }
    return this.execute(env, tx).result;
  }

  /**
   * CheckTx/ReCheckTx through leanante.ts, with execute()'s decode and gas-limit checks first;
   * undefined (nothing written): execute() runs the tx. A separate function, so that execute()'s
   * optimized code keeps the type feedback of the txs that run all of it (FinalizeBlock's).
   */
  private runLean(env: TxEnv & TxEnvExtras, txBytes: Uint8Array): TxResult | undefined {
    let tx: DecodedTx;
    try {
      tx = this.decode(txBytes, false);
    } catch (e) {
      return failure(env, e, 0n, 0n).result; // what execute() answers for bytes that do not decode
    }
    const gasWanted = tx.fee.gasLimit;
    if (gasWanted === 0n || gasWanted > 9_223_372_036_854_775_807n) return undefined;
    const maxBlockGas = env.maxBlockGas ?? this.maxGasAt(env);
    if (maxBlockGas > 0n && gasWanted > maxBlockGas) return undefined;
    const lean = this.tryLean(env, tx, gasWanted);
    if (lean === undefined) return undefined;
    if (lean.error !== undefined) return failure(env, lean.error, gasWanted, lean.gasUsed).result;
    return { code: 0, codespace: "", log: "", data: LEAN_DATA, gasWanted, gasUsed: lean.gasUsed, events: LEAN_EVENTS };
  }

  /** Runs a tx in simulation mode on `env.store` (a throw-away branch) and reports its gas. */
  simulate(env: TxEnv, tx: Uint8Array): SimulateOutcome {
    const r = this.execute({ ...env, mode: "simulate" }, tx);
    if (r.result.code !== 0) return { gasWanted: r.result.gasWanted, gasUsed: r.result.gasUsed, error: r.error };
    return {
      gasWanted: r.result.gasWanted,
      gasUsed: r.result.gasUsed,
      result: { data: r.result.data, log: r.result.log, events: r.result.events, msgResponses: r.msgResponses },
    };
  }

  private readonly leanMempool: boolean;

  /** leanante.ts for the common shape; undefined (nothing written) hands the tx to the general ante. */
  private tryLean(env: TxEnv, tx: DecodedTx, gasWanted: bigint): LeanOutcome | undefined {
    try {
      return leanMempoolAnte({
        mode: env.mode,
        height: env.header.height,
        chainId: env.header.chainId,
        store: env.store,
        tx,
        gasWanted,
        minGasPrices: this.minGasPrices,
        verifier: this.verifier,
        sigCache: this.sigCache,
      });
    } catch {
      return undefined; // e.g. an undecodable stored account: the general ante reports it
    }
  }

  private readonly leanBlock: boolean;

  /** leanante.ts's FinalizeBlock ante; undefined (nothing written): the general ante runs. */
  private tryLeanBlock(env: TxEnv, tx: DecodedTx, gasWanted: bigint): { gasUsed: number; events: Event[] } | undefined {
    try {
      return leanBlockAnte({ height: env.header.height, store: env.store, tx, gasWanted, sigCache: this.sigCache });
    } catch {
      return undefined; // e.g. an undecodable stored account: the general ante reports it
    }
  }

  /**
   * FinalizeBlock's message step of a one-MsgSend tx after the lean ante, through leansend.ts on the
   * block's branch; undefined (nothing written, `events` untouched): the general message step runs.
   */
  private tryLeanSend(env: TxEnv & TxEnvExtras, tx: DecodedTx, anteGas: number, events: Event[]): { result: TxResult; msgResponses: AnyMsg[] } | undefined {
    if (tx.msgs.length !== 1 || env.blockGas !== undefined) return undefined;
    const m = tx.msgs[0];
    if (m.typeUrl !== MSG_SEND) return undefined;
    const gasWanted = tx.fee.gasLimit;
    if (gasWanted > MAX_SAFE_BIG) return undefined; // gas left as an exact number below
    let gas: number | undefined;
    try {
      gas = leanSend(env.store, tx, m.msg as MsgSend, Number(gasWanted) - anteGas, events);
    } catch {
      return undefined; // e.g. an undecodable stored amount: the general path reports it
    }
    if (gas === undefined) return undefined;
    const msgResponses: AnyMsg[] = [{ typeUrl: MSG_SEND_RESPONSE, value: EMPTY }];
    return {
      result: { code: 0, codespace: "", log: "", data: LEAN_SEND_DATA, gasWanted, gasUsed: BigInt(anteGas + gas), events },
      msgResponses,
    };
  }

  private execute(env: TxEnv & TxEnvExtras, txBytes: Uint8Array): { result: TxResult; msgResponses: AnyMsg[]; error?: ChainError | Error } {
    const mode = env.mode;
    let gasWanted = 0n;
    let meter = new BasicGasMeter(0n);
    try {
      const tx = this.decode(txBytes, mode !== "check" && mode !== "recheck");
      gasWanted = tx.fee.gasLimit;
      const simulate = mode === "simulate";
      if (!simulate) {
        if (gasWanted === 0n) throw sdkErrors.InvalidGasLimit.wrap("gas limit must be greater than 0; set --gas or use --gas auto");
        const maxBlockGas = env.maxBlockGas ?? this.maxGasAt(env);
        if (maxBlockGas > 0n && gasWanted > maxBlockGas) {
          throw sdkErrors.InvalidGasLimit.wrap(`tx gas limit ${gasWanted} exceeds the block max gas ${maxBlockGas}; lower --gas`);
        }
        if (gasWanted > 9_223_372_036_854_775_807n) throw sdkErrors.InvalidGasLimit.wrap("gas limit exceeds int64");
      }
      meter = new BasicGasMeter(simulate ? 0n : gasWanted);

      // FinalizeBlock: the common shape through leanante.ts straight on the block's branch (same
      // checks, gas, writes and events); anything else, or a failure, through the general ante.
      let events: Event[] | undefined;
      if (mode === "finalize" && this.leanBlock) {
        const lean = this.tryLeanBlock(env, tx, gasWanted);
        if (lean !== undefined) {
          meter.consumeNum(lean.gasUsed, "ante"); // ≤ gasWanted: never throws
          events = lean.events;
          const sent = this.tryLeanSend(env, tx, lean.gasUsed, events);
          if (sent !== undefined) return sent;
        }
      }
      if (events === undefined) {
        // Ante in its own branch.
        const anteStore = env.store.branch();
        const anteEvents = mode === "check" || mode === "recheck" ? new DiscardedEvents() : new BasicEventManager();
        const anteCtx = createContext({ header: env.header, block: env.block, mode, store: anteStore, gas: meter, events: anteEvents, logger: env.logger });
        try {
          runAnte(anteCtx, tx, {
            auth: this.opt.auth,
            bank: this.opt.bank,
            verifier: this.verifier,
            sigCache: this.sigCache,
            minGasPrices: this.minGasPrices,
          });
        } catch (e) {
          return failure(env, e, gasWanted, meter.consumed());
        }

        if (mode === "check" || mode === "recheck") {
          anteStore.write();
          return {
            result: { code: 0, codespace: "", log: "", data: new Uint8Array(0), gasWanted, gasUsed: meter.consumed(), events: anteEvents.events() },
            msgResponses: [],
          };
        }

        // The ante's writes are kept whatever the messages do: write them back now and run the
        // messages in a branch of env.store directly (one layer less for every message read; the
        // same final state as branching the ante's branch and writing both back on success).
        anteStore.write();
        events = anteEvents.events() as Event[];
      }
      const msgStore: CacheMultiStore = env.store.branch();
      // Message events go straight after the ante's in one list (cut back if a message fails).
      const anteCount = events.length;
      const msgResponses: AnyMsg[] = [];
      try {
        for (let i = 0; i < tx.msgs.length; i++) {
          const m = tx.msgs[i];
          const ctx = createContext({ header: env.header, block: env.block, mode, store: msgStore, gas: meter, events: new MsgEventManager(events, i), logger: env.logger });
          ctx.events.emit("message", [
            ["action", m.typeUrl],
            ["sender", m.handler.signers(m.msg)[0] ?? ""],
            ["module", moduleOfTypeUrl(m.typeUrl)],
          ]);
          msgResponses.push(m.handler.handle(ctx, m.msg));
        }
        if (env.blockGas) env.blockGas.consume(meter.consumed(), "block gas");
      } catch (e) {
        // Fee and sequence stay; message writes and events are dropped.
        events.length = anteCount;
        if (env.blockGas && !sdkErrors.OutOfGas.is(e)) {
          try {
            env.blockGas.consume(meter.consumed(), "block gas");
          } catch {
            /* the block is full: the App stops including txs */
          }
        }
        return failure(env, e, gasWanted, meter.consumed(), events);
      }
      msgStore.write();
      const data = encodeTxMsgData(msgResponses);
      return {
        result: {
          code: 0,
          codespace: "",
          log: "",
          data,
          gasWanted,
          gasUsed: meter.consumed(),
          events,
        },
        msgResponses,
      };
    } catch (e) {
      return failure(env, e, gasWanted, meter.consumed());
    }
  }
}

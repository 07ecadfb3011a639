/**
 * The Hashgrid ABCI 2.0 application: lifecycle over a CommitMultiStore and a module list.
 *
 * States (like BaseApp):
 * - committed: `store.viewAt(h)` = state after the Commit of height h (what Info reports, what
 *   queries, Simulate and export read; never the pending block);
 * - check: a branch of the committed state for CheckTx, dropped and rebuilt after every Commit;
 * - block: one branch per FinalizeBlock (hooks and txs each in a nested branch), written into the
 *   store's pending layer at the end of FinalizeBlock; `workingHash()` gives the AppHash;
 *   Commit persists it atomically and only then answers. Nothing touches disk before Commit.
 *
 * Failure policy (nothing user-caused throws past this class):
 * - a tx failing or throwing → its ExecTxResult/CheckTx code (internal errors: sdk/1);
 * - a begin/end-block hook throwing → logged at error level, that module's writes and events for
 *   that hook in that block are discarded, the chain DOES NOT halt (every node runs the same
 *   code on the same state, so they all discard the same way);
 * - ProcessProposal never answers UNKNOWN (an internal error rejects the proposal);
 * - an invalid genesis, InitChain on an already-initialised app, or a store failure in Commit are
 *   fatal: the handler throws, the ABCI server answers Response.exception and CometBFT stops with
 *   the message (continuing would fork or corrupt state).
 */
import { indexPolicy, type IndexPolicy } from "./indexevents";
import { createHash } from "node:crypto";
import {
  CheckTxType,
  ResponseProcessProposal_ProposalStatus,
  ResponseVerifyVoteExtension_VerifyStatus,
  type Event as AbciEvent,
  type ExecTxResult,
  type RequestCheckTx,
  type RequestFinalizeBlock,
  type RequestInfo,
  type RequestInitChain,
  type RequestPrepareProposal,
  type RequestProcessProposal,
  type RequestQuery,
  type ResponseCheckTx,
  type ResponseCommit,
  type ResponseFinalizeBlock,
  type ResponseInfo,
  type ResponseInitChain,
  type ResponsePrepareProposal,
  type ResponseProcessProposal,
  type ResponseQuery,
  type ValidatorUpdate as AbciValidatorUpdate,
} from "cosmjs-types/tendermint/abci/types";
import { ConsensusParams } from "cosmjs-types/tendermint/types/params";
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import type { AbciApplication } from "../abci/server";
import { StoreError, type CacheMultiStore, type CommitMultiStore, type CommittedMultiStoreView, type KVStore, type MultiStoreView } from "../store/types";
import { createContext } from "./context";
import { CONSENSUS_STORE, blockMaxGas, readChainId, readParams, readParamsBytes, writeChainId, writeParams } from "./consensus";
import { ChainError, sdkErrors, toAbciError } from "./errors";
import { initGenesis, parseAppState, validateAppState, exportAppState } from "./genesis";
import type { ModuleManager } from "./manager";
import type { AppMetrics } from "./metrics";
import type {
  BlockHeader,
  BlockInfo,
  Context,
  Event,
  EventAttribute,
  ExecMode,
  Logger,
  Module,
  QueryContext,
  Timestamp,
  TxResult,
  TxRunner,
  ValidatorUpdate,
} from "./types";

export const APP_NAME = "hashgrid";
export const APP_VERSION = "0.1.0";

/** sha256("") — the AppHash of an empty, never-committed state (as the SDK reports it). */
export const EMPTY_HASH = createHash("sha256").digest();

const EMPTY_BLOCK: BlockInfo = { votes: [], misbehavior: [] };
/** CheckTx answers carry no events: one shared, frozen empty list (the encoder only reads it). */
const NO_EVENTS = Object.freeze([]) as unknown as AbciEvent[];
const ZERO_TIME: Timestamp = { seconds: 0n, nanos: 0 };

export interface AppOptions {
  readonly store: CommitMultiStore;
  readonly manager: ModuleManager;
  readonly txRunner: TxRunner;
  readonly logger: Logger;
  readonly metrics?: AppMetrics;
  /** ResponseCommit.retain_height = height − minRetainBlocks (0 = CometBFT keeps every block). */
  readonly minRetainBlocks?: number;
  /** PrepareProposal puts at most this many txs in a block (default 10,000; bounds FinalizeBlock's time). */
  readonly maxProposalTxs?: number;
  /** Event attributes CometBFT indexes ("type.key"; [] = all); undefined keeps the emitters' flags. See indexevents.ts. */
  readonly indexEvents?: readonly string[];
  /** Reads the keys of seen txs ahead of their block (prefetch.ts); a hint, never a result. */
  readonly prefetch?: { tx(tx: Uint8Array): void; txs(txs: readonly Uint8Array[]): void };
}

/** Store names an App over `manager` needs mounted (module stores + the framework's consensus store). */
export function appStoreNames(manager: ModuleManager): string[] {
  return [...new Set([...manager.storeNames, CONSENSUS_STORE])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

interface Finalized {
  readonly height: bigint;
  readonly appHash: Uint8Array;
  readonly txs: number;
  /** The block's txs, handed to TxRunner.blockCommitted once Commit succeeds. */
  readonly txList: readonly Uint8Array[];
  readonly failed: number;
  /** FinalizeBlock execution time (logs/metrics only). */
  readonly ms: number;
}

export class App implements AbciApplication {
  private readonly store: CommitMultiStore;
  private readonly manager: ModuleManager;
  private readonly runner: TxRunner;
  private readonly log: Logger;
  private readonly metrics?: AppMetrics;
  private readonly minRetainBlocks: number;
  private readonly maxProposalTxs: number;
  private readonly indexPolicy: IndexPolicy;
  private readonly prefetch: AppOptions["prefetch"];
  private chainId: string;
  private checkState: CacheMultiStore;
  /** Last block seen by FinalizeBlock (for CheckTx's header). */
  private lastBlockTime: Timestamp = ZERO_TIME;
  /** A FinalizeBlock whose Commit has not happened yet. */
  private finalized?: Finalized;

  constructor(o: AppOptions) {
    this.store = o.store;
    this.manager = o.manager;
    this.runner = o.txRunner;
    this.log = o.logger;
    this.metrics = o.metrics;
    this.minRetainBlocks = o.minRetainBlocks ?? 0;
    this.maxProposalTxs = o.maxProposalTxs ?? 10_000;
    this.indexPolicy = indexPolicy(o.indexEvents);
    this.prefetch = o.prefetch;
    const missing = appStoreNames(o.manager).filter((n) => !o.store.storeNames.includes(n));
    if (missing.length) throw new Error(`store is missing mounted stores: ${missing.join(", ")} (open it with appStoreNames(manager))`);
    this.chainId = readChainId(this.store.getStore(CONSENSUS_STORE)) ?? "";
    this.checkState = this.freshCheckState();
    this.metrics?.height.set(this.store.lastCommit.version);
  }

  /**
   * CheckTx state: a branch of the last committed state, so a CheckTx that lands between
   * FinalizeBlock and Commit never sees the pending block (as the SDK's checkState). Before the
   * first Commit there is nothing committed yet: InitChain's genesis (pending) is the state.
   */
  private freshCheckState(): CacheMultiStore {
    return this.store.lastCommit.version > 0 ? this.store.viewAt(0).branch() : this.store.branch();
  }

  get lastHeight(): number {
    return this.store.lastCommit.version;
  }

  // ---------------------------------------------------------------- info / init

  info(_req: RequestInfo): ResponseInfo {
    const lc = this.store.lastCommit;
    const params = lc.version > 0 ? readParams(this.store.viewAt(0).getStore(CONSENSUS_STORE)) : undefined;
    return {
      data: APP_NAME,
      version: APP_VERSION,
      appVersion: params?.version?.app ?? 0n,
      lastBlockHeight: BigInt(lc.version),
      lastBlockAppHash: lc.version > 0 ? lc.appHash : new Uint8Array(),
    };
  }

  initChain(req: RequestInitChain): ResponseInitChain {
    const committed = this.store.lastCommit.version;
    if (committed > 0) {
      throw new Error(
        `InitChain received but the app already committed height ${committed}: CometBFT was reset without the app. ` +
          `Reset both (delete the app's data directory and run \`cometbft unsafe-reset-all\`) or restore CometBFT's data.`,
      );
    }
    // A crash after InitChain and before the first Commit leaves nothing on disk; in one process
    // (CometBFT restarted, app alive) the earlier genesis is still pending: drop it.
    this.store.discardPending();
    this.finalized = undefined;
    const initialHeight = req.initialHeight > 0n ? req.initialHeight : 1n;
    let validated;
    try {
      validated = validateAppState(this.manager, parseAppState(req.appStateBytes));
    } catch (e) {
      this.log.error({ err: (e as Error).message }, "genesis rejected");
      throw e;
    }
    this.store.setInitialVersion(Number(initialHeight));
    const branch = this.store.branch();
    const header: BlockHeader = { height: initialHeight, time: req.time ?? ZERO_TIME, chainId: req.chainId, proposer: new Uint8Array() };
    const ctx = createContext({ header, mode: "genesis", store: branch, logger: this.log });
    const consensus = branch.getStore(CONSENSUS_STORE);
    writeChainId(consensus, req.chainId);
    if (req.consensusParams) writeParams(consensus, req.consensusParams);
    const updates = initGenesis(ctx, this.manager, validated, this.log);
    branch.write();
    this.chainId = req.chainId;
    this.lastBlockTime = header.time;
    this.checkState = this.store.branch();
    this.log.info(
      { chainId: req.chainId, initialHeight: initialHeight.toString(), modules: validated.sections.map(([n]) => n), validators: updates.length },
      "InitChain: genesis applied (committed with the first block)",
    );
    const appHash = this.store.lastCommit.appHash.length > 0 ? this.store.lastCommit.appHash : EMPTY_HASH;
    return { consensusParams: undefined, validators: dedupeValidatorUpdates(updates).map(toAbciValidatorUpdate), appHash };
  }

  // ---------------------------------------------------------------- mempool

  checkTx(req: RequestCheckTx): ResponseCheckTx {
    const t0 = this.metrics ? performance.now() : 0; // a double, no bigint per request
    const mode: ExecMode = req.type === CheckTxType.RECHECK ? "recheck" : "check";
    const r = this.runTx(mode, this.checkHeader(), EMPTY_BLOCK, this.checkState, req.tx, false);
    if (r.code === 0 && mode === "check") this.prefetch?.tx(req.tx);
    if (this.metrics) {
      this.checkTxCounter(mode, r.code === 0).inc();
      this.metrics.checkTxSeconds.observe((performance.now() - t0) / 1e3);
    }
    // No events, like the SDK's CheckTx (its ante events go only into FinalizeBlock/simulate
    // results): CometBFT's mempool never reads them, and each answer it decodes is ~600 bytes smaller.
    return { code: r.code, data: r.data, log: r.log, info: "", gasWanted: r.gasWanted, gasUsed: r.gasUsed, events: NO_EVENTS, codespace: r.codespace };
  }

  /**
   * The header CheckTx/ReCheckTx run with (the next height, the last block's time): one object per
   * (height, time, chain id), not two bigints and an object per request. Nothing mutates a header.
   */
  private checkHeaderMemo?: { version: number; time: Timestamp; chainId: string; header: BlockHeader };
  private checkHeader(): BlockHeader {
    const version = this.store.lastCommit.version;
    const m = this.checkHeaderMemo;
    if (m !== undefined && m.version === version && m.time === this.lastBlockTime && m.chainId === this.chainId) return m.header;
    const header: BlockHeader = { height: BigInt(version) + 1n, time: this.lastBlockTime, chainId: this.chainId, proposer: new Uint8Array() };
    this.checkHeaderMemo = { version, time: this.lastBlockTime, chainId: this.chainId, header };
    return header;
  }

  /** The labelled CheckTx counters, looked up once: [check ok, check rejected, recheck ok, recheck rejected]. */
  private checkTxCounters?: { inc(): void }[];
  private checkTxCounter(mode: ExecMode, ok: boolean): { inc(): void } {
    const c = (this.checkTxCounters ??= [
      this.metrics!.checkTxTotal.labels({ type: "check", result: "ok" }),
      this.metrics!.checkTxTotal.labels({ type: "check", result: "rejected" }),
      this.metrics!.checkTxTotal.labels({ type: "recheck", result: "ok" }),
      this.metrics!.checkTxTotal.labels({ type: "recheck", result: "rejected" }),
    ]);
    return c[(mode === "recheck" ? 2 : 0) + (ok ? 0 : 1)]!;
  }

  // ---------------------------------------------------------------- proposals

  /**
   * Like the Cosmos SDK's DefaultProposalHandler over a no-op app mempool: keeps CometBFT's
   * (FIFO) order and selects txs while Σ protobuf size ≤ max_tx_bytes and Σ gas limit ≤ block
   * max_gas (SelectTxForProposal: a tx that does not fit is skipped, a later smaller one may
   * still fit; selection stops once a limit is reached). Decode only — no ante, no execution:
   * every tx already passed CheckTx/ReCheckTx, and one that has gone stale simply fails in
   * FinalizeBlock with its code (as on SDK chains). Undecodable txs are left out; at most
   * `maxProposalTxs` txs per block bound FinalizeBlock's time (a node-local choice, which
   * PrepareProposal may make).
   */
  prepareProposal(req: RequestPrepareProposal): ResponsePrepareProposal {
    try {
      const maxGas = blockMaxGas(this.store); // the state the next block starts from; ≤ 0: no limit
      const maxBytes = req.maxTxBytes;
      const out: Uint8Array[] = [];
      let bytes = 0n;
      let gas = 0n;
      let skipped = 0;
      for (const tx of req.txs) {
        if (out.length >= this.maxProposalTxs) break;
        const g = this.txGas(tx, "PrepareProposal");
        const size = BigInt(protoTxSize(tx.length));
        if (g === undefined || bytes + size > maxBytes || (maxGas > 0n && gas + g > maxGas)) {
          skipped++;
          continue;
        }
        out.push(tx);
        bytes += size;
        gas += g;
        if (bytes >= maxBytes || (maxGas > 0n && gas >= maxGas)) break;
      }
      if (skipped) this.log.debug({ height: req.height.toString(), kept: out.length, skipped }, "PrepareProposal skipped txs");
      return { txs: out };
    } catch (e) {
      this.log.error({ err: (e as Error).message }, "PrepareProposal failed; proposing an empty block");
      return { txs: [] };
    }
  }

  /**
   * Cheap structural checks only (deterministic, no state beyond consensus params): every tx
   * decodes and Σ gas limit ≤ block max_gas — what the SDK's default ProcessProposal checks
   * besides the ante. Txs are not executed here (the SDK's NoOpProcessProposal for a no-op
   * mempool): a tx that fails its ante fails in FinalizeBlock with its code and pays nothing.
   */
  processProposal(req: RequestProcessProposal): ResponseProcessProposal {
    const { ACCEPT, REJECT } = ResponseProcessProposal_ProposalStatus;
    try {
      const maxGas = blockMaxGas(this.store); // the state the next block starts from; ≤ 0: no limit
      let gas = 0n;
      for (let i = 0; i < req.txs.length; i++) {
        const g = this.txGas(req.txs[i]!, "ProcessProposal");
        if (g === undefined) {
          this.log.warn({ height: req.height.toString(), tx: i }, "ProcessProposal: rejecting block with an undecodable tx");
          return { status: REJECT };
        }
        gas += g;
        if (maxGas > 0n && gas > maxGas) {
          this.log.warn({ height: req.height.toString(), tx: i, gas: gas.toString(), maxGas: maxGas.toString() }, "ProcessProposal: rejecting block over the block max_gas");
          return { status: REJECT };
        }
      }
      this.prefetch?.txs(req.txs);
      return { status: ACCEPT };
    } catch (e) {
      this.log.error({ err: (e as Error).message }, "ProcessProposal failed internally; rejecting");
      return { status: REJECT };
    }
  }

  /** The tx's gas limit from a decode only, or undefined when the bytes are not a well-formed tx. */
  private txGas(tx: Uint8Array, where: string): bigint | undefined {
    if (!this.runner.gasLimit) return 0n;
    try {
      return this.runner.gasLimit(tx);
    } catch (e) {
      if (!(e instanceof ChainError)) this.log.error({ err: (e as Error)?.message, stack: (e as Error)?.stack }, `${where}: tx decode threw (bug); treating the tx as undecodable`);
      return undefined;
    }
  }

  extendVote(): { voteExtension: Uint8Array } {
    return { voteExtension: new Uint8Array() };
  }

  verifyVoteExtension(): { status: ResponseVerifyVoteExtension_VerifyStatus } {
    return { status: ResponseVerifyVoteExtension_VerifyStatus.ACCEPT };
  }

  // ---------------------------------------------------------------- blocks

  finalizeBlock(req: RequestFinalizeBlock): ResponseFinalizeBlock {
    const t0 = process.hrtime.bigint();
    if (this.finalized) {
      // CometBFT restarted after FinalizeBlock but before Commit while we stayed up: it replays
      // this height. Drop the uncommitted block (genesis-pending is handled by InitChain again).
      if (this.store.lastCommit.version === 0) {
        throw new Error("FinalizeBlock repeated before the first Commit without InitChain; restart the app");
      }
      this.log.warn({ height: req.height.toString(), previous: this.finalized.height.toString() }, "FinalizeBlock again without Commit: discarding the uncommitted block");
      this.store.discardPending();
      this.finalized = undefined;
    }
    const expected = BigInt(this.store.lastCommit.version) + 1n;
    if (this.store.lastCommit.version > 0 && req.height !== expected) {
      throw new Error(`FinalizeBlock for height ${req.height} but the app's next height is ${expected}`);
    }
    const header: BlockHeader = { height: req.height, time: req.time, chainId: this.chainId, proposer: req.proposerAddress };
    const blockInfo: BlockInfo = {
      votes: (req.decidedLastCommit?.votes ?? []).map((v) => ({
        validatorAddress: v.validator.address,
        power: v.validator.power,
        blockIdFlag: v.blockIdFlag,
      })),
      misbehavior: req.misbehavior.map((m) => ({
        type: m.type,
        validatorAddress: m.validator.address,
        power: m.validator.power,
        height: m.height,
        time: m.time,
        totalVotingPower: m.totalVotingPower,
      })),
    };
    const paramsBefore = readParamsBytes(this.store.getStore(CONSENSUS_STORE));
    const block = this.store.branch();

    const beginCtx = createContext({ header, block: blockInfo, mode: "finalize", store: block, logger: this.log });
    for (const m of this.manager.beginBlockOrder) this.runHook(beginCtx, m, "beginBlock");

    // Optional runner hook (chain/tx TxPipeline): verify the block's not-yet-seen signatures on two threads first.
    this.runner.preverifyBlock?.({ mode: "finalize", header, block: blockInfo, store: block, logger: this.log }, req.txs);
    const txResults: ExecTxResult[] = [];
    let failed = 0;
    for (const tx of req.txs) {
      const r = this.runTx("finalize", header, blockInfo, block, tx, true);
      if (r.code !== 0) failed++;
      txResults.push({ code: r.code, data: r.data, log: r.log, info: "", gasWanted: r.gasWanted, gasUsed: r.gasUsed, events: toAbciEvents(r.events, this.indexPolicy), codespace: r.codespace });
    }

    const endCtx = createContext({ header, block: blockInfo, mode: "finalize", store: block, logger: this.log });
    const updates: ValidatorUpdate[] = [];
    for (const m of this.manager.endBlockOrder) {
      const out = this.runHook(endCtx, m, "endBlock");
      if (out) updates.push(...out);
    }
    block.write();

    const paramsAfter = readParamsBytes(this.store.getStore(CONSENSUS_STORE));
    const paramsChanged = paramsAfter !== undefined && (paramsBefore === undefined || !Buffer.from(paramsAfter).equals(Buffer.from(paramsBefore)));
    const appHash = this.store.workingHash();
    this.finalized = { height: req.height, appHash, txs: req.txs.length, txList: req.txs, failed, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
    this.lastBlockTime = header.time;

    if (this.metrics) {
      this.metrics.blockSeconds.observe(Number(process.hrtime.bigint() - t0) / 1e9);
      this.metrics.txsPerBlock.observe(req.txs.length);
      if (req.txs.length - failed) this.metrics.txsTotal.inc({ result: "ok" }, req.txs.length - failed);
      if (failed) this.metrics.txsTotal.inc({ result: "failed" }, failed);
    }
    return {
      events: [...withMode(beginCtx.events.events(), "BeginBlock", this.indexPolicy), ...withMode(endCtx.events.events(), "EndBlock", this.indexPolicy)],
      txResults,
      validatorUpdates: dedupeValidatorUpdates(updates).map(toAbciValidatorUpdate),
      consensusParamUpdates: paramsChanged ? ConsensusParams.decode(paramsAfter!) : undefined,
      appHash,
    };
  }

  async commit(): Promise<ResponseCommit> {
    const f = this.finalized;
    if (!f) throw new Error("Commit without a preceding FinalizeBlock");
    const t0 = process.hrtime.bigint();
    const info = await this.store.commit();
    this.finalized = undefined;
    if (BigInt(info.version) !== f.height || !Buffer.from(info.appHash).equals(Buffer.from(f.appHash))) {
      throw new Error(
        `store committed version ${info.version} (${Buffer.from(info.appHash).toString("hex")}) but FinalizeBlock was height ${f.height} (${Buffer.from(f.appHash).toString("hex")})`,
      );
    }
    this.checkState = this.freshCheckState();
    this.runner.blockCommitted?.(f.txList);
    const height = info.version;
    if (this.metrics) {
      this.metrics.commitSeconds.observe(Number(process.hrtime.bigint() - t0) / 1e9);
      this.metrics.height.set(height);
    }
    const retain = this.minRetainBlocks > 0 && height > this.minRetainBlocks ? height - this.minRetainBlocks : 0;
    this.log.info(
      {
        height,
        txs: f.txs,
        failedTxs: f.failed,
        appHash: Buffer.from(info.appHash).toString("hex"),
        execMs: Math.round(f.ms * 10) / 10,
        commitMs: Math.round(Number(process.hrtime.bigint() - t0) / 1e5) / 10,
      },
      "committed block",
    );
    return { retainHeight: BigInt(retain) };
  }

  // ---------------------------------------------------------------- queries

  /**
   * Every query (store/ paths, Simulate, gRPC-style paths) reads the committed state at
   * `req.height` (0 = the last committed height), never the block between FinalizeBlock and
   * Commit; ResponseQuery.height is the version actually read. Errors follow the SDK's
   * CreateQueryContext: negative or future heights and versions that are pruned away answer with
   * a non-zero code and a log saying so.
   */
  query(req: RequestQuery): ResponseQuery {
    const latest = BigInt(this.store.lastCommit.version);
    const base: ResponseQuery = { code: 0, log: "", info: "", index: 0n, key: req.data, value: new Uint8Array(), proofOps: undefined, height: latest, codespace: "" };
    try {
      if (req.path === "/app/version") return { ...base, value: Buffer.from(APP_VERSION) };
      const storePath = /^\/?store\/([^/]+)\/key$/.exec(req.path);
      if (storePath && !this.store.storeNames.includes(storePath[1]!)) {
        throw sdkErrors.UnknownRequest.wrap(`unknown store "${storePath[1]}" (stores: ${this.store.storeNames.join(", ")})`);
      }
      const view = this.committedView(req.height);
      const height = BigInt(view.version);
      if (storePath) {
        let r;
        try {
          r = this.store.query(storePath[1]!, req.data, view.version, req.prove);
        } catch (e) {
          if (e instanceof StoreError) throw sdkErrors.InvalidRequest.wrap(e.message); // bad key, missing node
          throw e;
        }
        return {
          ...base,
          value: r.value ?? new Uint8Array(),
          height: BigInt(r.version),
          proofOps: r.proofOps ? { ops: r.proofOps.map((o) => ({ type: o.type, key: o.key, data: o.data })) } : undefined,
        };
      }
      if (req.path === "/cosmos.tx.v1beta1.Service/Simulate" || req.path === "/app/simulate") {
        return { ...base, height, value: this.simulate(req.data, view) };
      }
      const route = this.manager.query(req.path);
      if (!route) throw sdkErrors.UnknownRequest.wrap(`unknown query path ${req.path}`);
      const qctx: QueryContext = { height, chainId: this.chainId, store: (name) => readOnly(view.getStore(name), name) };
      return { ...base, height, value: route.handler(qctx, req.data) };
    } catch (e) {
      const { code, codespace, log } = toAbciError(e);
      return { ...base, code, codespace, log };
    }
  }

  /**
   * The committed state at `height` (0 = last committed), as the SDK's CreateQueryContext
   * resolves it. Throws ChainError (InvalidRequest / InvalidHeight) for heights it cannot serve.
   */
  private committedView(height: bigint): CommittedMultiStoreView {
    const latest = BigInt(this.store.lastCommit.version);
    if (height < 0n) throw sdkErrors.InvalidRequest.wrap("cannot query with height < 0; please provide a valid height");
    if (height > latest) {
      throw sdkErrors.InvalidHeight.wrap(`cannot query with height in the future; please provide a valid height (asked ${height}, latest height: ${latest})`);
    }
    if (latest === 0n) {
      // Nothing committed yet. Deliberate difference from the SDK (which answers "not ready"):
      // between InitChain and the first FinalizeBlock the only pending state is the genesis
      // InitChain applied, which is what block 1 starts from, so height 0 reads it (tools and
      // tests query genesis accounts right after InitChain). Once block 1 is finalized its
      // writes are mixed in, so that window answers "not ready" like the SDK.
      if (this.finalized) throw sdkErrors.InvalidHeight.wrap(`${APP_NAME} is not ready; please wait for first block`);
      return { version: 0, getStore: (name) => this.store.getStore(name), branch: () => this.store.branch() };
    }
    try {
      return this.store.viewAt(Number(height));
    } catch (e) {
      if (e instanceof StoreError) {
        throw sdkErrors.InvalidRequest.wrap(
          `failed to load state at height ${height}; version does not exist (earliest retained: ${this.store.earliestVersion}, latest height: ${latest}): ${e.message}`,
        );
      }
      throw e;
    }
  }

  /** Runs the tx in "simulate" mode on a throw-away branch of the committed `view`. */
  private simulate(data: Uint8Array, view: CommittedMultiStoreView): Uint8Array {
    let txBytes: Uint8Array;
    try {
      txBytes = SimulateRequest.decode(data).txBytes;
    } catch (e) {
      throw sdkErrors.TxDecode.wrap(`SimulateRequest: ${(e as Error).message}`);
    }
    if (txBytes.length === 0) throw sdkErrors.InvalidRequest.wrap("empty tx_bytes");
    const header: BlockHeader = { height: BigInt(view.version) + 1n, time: this.lastBlockTime, chainId: this.chainId, proposer: new Uint8Array() };
    const r = this.runTx("simulate", header, EMPTY_BLOCK, view.branch(), txBytes, false);
    if (r.code !== 0) {
      throw new ChainError(r.codespace, r.code, r.log);
    }
    let msgResponses: TxMsgData["msgResponses"] = [];
    try {
      msgResponses = TxMsgData.decode(r.data).msgResponses;
    } catch {
      /* data not TxMsgData: leave empty */
    }
    return SimulateResponse.encode({
      gasInfo: { gasWanted: r.gasWanted, gasUsed: r.gasUsed },
      result: { data: r.data, log: r.log, events: toAbciEvents(r.events, this.indexPolicy), msgResponses },
    }).finish();
  }

  // ---------------------------------------------------------------- snapshots (state sync not built yet)

  listSnapshots(): { snapshots: [] } {
    return { snapshots: [] };
  }
  offerSnapshot(): { result: number } {
    return { result: 4 }; // REJECT_FORMAT: we serve no snapshot format yet
  }
  loadSnapshotChunk(): { chunk: Uint8Array } {
    return { chunk: new Uint8Array() };
  }
  applySnapshotChunk(): { result: number; refetchChunks: number[]; rejectSenders: string[] } {
    return { result: 2, refetchChunks: [], rejectSenders: [] }; // ABORT
  }

  // ---------------------------------------------------------------- export

  /**
   * The committed state at `height` (default 0 = the last committed height) as app_state (module
   * sections in export order) + consensus params. Reads the committed view only, so a block
   * between FinalizeBlock and Commit is never included. Throws StoreError for a height that is
   * pruned or not committed.
   *
   * One exception, before the first Commit (height 0 = "nothing committed"): the export is the
   * genesis state InitChain applied (pending until the first block's Commit), so an imported
   * genesis can be re-exported and compared; if the first block was already finalized it is
   * mixed into that pending state, so that case throws instead.
   */
  exportState(height = 0): { height: number; chainId: string; appState: Record<string, unknown>; consensusParams?: ConsensusParams } {
    let source: MultiStoreView;
    let version: number;
    if (height === 0 && this.store.lastCommit.version === 0) {
      if (this.finalized) {
        throw new Error(`cannot export: nothing is committed yet and block ${this.finalized.height} is finalized but not committed; export after its Commit`);
      }
      source = this.store; // genesis applied by InitChain, nothing else
      version = 0;
    } else {
      const committed = this.store.viewAt(height);
      source = committed;
      version = committed.version;
    }
    const view = source.branch(); // never written
    const header: BlockHeader = { height: BigInt(version), time: this.lastBlockTime, chainId: this.chainId, proposer: new Uint8Array() };
    const ctx = createContext({ header, mode: "genesis", store: view, logger: this.log });
    return {
      height: version,
      chainId: this.chainId,
      appState: exportAppState(ctx, this.manager),
      consensusParams: readParams(view.getStore(CONSENSUS_STORE)),
    };
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Runs one tx in a nested branch of `parent`; writes it back when `alwaysKeep` or on success.
   * Never throws. A runner that `branchesItself` (chain/tx's TxPipeline) gets `parent` itself in
   * CheckTx/ReCheckTx/FinalizeBlock: it writes only what this method would have kept (one branch
   * layer less per tx and per store access).
   */
  private runTx(mode: ExecMode, header: BlockHeader, block: BlockInfo, parent: MultiStoreView, tx: Uint8Array, alwaysKeep: boolean): TxResult {
    const direct = this.runner.branchesItself === true && mode !== "simulate";
    const branch = direct ? undefined : parent.branch();
    try {
      const r = this.runner.run({ mode, header, block, store: branch ?? parent, logger: this.log }, tx);
      if (branch !== undefined && (alwaysKeep || r.code === 0)) branch.write();
      return r;
    } catch (e) {
      const { code, codespace, log } = toAbciError(e);
      if (code === 1) this.log.error({ mode, err: (e as Error)?.message, stack: (e as Error)?.stack }, "tx runner threw (bug): tx failed");
      return { code, codespace, log, data: new Uint8Array(), gasWanted: 0n, gasUsed: 0n, events: [] };
    }
  }

  private runHook(ctx: Context, m: Module, hook: "beginBlock" | "endBlock"): readonly ValidatorUpdate[] | void {
    try {
      return ctx.branch((c) => m[hook]!(c));
    } catch (e) {
      this.log.error(
        { module: m.name, hook, height: ctx.header.height.toString(), err: (e as Error)?.message, stack: (e as Error)?.stack },
        `${m.name}.${hook} failed: its writes and events for this block are discarded (chain continues)`,
      );
      return undefined;
    }
  }
}

/** Protobuf size of one entry of `repeated bytes txs` (tag + uvarint length + bytes), as CometBFT counts it. */
export function protoTxSize(len: number): number {
  let n = 1;
  let v = len;
  do {
    n++;
    v = Math.floor(v / 128);
  } while (v > 0);
  return n + len;
}

/**
 * The ABCI form of events. Our events already have its shape ({type, attributes: {key, value,
 * index}}) and nothing downstream mutates either, so objects are shared where they would be
 * copied field for field: all of them without a policy, an attribute (and an event) whose index
 * flag already equals the policy's. Each tx's events live until the block's response is sent:
 * copies were ~10% of a block's surviving allocations.
 */
export function toAbciEvents(events: readonly Event[], policy: IndexPolicy): AbciEvent[] {
  if (!policy) return events as Event[] as AbciEvent[];
  const out: AbciEvent[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const attrs = e.attributes;
    let copy: EventAttribute[] | undefined;
    for (let j = 0; j < attrs.length; j++) {
      const a = attrs[j];
      const index = policy(e.type, a.key);
      if (copy === undefined) {
        if (a.index === index) continue;
        copy = attrs.slice(0, j);
      }
      copy.push(a.index === index ? a : { key: a.key, value: a.value, index });
    }
    out[i] = (copy === undefined ? e : { type: e.type, attributes: copy }) as AbciEvent;
  }
  return out;
}

function withMode(events: readonly Event[], mode: string, policy: IndexPolicy): AbciEvent[] {
  return toAbciEvents(events, policy).map((e) => ({ ...e, attributes: [...e.attributes, { key: "mode", value: mode, index: policy ? policy(e.type, "mode") : true }] }));
}

/** Later updates for the same key replace earlier ones (CometBFT rejects duplicates). */
function dedupeValidatorUpdates(updates: readonly ValidatorUpdate[]): ValidatorUpdate[] {
  const byKey = new Map<string, ValidatorUpdate>();
  for (const u of updates) byKey.set(`${u.pubKey.type}:${Buffer.from(u.pubKey.key).toString("hex")}`, u);
  return [...byKey.values()];
}

function toAbciValidatorUpdate(u: ValidatorUpdate): AbciValidatorUpdate {
  return { pubKey: u.pubKey.type === "ed25519" ? { ed25519: u.pubKey.key } : { secp256k1: u.pubKey.key }, power: u.power };
}

function readOnly(s: KVStore, name: string): KVStore {
  const deny = (): never => {
    throw sdkErrors.Logic.wrap(`store ${name} is read-only in queries`);
  };
  return {
    get: (k) => s.get(k),
    has: (k) => s.has(k),
    iterator: (a, b, r) => s.iterator(a, b, r),
    prefixIterator: (p, r) => s.prefixIterator(p, r),
    set: deny,
    delete: deny,
  };
}

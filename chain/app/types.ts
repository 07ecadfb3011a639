/**
 * The module framework contract (DESIGN.md §1, §5). Every module — auth, bank, staking, ...,
 * market, escrow, insurance, oracle, IBC — is a `Module` value built by a factory that receives
 * the narrow keepers it needs from other modules (interfaces declared by the consumer, like
 * the SDK's expected_keepers.go). chain/app wires them in one explicit order.
 *
 * Everything here is synchronous: handlers never await (see chain/store/types.ts).
 */
import type { KVStore, MultiStoreView } from "../store/types";

/** Block time as in google.protobuf.Timestamp; never wall-clock time. */
export interface Timestamp {
  readonly seconds: bigint;
  readonly nanos: number;
}

export interface BlockHeader {
  readonly height: bigint;
  readonly time: Timestamp;
  readonly chainId: string;
  /** Consensus address (20 bytes) of the proposer. */
  readonly proposer: Uint8Array;
}

/** Votes of the previous block and evidence, as given to FinalizeBlock (for slashing/distribution). */
export interface BlockVoteInfo {
  readonly validatorAddress: Uint8Array;
  readonly power: bigint;
  /** tendermint.types.BlockIDFlag: 1 ABSENT, 2 COMMIT, 3 NIL. */
  readonly blockIdFlag: number;
}

export interface Misbehavior {
  /** 1 DUPLICATE_VOTE, 2 LIGHT_CLIENT_ATTACK. */
  readonly type: number;
  readonly validatorAddress: Uint8Array;
  readonly power: bigint;
  readonly height: bigint;
  readonly time: Timestamp;
  readonly totalVotingPower: bigint;
}

export interface BlockInfo {
  readonly votes: readonly BlockVoteInfo[];
  readonly misbehavior: readonly Misbehavior[];
}

/** Where the code is running; handlers rarely care, the ante pipeline does. */
export type ExecMode = "genesis" | "check" | "recheck" | "simulate" | "finalize";

export interface GasMeter {
  readonly limit: bigint; // 0n = unlimited (genesis, begin/end block)
  consumed(): bigint;
  /** Adds gas; throws sdkErrors.OutOfGas ("out of gas in location: <descriptor>; gasWanted: L, gasUsed: U"). */
  consume(amount: bigint, descriptor: string): void;
}

export interface EventAttribute {
  readonly key: string;
  readonly value: string;
  /** Indexed by CometBFT's kv indexer (tx_search). */
  readonly index: boolean;
}

export interface Event {
  readonly type: string;
  readonly attributes: readonly EventAttribute[];
}

export interface EventManager {
  /** Emits an event; attributes are indexed unless `index: false` is given. */
  emit(type: string, attributes: ReadonlyArray<readonly [key: string, value: string]>, index?: boolean): void;
  events(): readonly Event[];
}

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/**
 * What a handler sees. `store(name)` is the gas-metered view of substore `name` inside the current
 * branch (tx, message or governance execution). Writes through it are discarded if the branch fails.
 */
export interface Context {
  readonly header: BlockHeader;
  readonly block: BlockInfo;
  readonly mode: ExecMode;
  readonly gas: GasMeter;
  readonly events: EventManager;
  readonly logger: Logger;
  store(name: string): KVStore;
  /** The raw (unmetered) branch; for the framework and the ante pipeline, not for handlers. */
  readonly multiStore: MultiStoreView;
  /**
   * Runs `fn` in a nested branch with its own event collector: on success its writes and events
   * are merged into this context; on a thrown error both are discarded and the error rethrown.
   * Used per message and by governance/council execution.
   */
  branch<T>(fn: (ctx: Context) => T): T;
}

/** A protobuf Any: the response of a message, account types, ... */
export interface AnyMsg {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

/** A message type a module handles. `M` is the decoded message (ts-proto / cosmjs-types shape). */
export interface MsgHandler<M = unknown> {
  /** "/cosmos.bank.v1beta1.MsgSend", "/hashgrid.market.v1.MsgBuy", ... */
  readonly typeUrl: string;
  /** Strict decode: rejects unknown fields (DESIGN.md §7); throws sdkErrors.TxDecode. */
  decode(value: Uint8Array): M;
  /** Bech32 addresses that must sign (from the message's signer field(s)). */
  signers(msg: M): string[];
  /** Stateless checks (addresses, amounts, lengths); throws a ChainError. */
  validateBasic(msg: M): void;
  /** Executes against state; returns the Msg<X>Response as an Any for TxMsgData.msg_responses. */
  handle(ctx: Context, msg: M): AnyMsg;
}

/** Read-only context for queries at a committed height. */
export interface QueryContext {
  readonly height: bigint;
  readonly chainId: string;
  /** Read view of substore `name` at `height` (writes throw). */
  store(name: string): KVStore;
}

/** gRPC-style query handler: protobuf request bytes in, protobuf response bytes out. Throw ChainError on bad input / not found. */
export type QueryHandler = (ctx: QueryContext, request: Uint8Array) => Uint8Array;

export interface ValidatorUpdate {
  readonly pubKey: { readonly type: "ed25519" | "secp256k1"; readonly key: Uint8Array };
  /** 0 removes the validator. */
  readonly power: bigint;
}

/** Genesis of one module; the state is the module's JSON section of app_state (snake_case, like the SDK). */
export interface ModuleGenesis<G = unknown> {
  /** The default section written into genesis.json. */
  defaultGenesis(): G;
  /** Throws ChainError whose message names the offending field, e.g. "bank.balances[3].address: invalid bech32". */
  validateGenesis(raw: unknown): G;
  initGenesis(ctx: Context, state: G): readonly ValidatorUpdate[] | void;
  exportGenesis(ctx: Context): G;
}

export interface Invariant {
  readonly name: string;
  /** Returns undefined when it holds, or a message describing the violation. */
  check(ctx: Context): string | undefined;
}

export interface Module {
  /** Module name; also its store name unless `stores` says otherwise. Lower-case, e.g. "bank". */
  readonly name: string;
  /** Store names this module owns (default [name]). */
  readonly stores?: readonly string[];
  readonly genesis?: ModuleGenesis;
  readonly msgs?: readonly MsgHandler<any>[];
  /** Keyed by full gRPC method path: "/cosmos.bank.v1beta1.Query/Balance". */
  readonly queries?: Readonly<Record<string, QueryHandler>>;
  beginBlock?(ctx: Context): void;
  /** Bounded work only (queues keyed by due time). Returns validator updates, if any (staking). */
  endBlock?(ctx: Context): readonly ValidatorUpdate[] | void;
  readonly invariants?: readonly Invariant[];
}

/** Result of running one tx (maps 1:1 onto ResponseCheckTx / ExecTxResult). */
export interface TxResult {
  readonly code: number; // 0 = success
  readonly codespace: string;
  readonly log: string;
  /** cosmos.base.abci.v1beta1.TxMsgData bytes (empty on failure). */
  readonly data: Uint8Array;
  readonly gasWanted: bigint;
  readonly gasUsed: bigint;
  /** Ante events (tx fee/signature) even on failure; message events only on success. */
  readonly events: readonly Event[];
}

/** What the app gives the tx pipeline for one tx. */
export interface TxEnv {
  readonly mode: ExecMode;
  readonly header: BlockHeader;
  readonly block: BlockInfo;
  /** The branch the tx runs on top of (block branch in FinalizeBlock, check state in CheckTx). */
  readonly store: MultiStoreView;
  readonly logger: Logger;
}

/**
 * The tx pipeline (chain/tx): decode → ante (fees, signatures, sequence) → messages.
 * Implementations never throw: every failure is a TxResult with code != 0. On success or on
 * message failure after the ante step, the fee/sequence writes are kept in `env.store`.
 */
export interface TxRunner {
  run(env: TxEnv, tx: Uint8Array): TxResult;
  /**
   * True when run() keeps env.store consistent by itself and never throws: in "check"/"recheck"
   * it writes nothing unless the tx passes, in "finalize" exactly what must be kept (the ante's
   * writes; the messages' only on success). The App then runs CheckTx and FinalizeBlock txs
   * directly on its check state and block branch, without a branch per tx of its own.
   */
  readonly branchesItself?: boolean;
  /**
   * Decode-only facts for block building (PrepareProposal / ProcessProposal, which no longer run
   * the ante): the tx's gas limit. A pure, deterministic function of the bytes; throws (a
   * ChainError, e.g. sdk/2 tx decode) when the bytes are not a well-formed tx. Optional: an app
   * whose runner lacks it treats every tx as well-formed with gas 0.
   */
  gasLimit?(tx: Uint8Array): bigint;
  /**
   * Optional warm-up before FinalizeBlock runs `txs`: e.g. verify the block's unseen signatures in
   * parallel as a cache fill. Must not change any result and must never throw.
   */
  preverifyBlock?(env: TxEnv, txs: readonly Uint8Array[]): void;
  /**
   * Optional: the txs of a block that was just committed (the same arrays FinalizeBlock ran).
   * Caches keyed by tx may drop them (they are out of the mempool; a replay is a new request).
   * Must not change any result and must never throw.
   */
  blockCommitted?(txs: readonly Uint8Array[]): void;
}

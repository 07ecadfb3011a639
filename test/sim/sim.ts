/**
 * Random-operation simulation harness (Cosmos SDK simulation style, DESIGN.md §6, anchors B2/B6).
 *
 * A mock consensus engine drives the real App (chain/node/start.ts `openApp`: real wiring, real
 * LevelDB/IAVL store in a temp dir, real secp256k1 signatures) through InitChain → (CheckTx …,
 * PrepareProposal, ProcessProposal, FinalizeBlock, Commit)*, like CometBFT does in-process.
 *
 * Every random choice comes from a seeded `Rng`; every tx's outcome is predicted by `Model` (an
 * independent re-statement of the auth/bank rules) and the full auth/bank state is compared with
 * the model after each block, together with the bank module's own invariants.
 */
import { MsgMultiSend, MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { CheckTxType, ExecTxResult, ResponseProcessProposal_ProposalStatus, type RequestFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { createHash } from "node:crypto";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { App } from "../../chain/app/app";
import { createContext } from "../../chain/app/context";
import { defaultAppState } from "../../chain/app/genesis";
import { ModuleManager } from "../../chain/app/manager";
import { buildModules } from "../../chain/app/wiring";
import type { Module, Timestamp } from "../../chain/app/types";
import { moduleAddress, toBech32 } from "../../chain/crypto/address";
import { fromHex, toHex } from "../../chain/crypto/hash";
import { openApp } from "../../chain/node/start";
import type { CommitMultiStore } from "../../chain/store/types";
import { DEFAULT_MODULE_ACCOUNTS } from "../../modules/auth/genesis";
import { allocateGenesisAccounts, type BankGenesisJSON } from "../../modules/bank/genesis";
import { buildSignedTx, keyFromSeed, signDigest, silent, type Key } from "../helpers/txkit";
import { AuthInfo, SignDoc, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { Model, OK, cmp, readSnapshot, sumCoins, type Code, type Coin, type ModelMsg, type Outcome, type TxSpec } from "./model";
import { Rng } from "./rng";

export const SIM_CHAIN_ID = "hashgrid-sim-1";
export const GENESIS_SECONDS = 1_700_000_000n;
export const DENOMS = ["ugrid", "uhash"] as const; // sorted
export const CONSENSUS_PARAMS = {
  block: { maxBytes: 22020096n, maxGas: -1n },
  evidence: { maxAgeNumBlocks: 100000n, maxAgeDuration: { seconds: 172800n, nanos: 0 }, maxBytes: 1048576n },
  validator: { pubKeyTypes: ["ed25519"] },
  version: { app: 0n },
  abci: { voteExtensionsEnableHeight: 0n },
};

/** Sizes: defaults keep `npx jest test/sim` short; env vars scale the run up (see README.md). */
export function envInt(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}=${v}: expected a non-negative integer`);
  return n;
}

export function envSeeds(dflt: string[]): string[] {
  const v = process.env.SIM_SEEDS;
  if (!v) return dflt;
  if (/^\d+$/.test(v)) return Array.from({ length: Number(v) }, (_, i) => `seed-${i + 1}`);
  return v.split(",").map((s) => s.trim()).filter(Boolean);
}

// ------------------------------------------------------------------ opening the app

export interface OpenedApp {
  readonly app: App;
  readonly store: CommitMultiStore;
  readonly manager: ModuleManager;
  close(): Promise<void>;
}

/** Opens the App exactly as a node does (`openApp`), optionally with test-only extra modules. */
export async function openSimApp(dir: string, extraModules?: readonly Module[]): Promise<OpenedApp> {
  const { app, store, manager } = await openApp({ dataDir: dir, logger: silent, extraModules });
  return { app, store, manager, close: () => store.close() };
}

export function blockTime(height: bigint): Timestamp {
  // 5 s blocks with a deterministic sub-second jitter.
  return { seconds: GENESIS_SECONDS + 5n * height, nanos: Number((height * 7919n) % 1000n) * 1_000_000 };
}

export function finalizeReq(height: bigint, txs: Uint8Array[]): RequestFinalizeBlock {
  return {
    txs,
    decidedLastCommit: { round: 0, votes: [] },
    misbehavior: [],
    hash: new Uint8Array(32).fill(Number(height % 256n)),
    height,
    time: blockTime(height),
    nextValidatorsHash: new Uint8Array(32),
    proposerAddress: new Uint8Array(20).fill(7),
  };
}

// ------------------------------------------------------------------ genesis

export interface SimAccount {
  readonly key: Key;
  readonly hex: string;
}

export function simKey(seed: string, label: string): SimAccount {
  const key = keyFromSeed(`sim/${seed}/${label}`); // priv = sha256("hashgrid-test-key/sim/<seed>/<label>")
  return { key, hex: toHex(key.addrBytes) };
}

export function simGenesis(seed: string, nAccounts: number): { accounts: SimAccount[]; appStateBytes: Uint8Array; appState: Record<string, unknown> } {
  const rng = new Rng(`${seed}/genesis`);
  const accounts = Array.from({ length: nAccounts }, (_, i) => simKey(seed, `acct/${i}`));
  // A throwaway manager only to get the default app_state (the same function `hashgrid init` uses).
  const appState = defaultAppState(defaultManager()) as Parameters<typeof allocateGenesisAccounts>[0] & Record<string, unknown>;
  allocateGenesisAccounts(
    appState,
    accounts.map((a) => ({ address: a.key.address, amount: 1_000_000n + rng.bigint(50_000_000_000n) })),
  );
  // A second denom on most accounts (multi-coin sends, coin ordering).
  const bank = appState.bank as BankGenesisJSON;
  for (const b of bank.balances) {
    const a = accounts.find((x) => x.key.address === b.address);
    if (a && rng.chance(3, 4)) b.coins.push({ denom: "uhash", amount: (1n + rng.bigint(1_000_000_000n)).toString() });
  }
  return { accounts, appStateBytes: Buffer.from(JSON.stringify(appState)), appState };
}

let cachedManager: ModuleManager | undefined;
function defaultManager(): ModuleManager {
  if (!cachedManager) {
    const w = buildModules({ logger: silent });
    cachedManager = new ModuleManager(w.modules, w.order);
  }
  return cachedManager;
}

export function initChain(app: App, appStateBytes: Uint8Array, initialHeight = 1n, chainId = SIM_CHAIN_ID) {
  return app.initChain({
    time: { seconds: GENESIS_SECONDS, nanos: 0 },
    chainId,
    consensusParams: CONSENSUS_PARAMS,
    validators: [],
    appStateBytes,
    initialHeight,
  });
}

// ------------------------------------------------------------------ tx building

const FEE_COLLECTOR_HEX = toHex(moduleAddress("fee_collector"));
export const MODULE_ACCOUNT_HEXES = DEFAULT_MODULE_ACCOUNTS.map(([n]) => toHex(moduleAddress(n)));

const bech = (hex: string) => toBech32(fromHex(hex));
const protoCoins = (cs: readonly Coin[]) => cs.map((c) => ({ denom: c.denom, amount: c.amount.toString() }));

function encodeMsg(m: ModelMsg): Any {
  if (m.type === "send") {
    return {
      typeUrl: "/cosmos.bank.v1beta1.MsgSend",
      value: MsgSend.encode({ fromAddress: bech(m.from), toAddress: bech(m.to), amount: protoCoins(m.coins) }).finish(),
    };
  }
  return {
    typeUrl: "/cosmos.bank.v1beta1.MsgMultiSend",
    value: MsgMultiSend.encode({
      inputs: [{ address: bech(m.from), coins: protoCoins(sumCoins(m.outs.map((o) => o.coins))) }],
      outputs: m.outs.map((o) => ({ address: bech(o.to), coins: protoCoins(o.coins) })),
    }).finish(),
  };
}

/** Signs `spec`; `keys`/`accountNumbers` list the signers in order (first = fee payer). */
export function signTx(spec: TxSpec, key: Key | Key[], accountNumber: bigint | bigint[], chainId: string): Uint8Array {
  if (Array.isArray(key)) return signMulti(spec, key, accountNumber as bigint[], chainId);
  return buildSignedTx({
    key,
    msgs: spec.msgs.map(encodeMsg),
    chainId: spec.badSignature ? `${chainId}-wrong` : chainId,
    accountNumber: accountNumber as bigint,
    sequence: spec.sequence,
    fee: { amount: protoCoins(spec.fee), gasLimit: spec.gasLimit },
  }).bytes;
}

/** A multi-signer SIGN_MODE_DIRECT tx: one SignerInfo + signature per signer over the same body/auth_info. */
function signMulti(spec: TxSpec, keys: Key[], accountNumbers: bigint[], chainId: string): Uint8Array {
  const seqs = [spec.sequence, ...(spec.coSigners ?? []).map((c) => c.sequence)];
  const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages: spec.msgs.map(encodeMsg), memo: "" })).finish();
  const authInfoBytes = AuthInfo.encode(
    AuthInfo.fromPartial({
      signerInfos: keys.map((k, i) => ({
        publicKey: { typeUrl: "/cosmos.crypto.secp256k1.PubKey", value: PubKey.encode({ key: k.pub }).finish() },
        modeInfo: { single: { mode: 1 } },
        sequence: seqs[i]!,
      })),
      fee: { amount: protoCoins(spec.fee), gasLimit: spec.gasLimit, payer: "", granter: "" },
    }),
  ).finish();
  const signatures = keys.map((k, i) => {
    const doc = SignDoc.encode({ bodyBytes, authInfoBytes, chainId: spec.badSignature ? `${chainId}-wrong` : chainId, accountNumber: accountNumbers[i]! }).finish();
    return signDigest(new Uint8Array(createHash("sha256").update(doc).digest()), k.priv);
  });
  return TxRaw.encode({ bodyBytes, authInfoBytes, signatures }).finish();
}

// ------------------------------------------------------------------ the simulation

export interface SimOptions {
  readonly seed: string;
  readonly dir: string;
  readonly blocks: number;
  readonly txsPerBlock: number;
  readonly accounts?: number;
  /** At most this many CheckTx-failing txs the proposer includes anyway, per block (default 3). */
  readonly invalidPerBlock?: number; // default 3
  /** Close the store and reopen the App from disk after Commit at these heights. */
  readonly restartAfter?: readonly number[];
  /**
   * Crash between FinalizeBlock and Commit at these heights: close the store with the block
   * uncommitted, reopen, check Info reports the previous height, FinalizeBlock the same block
   * again (CometBFT's replay) and require the identical response before committing.
   */
  readonly crashBeforeCommitAt?: readonly number[];
  /** Compare the full auth/bank state with the model + run invariants after every block (default true). */
  readonly checkState?: boolean;
  /** …only every N blocks and after the last one (default env SIM_CHECK_EVERY or 1). */
  readonly checkEvery?: number;
  /**
   * Every N blocks (0 = never): FinalizeBlock a variant of the block where every failed tx is
   * dropped (failed in the ante) or replaced by a no-op self-send with the same signer, sequence
   * and fee (failed in its messages), and require the same AppHash (anchor B6 #20).
   */
  readonly forkCheckEvery?: number;
  /** Continue an already-initialised app instead of starting from a fresh genesis in `dir`. */
  readonly resume?: { opened: OpenedApp; keys: ReadonlyMap<string, Key>; freshCounter: number; chainId: string; initialHeight?: bigint };
  /** Test-only modules appended to the node's wiring (canaries). */
  readonly extraModules?: readonly Module[];
  /** Keep the app open at the end (the caller closes it). */
  readonly keepOpen?: boolean;
}

export interface TxRecord {
  readonly kind: string;
  readonly code: Code;
  readonly gasWanted: bigint;
  readonly gasUsed: bigint;
  readonly log: string;
}

export interface BlockRecord {
  readonly height: bigint;
  readonly req: RequestFinalizeBlock;
  readonly appHash: string;
  readonly results: readonly TxRecord[];
  /** Hash of the full ResponseFinalizeBlock tx results (code, data, log, gas, events). */
  readonly resultsDigest: string;
}

export interface SimResult {
  readonly blocks: BlockRecord[];
  /** kind → code "codespace/code" → count */
  readonly stats: Record<string, Record<string, number>>;
  /** Every key the run knows (genesis + fresh accounts) and the fresh-key counter (to resume). */
  readonly keys: ReadonlyMap<string, Key>;
  readonly freshCounter: number;
  opened?: OpenedApp;
  readonly model: Model;
}

const WEIGHTS = {
  send: 30,
  sendTwoDenoms: 6,
  sendOverspend: 8,
  sendToFresh: 8,
  sendToModule: 4,
  selfSend: 2,
  multiSend: 12,
  multiSendToModule: 2,
  multiSendOverspend: 3,
  multiMsgOk: 6,
  multiMsgLastFails: 6,
  oogInMsgs: 3,
  multiSigner: 5,
  drain: 2,
} as const;
type Kind = keyof typeof WEIGHTS;
const KINDS = Object.keys(WEIGHTS) as Kind[];

const INVALID_WEIGHTS = { wrongSequence: 4, badSignature: 2, oogInAnte: 2, zeroFee: 3, unknownSigner: 1 } as const;
type InvalidKind = keyof typeof INVALID_WEIGHTS;
const INVALID_KINDS = Object.keys(INVALID_WEIGHTS) as InvalidKind[];

const GAS = 200_000n;
const MIN_FEE = 500n; // 0.0025ugrid × 200000
/** Gas of the ante for the txs used by `oogInMsgs`, generously bounded (measured ≈ 10×size + 1000 + store reads/writes). */
const OOG_ANTE_ALLOWANCE = 40_000n;

export async function runSim(o: SimOptions): Promise<SimResult> {
  const rng = new Rng(o.seed);
  const nAccounts = o.accounts ?? 20;
  const invalidMax = o.invalidPerBlock ?? 3;
  const checkState = o.checkState ?? true;
  const checkEvery = Math.max(1, o.checkEvery ?? envInt("SIM_CHECK_EVERY", 1));
  let opened: OpenedApp;
  let keys: Map<string, Key>;
  let freshCounter: number;
  let first: bigint;
  let chainId: string;
  if (o.resume) {
    // Continue on an already-initialised app (e.g. after an import): the model is rebuilt from its store.
    opened = o.resume.opened;
    keys = new Map(o.resume.keys);
    freshCounter = o.resume.freshCounter;
    first = BigInt(opened.store.lastCommit.version) + 1n;
    if (opened.store.lastCommit.version === 0) first = o.resume.initialHeight ?? 1n;
    chainId = o.resume.chainId;
  } else {
    const gen = simGenesis(o.seed, nAccounts);
    keys = new Map<string, Key>(gen.accounts.map((a) => [a.hex, a.key]));
    opened = await openSimApp(o.dir, o.extraModules);
    freshCounter = 0;
    first = 1n;
    chainId = SIM_CHAIN_ID;
    initChain(opened.app, gen.appStateBytes);
  }
  const model = Model.fromStore(opened.store, FEE_COLLECTOR_HEX);
  if (checkState) verifyState(opened, model, "at genesis");
  const stats: Record<string, Record<string, number>> = {};
  const count = (kind: string, code: Code) => {
    const k = `${code[0] || "ok"}/${code[1]}`;
    (stats[kind] ??= {})[k] = (stats[kind][k] ?? 0) + 1;
  };
  const blocks: BlockRecord[] = [];

  const freshAddress = (): string => {
    const a = simKey(o.seed, `fresh/${freshCounter++}`);
    keys.set(a.hex, a.key);
    return a.hex;
  };

  for (let h = first; h < first + BigInt(o.blocks); h++) {
    const app = opened.app;
    const committed = model; // the finalize model, at the start of this block = committed state
    const check = committed.clone(); // CheckTx state (ante effects only)
    const senders = [...committed.accounts.keys()]
      .filter((a) => keys.has(a) && committed.balance(a, "ugrid") >= 10_000n)
      .sort(cmp);
    const recipients = [...committed.accounts.keys()].filter((a) => !committed.isModule(a)).sort(cmp);
    // Senders reserved for this block's CheckTx-failing txs (no other tx of theirs in the block).
    const nInvalid = senders.length > 4 ? rng.int(invalidMax + 1) : 0;
    const reserved = new Set<string>();
    while (reserved.size < nInvalid) reserved.add(rng.pick(senders));
    const pool = senders.filter((s) => !reserved.has(s));
    const invalidAt = new Set<number>();
    while (invalidAt.size < nInvalid) invalidAt.add(rng.int(o.txsPerBlock + nInvalid));
    const reservedList = [...reserved];

    const blockTxs: Uint8Array[] = [];
    const mempool: Uint8Array[] = [];
    const specs: TxSpec[] = [];
    const expected: Outcome[] = [];

    for (let i = 0; i < o.txsPerBlock + nInvalid; i++) {
      const injected = invalidAt.has(i);
      let spec: TxSpec;
      let signerKey: Key;
      if (injected) {
        const ik = rng.weighted(INVALID_WEIGHTS, INVALID_KINDS);
        const signer = ik === "unknownSigner" ? freshAddress() : reservedList.pop()!;
        signerKey = keys.get(signer)!;
        const base = buildKind(rng, "send", signer, committed, recipients, freshAddress);
        const seq = committed.sequence(signer);
        spec = {
          ...base,
          kind: `invalid:${ik}`,
          sequence: ik === "wrongSequence" ? (seq > 0n && rng.chance(1, 2) ? seq - 1n : seq + 1n + BigInt(rng.int(3))) : seq,
          badSignature: ik === "badSignature",
          oogInAnte: ik === "oogInAnte",
          gasLimit: ik === "oogInAnte" ? 1000n : base.gasLimit,
          fee: ik === "zeroFee" ? [] : base.fee,
        };
      } else {
        const kind = rng.weighted(WEIGHTS, KINDS);
        const signer = rng.pick(pool);
        signerKey = keys.get(signer)!;
        spec = { ...buildKind(rng, kind, signer, committed, recipients, freshAddress), sequence: check.sequence(signer) };
        if (kind === "multiSigner") {
          // A second signer with its own message: two signatures, two sequences, fee from the first.
          const co = rng.pick(pool);
          if (co !== signer) {
            const m2 = buildKind(rng, "send", co, committed, recipients, freshAddress).msgs[0]!;
            // Signers are ordered by first appearance in the messages; the first one pays the fee.
            const [first, second] = rng.chance(1, 2) ? [signer, co] : [co, signer];
            const msgs = first === signer ? [spec.msgs[0]!, m2] : [m2, spec.msgs[0]!];
            spec = { ...spec, signer: first, sequence: check.sequence(first), msgs, coSigners: [{ addr: second, sequence: check.sequence(second) }] };
          }
        }
      }
      const signerList = [spec.signer, ...(spec.coSigners ?? []).map((c) => c.addr)];
      const accNums = signerList.map((a) => committed.accounts.get(a)?.number ?? 0n);
      const tx = spec.coSigners ? signTx(spec, signerList.map((a) => keys.get(a)!), accNums, chainId) : signTx(spec, signerKey, accNums[0]!, chainId);
      // CheckTx, like the mempool.
      const predicted = check.apply(spec, "check");
      const ct = app.checkTx({ tx, type: CheckTxType.NEW });
      expectCode(`h${h} tx${i} ${spec.kind} CheckTx`, [ct.codespace, ct.code], predicted.code, ct.log);
      if (injected) {
        if (ct.code === 0) throw new Error(`h${h} tx${i} ${spec.kind}: meant to fail CheckTx but passed`);
      } else if (ct.code !== 0) {
        continue; // the mempool rejects it; the block does not carry it
      } else {
        mempool.push(tx);
      }
      blockTxs.push(tx);
      specs.push(spec);
      expected.push(committed.apply(spec, "finalize"));
    }

    // PrepareProposal keeps every mempool tx (all passed CheckTx in this order); ProcessProposal
    // checks structure only (SDK no-op mempool) and accepts every block: the injected invalid txs
    // fail in FinalizeBlock with their codes.
    const time = blockTime(h);
    const prep = app.prepareProposal({
      maxTxBytes: 22020096n,
      txs: mempool,
      localLastCommit: { round: 0, votes: [] },
      misbehavior: [],
      height: h,
      time,
      nextValidatorsHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20).fill(7),
    });
    if (prep.txs.length !== mempool.length) throw new Error(`h${h}: PrepareProposal kept ${prep.txs.length} of ${mempool.length} mempool txs`);
    const proc = app.processProposal({
      txs: blockTxs,
      proposedLastCommit: { round: 0, votes: [] },
      misbehavior: [],
      hash: new Uint8Array(32),
      height: h,
      time,
      nextValidatorsHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20).fill(7),
    });
    // (a zero-fee tx is valid in a block: the minimum gas price is a node-local CheckTx rule)
    const wantStatus = ResponseProcessProposal_ProposalStatus.ACCEPT;
    if (proc.status !== wantStatus) throw new Error(`h${h}: ProcessProposal answered ${proc.status}, expected ${wantStatus}`);

    // Fork check (B6 #20): failed txs leave nothing but fee and sequence.
    const req = finalizeReq(h, blockTxs);
    if (o.forkCheckEvery && opened.store.lastCommit.version > 0 && Number(h) % o.forkCheckEvery === 0 && expected.some((e) => e.code !== OK)) {
      const variant: Uint8Array[] = [];
      specs.forEach((s, i) => {
        const e = expected[i]!;
        if (e.stage === "ok") variant.push(blockTxs[i]!);
        else if (e.stage === "msgs") {
          const signerList = [s.signer, ...(s.coSigners ?? []).map((c) => c.addr)];
          const noop: TxSpec = {
            ...s,
            kind: "noop",
            badSignature: false,
            oogInMsgs: false,
            gasLimit: GAS,
            msgs: signerList.map((a) => ({ type: "send" as const, from: a, to: a, coins: [{ denom: "ugrid", amount: 1n }] })),
          };
          variant.push(signTx(noop, signerList.map((a) => keys.get(a)!), signerList.map((a) => model.accounts.get(a)!.number), chainId));
        } // ante failures: dropped
      });
      const vHash = toHex(app.finalizeBlock(finalizeReq(h, variant)).appHash);
      const rHash = toHex(app.finalizeBlock(req).appHash); // replaces the uncommitted variant
      if (vHash !== rHash) {
        throw new Error(`h${h}: block with its ${expected.filter((e) => e.code !== OK).length} failed txs → ${rHash}, with them dropped/replaced by no-ops → ${vHash}: a failed tx left a trace beyond fee + sequence`);
      }
    }

    let res = app.finalizeBlock(req);
    if (o.crashBeforeCommitAt?.includes(Number(h))) {
      await opened.close();
      opened = await openSimApp(o.dir, o.extraModules);
      const info = opened.app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
      if (info.lastBlockHeight !== h - 1n) throw new Error(`crash before Commit of ${h}: Info says height ${info.lastBlockHeight}, expected ${h - 1n}`);
      const again = opened.app.finalizeBlock(req);
      if (toHex(again.appHash) !== toHex(res.appHash) || digestResults(again.txResults) !== digestResults(res.txResults)) {
        throw new Error(`crash before Commit of ${h}: replayed FinalizeBlock differs (${toHex(again.appHash)} vs ${toHex(res.appHash)})`);
      }
      res = again;
    }
    const results: TxRecord[] = res.txResults.map((r, i) => ({
      kind: specs[i]!.kind,
      code: [r.codespace, r.code] as Code,
      gasWanted: r.gasWanted,
      gasUsed: r.gasUsed,
      log: r.log,
    }));
    results.forEach((r, i) => {
      expectCode(`h${h} tx${i} ${r.kind} FinalizeBlock`, r.code, expected[i]!.code, r.log);
      count(r.kind, r.code);
      // Events of failed branches are dropped (Huckleberry): an ante failure emits nothing, a
      // message failure keeps only the ante's fee/sequence events (no message, no msg_index).
      const evs = res.txResults[i]!.events;
      const stage = expected[i]!.stage;
      if (stage === "ante" && evs.length > 0) throw new Error(`h${h} tx${i} ${r.kind}: failed in the ante but emitted ${evs.map((e) => e.type).join(",")}`);
      if (stage === "msgs" && evs.some((e) => e.type === "message" || e.attributes.some((a) => a.key === "msg_index"))) {
        throw new Error(`h${h} tx${i} ${r.kind}: failed in its messages but kept message events`);
      }
      if (stage === "ok" && !evs.some((e) => e.type === "message")) throw new Error(`h${h} tx${i} ${r.kind}: succeeded without a message event`);
    });
    await opened.app.commit();

    // Replay protection (anchor B6 #18): every tx whose ante ran in this block, rebroadcast
    // (CheckTx NEW) or rechecked by the mempool (RECHECK) after Commit, is rejected: its
    // sequence is consumed (sdk/32), or its fee is no longer affordable (sdk/5) — as the model says.
    const after = model.clone();
    specs.forEach((spec, i) => {
      if (expected[i]!.stage === "ante") return;
      const want = after.apply(spec, "check");
      if (want.code === OK) throw new Error(`h${h} tx${i}: the model would accept a committed tx again`);
      const type = i % 2 === 0 ? CheckTxType.NEW : CheckTxType.RECHECK;
      const ct = opened.app.checkTx({ tx: blockTxs[i]!, type });
      expectCode(`h${h} tx${i} ${spec.kind} re-${type === CheckTxType.NEW ? "broadcast" : "check"} after Commit`, [ct.codespace, ct.code], want.code, ct.log);
    });
    const appHash = toHex(res.appHash);
    blocks.push({ height: h, req, appHash, results, resultsDigest: digestResults(res.txResults) });

    const last = h === first + BigInt(o.blocks) - 1n;
    if (checkState && (last || Number(h) % checkEvery === 0)) verifyState(opened, model, `after block ${h}`);

    if (o.restartAfter?.includes(Number(h))) {
      await opened.close();
      opened = await openSimApp(o.dir, o.extraModules);
      const info = opened.app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
      if (info.lastBlockHeight !== h || toHex(info.lastBlockAppHash) !== appHash) {
        throw new Error(`restart after ${h}: Info says height ${info.lastBlockHeight} hash ${toHex(info.lastBlockAppHash)}`);
      }
    }
  }

  const result: SimResult = { blocks, stats, keys, freshCounter, model };
  if (o.keepOpen) result.opened = opened;
  else await opened.close();
  return result;
}

/** Builds the messages/fee of one random tx of `kind` from `signer`, sized from the model's balances. */
function buildKind(rng: Rng, kind: Kind, signer: string, m: Model, recipients: string[], fresh: () => string): Omit<TxSpec, "sequence"> {
  const bal = (d: string) => m.balance(signer, d);
  const fee: Coin[] = [{ denom: "ugrid", amount: MIN_FEE + BigInt(rng.int(1500)) }];
  const spendable = (d: string) => {
    const b = bal(d) - (d === "ugrid" ? 3000n : 0n);
    return b > 0n ? b : 0n;
  };
  const some = (d: string, div: bigint) => 1n + rng.bigint(spendable(d) / div);
  const other = () => {
    for (let i = 0; i < 4; i++) {
      const r = rng.pick(recipients);
      if (r !== signer) return r;
    }
    return fresh();
  };
  const module = () => rng.pick(MODULE_ACCOUNT_HEXES);
  const send = (to: string, coins: Coin[]): ModelMsg => ({ type: "send", from: signer, to, coins });
  const ugrid = (a: bigint): Coin[] => [{ denom: "ugrid", amount: a }];
  const base = { kind, signer, fee, gasLimit: GAS };
  switch (kind) {
    case "send":
      return { ...base, msgs: [send(other(), ugrid(some("ugrid", 4n)))] };
    case "sendTwoDenoms": {
      const coins: Coin[] = [{ denom: "ugrid", amount: some("ugrid", 8n) }];
      if (bal("uhash") > 0n || rng.chance(1, 3)) coins.push({ denom: "uhash", amount: some("uhash", 4n) }); // sometimes 1uhash it does not have
      return { ...base, msgs: [send(other(), coins)] };
    }
    case "sendOverspend":
      return { ...base, msgs: [send(other(), ugrid(bal("ugrid") + 1n + rng.bigint(10_000n)))] };
    case "sendToFresh":
      return { ...base, msgs: [send(fresh(), ugrid(some("ugrid", 20n)))] };
    case "sendToModule":
      return { ...base, msgs: [send(module(), ugrid(some("ugrid", 10n)))] };
    case "selfSend":
      return { ...base, msgs: [send(signer, ugrid(some("ugrid", 2n)))] };
    case "multiSend":
    case "multiSendToModule":
    case "multiSendOverspend": {
      const n = rng.range(2, 5);
      const outs = Array.from({ length: n }, () => ({ to: rng.chance(1, 4) ? fresh() : other(), coins: ugrid(some("ugrid", BigInt(4 * n))) }));
      if (kind === "multiSendToModule") outs[rng.int(n)] = { to: module(), coins: ugrid(1n + rng.bigint(1000n)) };
      if (kind === "multiSendOverspend") outs[rng.int(n)] = { to: other(), coins: ugrid(bal("ugrid") + 1n) };
      return { ...base, gasLimit: 400_000n, fee: [{ denom: "ugrid", amount: 1000n + BigInt(rng.int(1000)) }], msgs: [{ type: "multi", from: signer, outs }] };
    }
    case "multiMsgOk":
    case "multiMsgLastFails": {
      const n = rng.range(2, 4);
      const msgs = Array.from({ length: n }, () => send(rng.chance(1, 5) ? fresh() : other(), ugrid(some("ugrid", BigInt(4 * n)))));
      if (kind === "multiMsgLastFails") {
        msgs[n - 1] = rng.chance(1, 2) ? send(other(), ugrid(bal("ugrid") + 1n)) : send(module(), ugrid(1n));
      }
      return { ...base, gasLimit: 400_000n, fee: [{ denom: "ugrid", amount: 1000n + BigInt(rng.int(1000)) }], msgs };
    }
    case "drain": {
      // Everything but the fee: the sender's later txs in this block passed CheckTx (which does not
      // run messages) but cannot pay their fee in FinalizeBlock (sdk/5 in the ante), and the ones
      // after that then carry a sequence that was never consumed (sdk/32).
      const all = bal("ugrid") - fee[0]!.amount;
      return { ...base, msgs: [send(other(), ugrid(all > 0n ? all : 1n))] };
    }
    case "multiSigner":
      return { ...base, gasLimit: 400_000n, fee: [{ denom: "ugrid", amount: 1000n + BigInt(rng.int(1000)) }], msgs: [send(other(), ugrid(some("ugrid", rng.chance(1, 5) ? 1n : 8n)))] };
    case "oogInMsgs": {
      // Several sends to existing accounts: the ante fits in the allowance, the messages do not.
      const msgs = Array.from({ length: 4 }, () => send(other(), ugrid(some("ugrid", 40n))));
      return { ...base, gasLimit: OOG_ANTE_ALLOWANCE, oogInMsgs: true, fee: [{ denom: "ugrid", amount: 100n + BigInt(rng.int(100)) }], msgs };
    }
  }
}

function expectCode(what: string, got: Code, want: Code, log: string): void {
  if (got[0] !== want[0] || got[1] !== want[1]) {
    throw new Error(`${what}: got ${got[0] || "ok"}/${got[1]} (${log}), the model expects ${want[0] || "ok"}/${want[1]}`);
  }
}

export function digestResults(rs: readonly ExecTxResult[]): string {
  const h = createHash("sha256");
  for (const r of rs) h.update(ExecTxResult.encode(r).finish());
  return h.digest("hex");
}

/** Model == store (accounts, numbers, sequences, pubkey presence, balances) and the bank invariants hold. */
export function verifyState(opened: OpenedApp, model: Model, when: string): void {
  const got = readSnapshot(opened.store);
  const want = model.snapshot();
  const diff = diffSnapshots(got, want);
  if (diff.length) throw new Error(`${when}: store and model differ:\n  ${diff.slice(0, 20).join("\n  ")}`);
  const broken = runInvariants(opened);
  if (broken.length) throw new Error(`${when}: invariants broken:\n  ${broken.join("\n  ")}`);
}

export function runInvariants(opened: OpenedApp): string[] {
  const ctx = createContext({
    header: { height: BigInt(opened.store.lastCommit.version), time: { seconds: 0n, nanos: 0 }, chainId: SIM_CHAIN_ID, proposer: new Uint8Array() },
    mode: "finalize",
    store: opened.store.branch(), // never written
    logger: silent,
  });
  const out: string[] = [];
  for (const m of opened.manager.modules) {
    for (const inv of m.invariants ?? []) {
      const r = inv.check(ctx);
      if (r !== undefined) out.push(`${inv.name}: ${r}`);
    }
  }
  return out;
}

function diffSnapshots(got: ReturnType<typeof readSnapshot>, want: ReturnType<Model["snapshot"]>): string[] {
  const out: string[] = [];
  if (got.nextAccountNumber !== want.nextAccountNumber) out.push(`next account number: store ${got.nextAccountNumber}, model ${want.nextAccountNumber}`);
  const fmtA = (a: (typeof got.accounts)[number]) => `${a.addr} #${a.number} seq=${a.seq} pub=${a.hasPub} module=${a.module}`;
  const fmtB = (b: (typeof got.balances)[number]) => `${b.addr} ${b.amount}${b.denom}`;
  diffLists(got.accounts.map(fmtA), want.accounts.map(fmtA), "account", out);
  diffLists(got.balances.map(fmtB), want.balances.map(fmtB), "balance", out);
  return out;
}

function diffLists(got: string[], want: string[], what: string, out: string[]): void {
  const g = new Set(got);
  const w = new Set(want);
  for (const x of got) if (!w.has(x)) out.push(`${what} in store only: ${x}`);
  for (const x of want) if (!g.has(x)) out.push(`${what} in model only: ${x}`);
}

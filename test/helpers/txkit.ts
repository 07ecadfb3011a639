/**
 * Test/bench kit: deterministic secp256k1 keys, SIGN_MODE_DIRECT tx building with cosmjs-types
 * (independent of chain/tx's decoder), and an in-process App wired exactly like a node
 * (chain/app/wiring.ts) over the test MemStore or a real store.
 */
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { AuthInfo, SignDoc, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { createHash } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { App, appStoreNames } from "../../chain/app/app";
import { ModuleManager } from "../../chain/app/manager";
import type { CommitMultiStore } from "../../chain/store/types";
import { buildModules, buildTxRunner } from "../../chain/app/wiring";
import { defaultAppState } from "../../chain/app/genesis";
import { pubkeyToAddress, toBech32 } from "../../chain/crypto/address";
import { allocateGenesisAccounts } from "../../modules/bank/genesis";
import { MemStore, newMemDisk } from "./memStore";

export const silent = { debug() {}, info() {}, warn() {}, error() {} };

export interface Key {
  readonly priv: Uint8Array;
  readonly pub: Uint8Array;
  readonly addrBytes: Uint8Array;
  readonly address: string;
}

let nativeSign: ((msg32: Uint8Array, priv: Uint8Array) => { signature: Uint8Array }) | undefined;
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const b = require("secp256k1/bindings") as { ecdsaSign(m: Uint8Array, k: Uint8Array): { signature: Uint8Array } };
  nativeSign = (m, k) => b.ecdsaSign(m, k);
} catch {
  nativeSign = undefined;
}

export function keyFromSeed(seed: string): Key {
  const priv = new Uint8Array(createHash("sha256").update(`hashgrid-test-key/${seed}`).digest());
  const pub = secp256k1.getPublicKey(priv, true);
  const addrBytes = pubkeyToAddress(pub);
  return { priv, pub, addrBytes, address: toBech32(addrBytes) };
}

export function signDigest(digest: Uint8Array, priv: Uint8Array): Uint8Array {
  if (nativeSign) return Uint8Array.from(nativeSign(digest, priv).signature); // libsecp256k1: low-S, RFC 6979
  return secp256k1.sign(digest, priv, { prehash: false, lowS: true, format: "compact" });
}

export function msgSend(from: string, to: string, amount: bigint | string, denom = "ugrid"): Any {
  return {
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    value: MsgSend.encode({ fromAddress: from, toAddress: to, amount: [{ denom, amount: amount.toString() }] }).finish(),
  };
}

export interface SignOpts {
  readonly key: Key;
  readonly msgs: Any[];
  readonly chainId: string;
  readonly accountNumber: bigint;
  readonly sequence: bigint;
  readonly fee?: { amount: { denom: string; amount: string }[]; gasLimit: bigint };
  readonly memo?: string;
  readonly timeoutHeight?: bigint;
  readonly includePubkey?: boolean;
  /** Post-process auth_info bytes before signing (e.g. append unknown fields). */
  readonly mutateAuthInfo?: (b: Uint8Array) => Uint8Array;
  readonly mutateBody?: (b: Uint8Array) => Uint8Array;
  readonly signMode?: number;
}

export const DEFAULT_FEE = { amount: [{ denom: "ugrid", amount: "500" }], gasLimit: 200_000n };

export function buildSignedTx(o: SignOpts): { bytes: Uint8Array; bodyBytes: Uint8Array; authInfoBytes: Uint8Array; signature: Uint8Array } {
  let bodyBytes = TxBody.encode(
    TxBody.fromPartial({ messages: o.msgs, memo: o.memo ?? "", timeoutHeight: o.timeoutHeight ?? 0n }),
  ).finish();
  if (o.mutateBody) bodyBytes = o.mutateBody(bodyBytes);
  const fee = o.fee ?? DEFAULT_FEE;
  let authInfoBytes = AuthInfo.encode(
    AuthInfo.fromPartial({
      signerInfos: [
        {
          publicKey: o.includePubkey === false ? undefined : { typeUrl: "/cosmos.crypto.secp256k1.PubKey", value: PubKey.encode({ key: o.key.pub }).finish() },
          modeInfo: { single: { mode: o.signMode ?? 1 } },
          sequence: o.sequence,
        },
      ],
      fee: { amount: fee.amount, gasLimit: fee.gasLimit, payer: "", granter: "" },
    }),
  ).finish();
  if (o.mutateAuthInfo) authInfoBytes = o.mutateAuthInfo(authInfoBytes);
  const signBytes = SignDoc.encode({ bodyBytes, authInfoBytes, chainId: o.chainId, accountNumber: o.accountNumber }).finish();
  const digest = new Uint8Array(createHash("sha256").update(signBytes).digest());
  const signature = signDigest(digest, o.key.priv);
  const bytes = TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [signature] }).finish();
  return { bytes, bodyBytes, authInfoBytes, signature };
}

export const CHAIN_ID = "hashgrid-test-1";
export const GENESIS_TIME = 1_700_000_000;

export interface TestChain {
  readonly app: App;
  readonly store: CommitMultiStore;
  /** The App's tx runner (the node's TxPipeline): tests look at its caches. */
  readonly runner: ReturnType<typeof buildTxRunner>;
  height: bigint;
  readonly chainId: string;
}

/** An App over `store` (MemStore by default) with the node's wiring, at genesis with `funded` accounts. */
export function newTestChain(
  funded: ReadonlyArray<{ address: string; amount: bigint }>,
  o: { store?: (names: string[]) => CommitMultiStore; minGasPrices?: string; chainId?: string; maxGas?: bigint } = {},
): TestChain {
  const wiring = buildModules({ logger: silent });
  const manager = new ModuleManager(wiring.modules, wiring.order);
  const names = appStoreNames(manager);
  const store = o.store ? o.store(names) : new MemStore(names, newMemDisk());
  const txRunner = buildTxRunner({ router: manager, modules: wiring.modules, logger: silent, minGasPrices: o.minGasPrices });
  const app = new App({ store, manager, txRunner, logger: silent });
  const appState = defaultAppState(manager) as Parameters<typeof allocateGenesisAccounts>[0] & Record<string, unknown>;
  allocateGenesisAccounts(appState, funded);
  const chainId = o.chainId ?? CHAIN_ID;
  app.initChain({
    time: { seconds: BigInt(GENESIS_TIME), nanos: 0 },
    chainId,
    consensusParams: { block: { maxBytes: 22020096n, maxGas: o.maxGas ?? -1n } },
    validators: [],
    appStateBytes: Buffer.from(JSON.stringify(appState)),
    initialHeight: 1n,
  });
  return { app, store, runner: txRunner, height: 0n, chainId };
}

export function blockReq(height: bigint, txs: Uint8Array[]) {
  return {
    txs,
    decidedLastCommit: { round: 0, votes: [] },
    misbehavior: [],
    hash: new Uint8Array(32),
    height,
    time: { seconds: BigInt(GENESIS_TIME) + height, nanos: 0 },
    nextValidatorsHash: new Uint8Array(32),
    proposerAddress: new Uint8Array(20),
  };
}

/** FinalizeBlock + Commit of `txs` as the next block. */
export async function deliverBlock(c: TestChain, txs: Uint8Array[]) {
  c.height += 1n;
  const r = c.app.finalizeBlock(blockReq(c.height, txs));
  await c.app.commit();
  return r;
}

export function query(c: TestChain, path: string, data: Uint8Array) {
  return c.app.query({ path, data, height: 0n, prove: false });
}

/**
 * Query services that belong to the tx layer:
 *  - /cosmos.tx.v1beta1.Service/Simulate: runs a tx (TxRaw bytes in `tx_bytes`, or the deprecated
 *    `tx` field, wire-identical) on a throw-away branch of the queried height, without signature,
 *    sign-mode, fee-minimum or gas-limit checks, and always answers `gas_info`. Handles what CosmJS
 *    sends (empty signature, SIGN_MODE_UNSPECIFIED) and what Keplr sends (no pubkey, zeroed signature).
 *  - /cosmos.base.tendermint.v1beta1.Service/GetNodeInfo: chain id (network) and app version, as
 *    Keplr's endpoint check and Ping.pub read them.
 */
import { GetNodeInfoResponse } from "cosmjs-types/cosmos/base/tendermint/v1beta1/query";
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { Tx } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { ChainError, sdkErrors } from "../app/errors";
import type { Logger, QueryContext, QueryHandler } from "../app/types";
import { throwAwayView } from "./overlay";
import type { TxPipeline } from "./runner";

export const HASHGRID_VERSION = "0.1.0";
/** The SDK release whose wire formats and query paths Hashgrid speaks (Ping.pub picks its API profile from it). */
export const COSMOS_SDK_COMPAT_VERSION = "v0.50.0";

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export function simulateQuery(pipeline: TxPipeline, logger: Logger = silent): QueryHandler {
  return (ctx: QueryContext, req: Uint8Array): Uint8Array => {
    let r: SimulateRequest;
    try {
      r = SimulateRequest.decode(req);
    } catch (e) {
      throw sdkErrors.InvalidRequest.wrap(`cannot decode SimulateRequest: ${(e as Error).message}`);
    }
    let txBytes = r.txBytes;
    if (txBytes.length === 0 && r.tx) txBytes = Tx.encode(r.tx).finish();
    if (txBytes.length === 0) throw sdkErrors.InvalidRequest.wrap("rpc error: code = InvalidArgument desc = empty txBytes is not allowed");
    const out = pipeline.simulate(
      {
        mode: "simulate",
        header: { height: ctx.height + 1n, time: { seconds: 0n, nanos: 0 }, chainId: ctx.chainId, proposer: new Uint8Array(20) },
        block: { votes: [], misbehavior: [] },
        store: throwAwayView((name) => ctx.store(name)),
        logger,
      },
      txBytes,
    );
    if (out.error || !out.result) {
      const e = out.error;
      if (e instanceof ChainError) throw e;
      throw sdkErrors.Logic.wrap(e?.message ?? "simulation failed");
    }
    return SimulateResponse.encode({
      gasInfo: { gasWanted: out.gasWanted, gasUsed: out.gasUsed },
      result: {
        data: out.result.data,
        log: out.result.log,
        events: out.result.events.map((e) => ({ type: e.type, attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index })) })),
        msgResponses: out.result.msgResponses.map((m) => ({ typeUrl: m.typeUrl, value: m.value })),
      },
    }).finish();
  };
}

export interface NodeInfoOptions {
  readonly moniker?: string;
  readonly cometVersion?: string;
  readonly appVersion?: string;
}

export function nodeInfoQuery(o: NodeInfoOptions = {}): QueryHandler {
  return (ctx) =>
    GetNodeInfoResponse.encode({
      defaultNodeInfo: {
        protocolVersion: { p2p: 8n, block: 11n, app: 0n },
        defaultNodeId: "",
        listenAddr: "",
        network: ctx.chainId,
        version: o.cometVersion ?? "0.38.25",
        channels: new Uint8Array(0),
        moniker: o.moniker ?? "hashgrid",
        other: { txIndex: "on", rpcAddress: "" },
      },
      applicationVersion: {
        name: "hashgrid",
        appName: "hashgrid",
        version: o.appVersion ?? HASHGRID_VERSION,
        gitCommit: "",
        buildTags: "",
        goVersion: `node ${process.version}`,
        buildDeps: [],
        cosmosSdkVersion: COSMOS_SDK_COMPAT_VERSION,
      },
    }).finish();
}

/** Every query the tx layer serves, keyed by gRPC method path. */
export function txServiceQueries(pipeline: TxPipeline, o: NodeInfoOptions & { logger?: Logger } = {}): Record<string, QueryHandler> {
  return {
    "/cosmos.tx.v1beta1.Service/Simulate": simulateQuery(pipeline, o.logger),
    "/cosmos.base.tendermint.v1beta1.Service/GetNodeInfo": nodeInfoQuery(o),
  };
}

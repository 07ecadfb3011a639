/**
 * Query services that belong to the tx layer:
 *  - /cosmos.base.tendermint.v1beta1.Service/GetNodeInfo: chain id (network) and app version, as
 *    Keplr's endpoint check and Ping.pub read them.
 * (/cosmos.tx.v1beta1.Service/Simulate is routed by the App itself to TxPipeline in "simulate" mode:
 * no signature, sign-mode, fee-minimum or gas-limit checks; CosmJS's and Keplr's shapes are accepted.)
 */
import { GetNodeInfoResponse } from "cosmjs-types/cosmos/base/tendermint/v1beta1/query";
import type { QueryHandler } from "../app/types";

export const HASHGRID_VERSION = "0.1.0";
/** The SDK release whose wire formats and query paths Hashgrid speaks (Ping.pub picks its API profile from it). */
export const COSMOS_SDK_COMPAT_VERSION = "v0.50.0";

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


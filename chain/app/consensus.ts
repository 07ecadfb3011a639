/**
 * The framework's own "consensus" store (like the SDK's x/consensus): the chain id and the
 * current CometBFT consensus params, written at InitChain and whenever a param update is
 * decided (e.g. by governance, through `ConsensusParamsKeeper`). FinalizeBlock returns an
 * update to CometBFT when the stored params changed during the block.
 */
import { ConsensusParams } from "cosmjs-types/tendermint/types/params";
import type { KVRead, KVStore, MultiStoreView } from "../store/types";
import type { Context } from "./types";

export const CONSENSUS_STORE = "consensus";

const KEY_CHAIN_ID = Uint8Array.of(0x01);
const KEY_PARAMS = Uint8Array.of(0x02);

export function readChainId(store: KVRead): string | undefined {
  const v = store.get(KEY_CHAIN_ID);
  return v ? Buffer.from(v).toString("utf8") : undefined;
}

export function writeChainId(store: KVStore, chainId: string): void {
  store.set(KEY_CHAIN_ID, Buffer.from(chainId, "utf8"));
}

export function readParamsBytes(store: KVRead): Uint8Array | undefined {
  return store.get(KEY_PARAMS);
}

export function readParams(store: KVRead): ConsensusParams | undefined {
  const v = store.get(KEY_PARAMS);
  return v ? ConsensusParams.decode(v) : undefined;
}

export function writeParams(store: KVStore, params: ConsensusParams): void {
  store.set(KEY_PARAMS, ConsensusParams.encode(params).finish());
}

/** What a module (gov's MsgUpdateParams for consensus) uses to change consensus params. */
export interface ConsensusParamsKeeper {
  get(ctx: Context): ConsensusParams | undefined;
  /** Stored now, sent to CometBFT in this block's FinalizeBlock response, in force from the next height. */
  set(ctx: Context, params: ConsensusParams): void;
}

export const consensusParamsKeeper: ConsensusParamsKeeper = {
  get: (ctx) => readParams(ctx.store(CONSENSUS_STORE)),
  set: (ctx, params) => writeParams(ctx.store(CONSENSUS_STORE), params),
};

/** Consensus params in CometBFT genesis.json form (int64 as strings, durations in ns). */
export function consensusParamsToJson(p: ConsensusParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.block) out.block = { max_bytes: p.block.maxBytes.toString(), max_gas: p.block.maxGas.toString() };
  if (p.evidence) {
    const d = p.evidence.maxAgeDuration;
    const ns = d ? d.seconds * 1_000_000_000n + BigInt(d.nanos) : 0n;
    out.evidence = {
      max_age_num_blocks: p.evidence.maxAgeNumBlocks.toString(),
      max_age_duration: ns.toString(),
      max_bytes: p.evidence.maxBytes.toString(),
    };
  }
  if (p.validator) out.validator = { pub_key_types: [...p.validator.pubKeyTypes] };
  if (p.version) out.version = { app: p.version.app.toString() };
  if (p.abci) out.abci = { vote_extensions_enable_height: p.abci.voteExtensionsEnableHeight.toString() };
  return out;
}

/** consensus_params.block.max_gas from a multistore's consensus store (-1/0/absent = no limit). */
export function blockMaxGas(store: MultiStoreView): bigint {
  try {
    return readParams(store.getStore(CONSENSUS_STORE))?.block?.maxGas ?? -1n;
  } catch {
    return -1n; // no consensus store mounted (unit tests)
  }
}

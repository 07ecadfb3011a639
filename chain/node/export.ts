/**
 * Genesis export: the committed state of a (stopped) node as a genesis document that InitChain
 * accepts again. Like `simd export`: initial_height = last height + 1, app_state from every
 * module's exportGenesis, consensus params from the chain's consensus store; genesis_time and
 * validators come from the node's current genesis (validators will come from staking once it exists).
 */
import { consensusParamsToJson } from "../app/consensus";
import type { Logger, Module } from "../app/types";
import { paths } from "./config";
import { readGenesis, type GenesisDoc } from "./genesis";
import { openApp } from "./start";

export async function exportGenesis(home: string, logger: Logger, extraModules?: readonly Module[]): Promise<GenesisDoc> {
  const p = paths(home);
  const current = readGenesis(p.genesis);
  const { app, store } = await openApp({ dataDir: p.appData, logger, extraModules });
  try {
    const s = app.exportState();
    if (s.height === 0) throw new Error(`nothing committed yet in ${p.appData}: run the node until it produces blocks, then export`);
    return {
      genesis_time: current.genesis_time,
      chain_id: s.chainId || current.chain_id,
      initial_height: String(s.height + 1),
      consensus_params: s.consensusParams ? consensusParamsToJson(s.consensusParams) : current.consensus_params,
      validators: current.validators ?? [],
      app_hash: "",
      app_state: s.appState,
    };
  } finally {
    await store.close();
  }
}

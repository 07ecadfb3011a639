/**
 * CometBFT genesis assembly: the repository's genesis.json (default consensus params and
 * app_state of a Hashgrid network) + chain id + validators + dev-account funding.
 *
 * Funding follows the Cosmos SDK layout exactly: one BaseAccount in app_state.auth.accounts and one
 * entry in app_state.bank.balances per address (supply left empty: bank derives it). The genesis
 * supply is fixed (SPEC: 100,000,000 GRID), so funded accounts are carved out of the
 * `community_pool` module account's allocation ("the rest to community pool and genesis
 * accounts") when the base genesis has one; funding more than it holds is an error.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const DEFAULT_GENESIS_FILE = path.join(REPO_ROOT, "genesis.json");

export interface GenesisValidator {
  readonly address: string;
  readonly pub_key: { readonly type: string; readonly value: string };
  readonly power: string;
  readonly name: string;
}

/** A CometBFT genesis document (JSON form, int64s as strings). */
export interface GenesisDoc {
  genesis_time: string;
  chain_id: string;
  initial_height: string;
  consensus_params?: Record<string, unknown>;
  validators?: GenesisValidator[];
  app_hash: string;
  app_state: Record<string, any>;
}

export function readGenesis(file: string): GenesisDoc {
  let doc: GenesisDoc;
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8")) as GenesisDoc;
  } catch (e) {
    throw new Error(`cannot read genesis ${file}: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== "object" || typeof doc.app_state !== "object") throw new Error(`${file}: not a genesis document with an app_state object`);
  return doc;
}

export function writeGenesis(file: string, doc: GenesisDoc): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(doc, null, 2) + "\n");
  fs.renameSync(tmp, file);
}

export interface Funding {
  readonly address: string;
  readonly coins: ReadonlyArray<{ denom: string; amount: string }>;
}

/** The module account genesis accounts are carved from (the rest of the fixed supply). */
export const GENESIS_FUNDS_SOURCE = "community_pool";

/**
 * Adds auth accounts and bank balances (skipping addresses already present), taking the same
 * amounts from the GENESIS_FUNDS_SOURCE module account's balance when the genesis has one, so the
 * total supply does not change.
 */
export function fundAccounts(appState: Record<string, any>, funds: readonly Funding[]): void {
  appState.auth ??= { params: {}, accounts: [] };
  appState.auth.accounts ??= [];
  appState.bank ??= { params: { send_enabled: [], default_send_enabled: true }, balances: [], supply: [], denom_metadata: [], send_enabled: [] };
  appState.bank.balances ??= [];
  const haveAcc = new Set((appState.auth.accounts as Array<{ address: string }>).map((a) => a.address));
  const haveBal = new Set((appState.bank.balances as Array<{ address: string }>).map((b) => b.address));
  const added = new Map<string, bigint>();
  for (const f of funds) {
    if (!haveAcc.has(f.address)) {
      appState.auth.accounts.push({ "@type": "/cosmos.auth.v1beta1.BaseAccount", address: f.address, pub_key: null, account_number: "0", sequence: "0" });
      haveAcc.add(f.address);
    }
    if (!haveBal.has(f.address)) {
      appState.bank.balances.push({ address: f.address, coins: f.coins.map((c) => ({ denom: c.denom, amount: c.amount })) });
      haveBal.add(f.address);
      for (const c of f.coins) added.set(c.denom, (added.get(c.denom) ?? 0n) + BigInt(c.amount));
    }
  }
  carveFromSource(appState, added);
}

function carveFromSource(appState: Record<string, any>, added: ReadonlyMap<string, bigint>): void {
  const source = (appState.auth.accounts as Array<Record<string, any>>).find(
    (a) => a["@type"] === "/cosmos.auth.v1beta1.ModuleAccount" && a.name === GENESIS_FUNDS_SOURCE,
  );
  const address: string | undefined = source?.base_account?.address;
  if (address === undefined) return; // a custom base genesis without one: the supply grows
  const entry = (appState.bank.balances as Array<{ address: string; coins: Array<{ denom: string; amount: string }> }>).find((b) => b.address === address);
  for (const [denom, amount] of [...added].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const coin = entry?.coins.find((c) => c.denom === denom);
    const have = coin === undefined ? 0n : BigInt(coin.amount);
    if (have < amount) {
      throw new Error(
        `genesis funding of ${amount}${denom} exceeds the ${GENESIS_FUNDS_SOURCE} allocation (${have}${denom}) it is carved from, ` +
          `which keeps the total supply fixed: fund fewer accounts or smaller amounts`,
      );
    }
    coin!.amount = (have - amount).toString();
  }
  if (entry === undefined) return;
  entry.coins = entry.coins.filter((c) => c.amount !== "0");
  if (entry.coins.length === 0) appState.bank.balances = (appState.bank.balances as Array<{ address: string }>).filter((b) => b !== entry);
}

export interface AssembleOptions {
  readonly base: GenesisDoc;
  readonly chainId: string;
  /** RFC 3339; the devnet uses the time of `init`. */
  readonly genesisTime: string;
  readonly validators: readonly GenesisValidator[];
  readonly funds?: readonly Funding[];
}

export function assembleGenesis(o: AssembleOptions): GenesisDoc {
  const appState = JSON.parse(JSON.stringify(o.base.app_state)) as Record<string, any>;
  if (o.funds?.length) fundAccounts(appState, o.funds);
  return {
    genesis_time: o.genesisTime,
    chain_id: o.chainId,
    initial_height: o.base.initial_height ?? "1",
    consensus_params: o.base.consensus_params,
    validators: [...o.validators],
    app_hash: "",
    app_state: appState,
  };
}

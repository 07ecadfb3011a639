/**
 * A node home (devnet, localnet, e2e, a validator): CometBFT's home plus the app's data and
 * settings, side by side:
 *
 *   <home>/cometbft/        CometBFT home (config/config.toml, config/genesis.json, keys, data/)
 *   <home>/app/             the app's LevelDB store
 *   <home>/hashgrid.json    the app's settings (ABCI address, metrics address, chain id)
 *   <home>/logs/            app.log and cometbft.log when started by devnet/localnet/tests
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface NodeSettings {
  readonly chainId: string;
  readonly moniker: string;
  /** Where the app listens for CometBFT: tcp://host:port or unix:///path. */
  readonly abci: string;
  /** host:port of the Prometheus endpoint, or "" for none. */
  readonly metrics: string;
  readonly rpc: string;
  readonly p2p: string;
  /** Keep every block in CometBFT unless > 0 (ResponseCommit.retain_height = height − this). */
  readonly minRetainBlocks?: number;
  /** Event attributes CometBFT's kv indexer stores, "type.key" (absent: chain/app/indexevents.ts DEFAULT_INDEX_EVENTS; [] = all). */
  readonly indexEvents?: readonly string[];
  /** Live IAVL trees on the node arena (default true; false = IavlTree objects; chain/store README "Round 6"). Same state and bytes either way. */
  readonly storeArena?: boolean;
  /** Hash the store's inner nodes on a worker thread (arena mode; default chain/store DEFAULT_HASH_WORKER; README "Round 7"). Same state and bytes either way. */
  readonly storeHashWorker?: boolean;
  /** Read the keys of txs seen at CheckTx/ProcessProposal ahead of their block (chain/app/prefetch.ts; default false: in the end-to-end benchmark, with every key cached, it still costs the app CPU per tx and tips the run into big blocks — round 10 on a quiet box: app 332 vs ~305 µs/tx, p50 4.60 s; test/bench/README.md "Round 10 on main"). Same results either way. */
  readonly storePrefetch?: boolean;
}

export const paths = (home: string) => ({
  home,
  comet: path.join(home, "cometbft"),
  cometConfig: path.join(home, "cometbft", "config", "config.toml"),
  genesis: path.join(home, "cometbft", "config", "genesis.json"),
  privValidator: path.join(home, "cometbft", "config", "priv_validator_key.json"),
  appData: path.join(home, "app"),
  settings: path.join(home, "hashgrid.json"),
  logs: path.join(home, "logs"),
});

export function readSettings(home: string): NodeSettings {
  const f = paths(home).settings;
  if (!fs.existsSync(f)) throw new Error(`${f} not found: initialise the home first (hashgrid init --home ${home}, or npm start for a devnet)`);
  return JSON.parse(fs.readFileSync(f, "utf8")) as NodeSettings;
}

export function writeSettings(home: string, s: NodeSettings): void {
  fs.mkdirSync(home, { recursive: true });
  fs.writeFileSync(paths(home).settings, JSON.stringify(s, null, 2) + "\n");
}

/** TOML value literals. */
export const toml = {
  str: (s: string): string => JSON.stringify(s),
  bool: (b: boolean): string => (b ? "true" : "false"),
  num: (n: number): string => String(n),
  strList: (l: readonly string[]): string => `[${l.map((s) => JSON.stringify(s)).join(", ")}]`,
};

/**
 * Sets `key = value` in `[section]` ("" = the top-level table) of a CometBFT config.toml,
 * replacing the existing line; throws if the key does not exist there (catches typos and
 * CometBFT config changes).
 */
export function setToml(text: string, section: string, key: string, value: string): string {
  const lines = text.split("\n");
  let current = "";
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const sec = /^\s*\[([^\]]+)\]\s*$/.exec(l);
    if (sec) {
      current = sec[1]!.trim();
      continue;
    }
    if (current === section && new RegExp(`^\\s*${key.replace(/[.]/g, "\\.")}\\s*=`).test(l)) {
      lines[i] = `${key} = ${value}`;
      return lines.join("\n");
    }
  }
  throw new Error(`config.toml has no key "${key}" in section [${section}]`);
}

export type TomlPatch = Record<string, Record<string, string>>;

export function patchConfigFile(file: string, patch: TomlPatch): void {
  let text = fs.readFileSync(file, "utf8");
  for (const [section, kv] of Object.entries(patch)) for (const [k, v] of Object.entries(kv)) text = setToml(text, section, k, v);
  fs.writeFileSync(file, text);
}

/**
 * A single-validator network for tx e2e tests and benchmarks: the App (node wiring, real IAVL store
 * on LevelDB) served over ABCI from THIS process, and a real CometBFT v0.38 child process.
 * Ports are allocated dynamically; everything lives in a temp dir; stop() kills the child.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { AbciServer } from "../../../chain/abci";
import { App, appStoreNames } from "../../../chain/app/app";
import { ModuleManager } from "../../../chain/app/manager";
import { buildModules, buildTxRunner } from "../../../chain/app/wiring";
import type { Logger } from "../../../chain/app/types";
import { findCometbft } from "../../../chain/node/cometbft";
import { patchConfigFile, toml } from "../../../chain/node/config";
import { DEFAULT_GENESIS_FILE, assembleGenesis, readGenesis, writeGenesis, type Funding } from "../../../chain/node/genesis";
import { openMultiStore, type CommitMultiStore } from "../../../chain/store";
import { DEFAULT_INDEX_EVENTS } from "../../../chain/app/indexevents";

const execFileP = promisify(execFile);
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export interface TxNetOptions {
  readonly chainId?: string;
  readonly funds: readonly Funding[];
  readonly timeoutCommit?: string;
  readonly minGasPrices?: string;
  readonly logger?: Logger;
  /** Extra config.toml settings, e.g. { mempool: { size: "50000" } }. */
  readonly cometConfig?: Record<string, Record<string, string>>;
  /** Mutate app_state before writing genesis (benchmarks add many accounts). */
  readonly editAppState?: (appState: Record<string, any>) => void;
  readonly keepDir?: boolean;
}

export interface TxNet {
  readonly rpcUrl: string;
  readonly chainId: string;
  readonly dir: string;
  readonly app: App;
  stop(): Promise<void>;
  cometLogTail(lines?: number): string;
}

export async function cometbftBinary(): Promise<string | undefined> {
  const f = await findCometbft();
  return f?.path;
}

export async function startTxNet(o: TxNetOptions): Promise<TxNet> {
  const comet = await cometbftBinary();
  if (!comet) throw new Error("cometbft not found: install it with `go install github.com/cometbft/cometbft/cmd/cometbft@v0.38.25`");
  const chainId = o.chainId ?? "hashgrid-e2e-1";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hashgrid-txnet-"));
  const cometHome = path.join(dir, "cometbft");
  await execFileP(comet, ["init", "--home", cometHome], { timeout: 60_000 });
  const [rpcPort, p2pPort, abciPort] = [await freePort(), await freePort(), await freePort()];

  const key = JSON.parse(fs.readFileSync(path.join(cometHome, "config", "priv_validator_key.json"), "utf8"));
  const genesis = assembleGenesis({
    base: readGenesis(DEFAULT_GENESIS_FILE),
    chainId,
    genesisTime: new Date().toISOString(),
    validators: [{ address: key.address, pub_key: key.pub_key, power: "10", name: "e2e" }],
    funds: o.funds,
  });
  o.editAppState?.(genesis.app_state as Record<string, any>);
  writeGenesis(path.join(cometHome, "config", "genesis.json"), genesis);
  patchConfigFile(path.join(cometHome, "config", "config.toml"), {
    "": { proxy_app: toml.str(`tcp://127.0.0.1:${abciPort}`), moniker: toml.str("e2e"), log_level: toml.str("error") },
    rpc: { laddr: toml.str(`tcp://127.0.0.1:${rpcPort}`) },
    p2p: { laddr: toml.str(`tcp://127.0.0.1:${p2pPort}`), pex: toml.bool(false) },
    consensus: { timeout_commit: toml.str(o.timeoutCommit ?? "300ms"), timeout_propose: toml.str("2s") },
    tx_index: { indexer: toml.str("kv") },
    ...o.cometConfig,
  });

  const wiring = buildModules({ logger: o.logger ?? silent });
  const manager = new ModuleManager(wiring.modules, wiring.order);
  const store: CommitMultiStore = await openMultiStore({ dir: path.join(dir, "app-data"), storeNames: appStoreNames(manager) });
  const txRunner = buildTxRunner({ router: manager, modules: wiring.modules, logger: o.logger ?? silent, minGasPrices: o.minGasPrices });
  // Index what a node started with `hashgrid start` indexes (the default indexEvents set).
  const app = new App({ store, manager, txRunner, logger: o.logger ?? silent, indexEvents: DEFAULT_INDEX_EVENTS });
  const server = new AbciServer({ address: `tcp://127.0.0.1:${abciPort}`, app, logger: o.logger ?? silent });
  await server.listen();

  const logFile = path.join(dir, "cometbft.log");
  const fd = fs.openSync(logFile, "a");
  const child: ChildProcess = spawn(comet, ["start", "--home", cometHome], { stdio: ["ignore", fd, fd] });
  fs.closeSync(fd);
  const killChild = () => child.kill("SIGKILL");
  process.once("exit", killChild);

  const rpcUrl = `http://127.0.0.1:${rpcPort}`;
  const tail = (lines = 40) => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").split("\n").slice(-lines).join("\n") : "");
  // Wait for the first blocks.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`cometbft exited (${child.exitCode}):\n${tail()}`);
    try {
      const r = await fetch(`${rpcUrl}/status`);
      const j = (await r.json()) as { result: { sync_info: { latest_block_height: string } } };
      if (Number(j.result.sync_info.latest_block_height) >= 1) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`cometbft did not produce a block within 60 s:\n${tail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    rpcUrl,
    chainId,
    dir,
    app,
    cometLogTail: tail,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(t);
      }
      process.off("exit", killChild);
      await server.close();
      await store.close();
      if (!o.keepDir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

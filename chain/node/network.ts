/**
 * Local networks of Hashgrid nodes (app + CometBFT per node): initialisation of homes and
 * genesis, and supervision of the two processes of each node. Used by the devnet (1 validator),
 * the localnet (N validators on 127.0.0.x) and the e2e tests (test/e2e/helpers/devnet.ts).
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import type { Logger } from "../app/types";
import { ensureCometbft } from "./cometbft";
import { paths, patchConfigFile, toml, writeSettings, readSettings, type NodeSettings } from "./config";
import { assembleGenesis, DEFAULT_GENESIS_FILE, readGenesis, writeGenesis, type Funding, type GenesisValidator } from "./genesis";

const execFileP = promisify(execFile);

export const MAIN_TS = path.join(__dirname, "main.ts");

export interface NodePorts {
  readonly p2p: number;
  readonly rpc: number;
  readonly abci: number;
  readonly metrics: number;
}

export interface NodeSpec {
  readonly index: number;
  readonly home: string;
  readonly host: string;
  readonly ports: NodePorts;
  readonly moniker: string;
}

export interface NetworkOptions {
  /** Root directory. With one node the node's home is the root itself; else root/node<i>. */
  readonly root: string;
  readonly chainId: string;
  readonly validators: number;
  /** Node i uses basePort + 10·i + {0: p2p, 1: rpc, 2: abci, 3: metrics}. */
  readonly basePort: number;
  /** Put node i on 127.0.0.(i+1) instead of 127.0.0.1. */
  readonly distinctHosts?: boolean;
  readonly timeoutCommit?: string;
  readonly timeoutPropose?: string;
  /** Accounts funded at genesis (auth + bank sections). */
  readonly funds?: readonly Funding[];
  /** Genesis to start from (default: the repository's genesis.json). */
  readonly baseGenesis?: string;
  readonly cometLogLevel?: string;
  /** Serve the app's Prometheus metrics (default true). */
  readonly metrics?: boolean;
  /**
   * How CometBFT reaches the app: "tcp" (default, port base+2) or "unix" (<home>/abci.sock).
   * A unix socket costs both processes less CPU per ABCI message (no TCP/IP stack on the loopback).
   */
  readonly abciTransport?: "tcp" | "unix";
}

/** The ABCI address of node `n` (proxy_app and the app's listen address). */
export function abciAddress(n: NodeSpec, transport: "tcp" | "unix" = "tcp"): string {
  return transport === "unix" ? `unix://${path.join(path.resolve(n.home), "abci.sock")}` : `tcp://${n.host}:${n.ports.abci}`;
}

export interface NetworkLayout {
  readonly chainId: string;
  readonly nodes: readonly NodeSpec[];
}

const LAYOUT_FILE = "network.json";

export function nodeSpecs(o: NetworkOptions): NodeSpec[] {
  return Array.from({ length: o.validators }, (_, i) => {
    const base = o.basePort + 10 * i;
    return {
      index: i,
      home: o.validators === 1 ? o.root : path.join(o.root, `node${i}`),
      host: o.distinctHosts ? `127.0.0.${i + 1}` : "127.0.0.1",
      ports: { p2p: base, rpc: base + 1, abci: base + 2, metrics: base + 3 },
      moniker: o.validators === 1 ? "hashgrid-devnet" : `node${i}`,
    };
  });
}

/** True when `root` already holds an initialised network (resume instead of init). */
export function networkExists(root: string): boolean {
  return fs.existsSync(path.join(root, LAYOUT_FILE));
}

export function loadNetwork(root: string): NetworkLayout {
  return JSON.parse(fs.readFileSync(path.join(root, LAYOUT_FILE), "utf8")) as NetworkLayout;
}

/** Creates every node home, the shared genesis, and the peer list. Refuses a non-empty root. */
export async function initNetwork(o: NetworkOptions, cometbft: string, say: (m: string) => void = () => {}): Promise<NetworkLayout> {
  if (fs.existsSync(o.root) && fs.readdirSync(o.root).length > 0) {
    throw new Error(`${o.root} is not empty: pass --reset to start a fresh network, or remove it`);
  }
  const nodes = nodeSpecs(o);
  const validators: GenesisValidator[] = [];
  const nodeIds: string[] = [];
  for (const n of nodes) {
    const p = paths(n.home);
    fs.mkdirSync(p.home, { recursive: true });
    await execFileP(cometbft, ["init", "--home", p.comet], { timeout: 60_000 });
    const key = JSON.parse(fs.readFileSync(p.privValidator, "utf8")) as { address: string; pub_key: { type: string; value: string } };
    validators.push({ address: key.address, pub_key: key.pub_key, power: "10", name: n.moniker });
    nodeIds.push((await execFileP(cometbft, ["show-node-id", "--home", p.comet], { timeout: 30_000 })).stdout.trim());
    say(`initialised ${n.moniker} at ${n.home}`);
  }
  const base = readGenesis(o.baseGenesis ?? DEFAULT_GENESIS_FILE);
  const genesis = assembleGenesis({
    base,
    chainId: o.chainId,
    genesisTime: new Date().toISOString(),
    validators,
    funds: o.funds,
  });
  for (const n of nodes) {
    const p = paths(n.home);
    writeGenesis(p.genesis, genesis);
    const peers = nodes
      .filter((m) => m.index !== n.index)
      .map((m) => `${nodeIds[m.index]}@${m.host}:${m.ports.p2p}`)
      .join(",");
    patchConfigFile(p.cometConfig, {
      "": {
        proxy_app: toml.str(abciAddress(n, o.abciTransport)),
        moniker: toml.str(n.moniker),
        log_level: toml.str(o.cometLogLevel ?? "info"),
      },
      rpc: { laddr: toml.str(`tcp://${n.host}:${n.ports.rpc}`), cors_allowed_origins: toml.strList(["*"]) },
      p2p: {
        laddr: toml.str(`tcp://${n.host}:${n.ports.p2p}`),
        persistent_peers: toml.str(peers),
        addr_book_strict: toml.bool(false),
        allow_duplicate_ip: toml.bool(true),
        pex: toml.bool(nodes.length > 1),
      },
      consensus: {
        timeout_commit: toml.str(o.timeoutCommit ?? "1s"),
        timeout_propose: toml.str(o.timeoutPropose ?? "3s"),
      },
      tx_index: { indexer: toml.str("kv") },
      // Throughput (issue #4): CometBFT's defaults (5,000 txs, 10,000-entry dedup cache) fill up
      // within seconds at 1–2k tx/s when a block takes longer than usual; a full mempool rejects
      // valid txs. 50,000 × ~300 B ≈ 15 MB.
      mempool: { size: toml.num(50_000), cache_size: toml.num(100_000) },
    });
    const settings: NodeSettings = {
      chainId: o.chainId,
      moniker: n.moniker,
      abci: abciAddress(n, o.abciTransport),
      metrics: o.metrics === false ? "" : `${n.host}:${n.ports.metrics}`,
      rpc: `http://${n.host}:${n.ports.rpc}`,
      p2p: `${n.host}:${n.ports.p2p}`,
    };
    writeSettings(n.home, settings);
  }
  const layout: NetworkLayout = { chainId: o.chainId, nodes };
  fs.writeFileSync(path.join(o.root, LAYOUT_FILE), JSON.stringify(layout, null, 2) + "\n");
  return layout;
}

// ------------------------------------------------------------------ processes

export type ProcName = "app" | "cometbft";

/** Every child we start, so an exiting parent never leaves cometbft or an app behind. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  liveChildren.add(child);
  child.once("exit", () => liveChildren.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const c of liveChildren) c.kill("SIGKILL");
    });
  }
}
/** SIGKILLs every child started by this process (test teardown, fatal errors). */
export function killAllChildren(): void {
  for (const c of liveChildren) c.kill("SIGKILL");
}

export interface RunnerOptions {
  readonly cometbft: string;
  readonly logger: Logger;
  /** Extra args for the app's `start` (e.g. ["--log-level", "debug"]). */
  readonly appArgs?: readonly string[];
  /** Extra Node.js flags for the app process (e.g. ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"]). */
  readonly appNodeArgs?: readonly string[];
  /** Extra environment variables for the CometBFT process (e.g. { GOMAXPROCS: "1" }). */
  readonly cometbftEnv?: Readonly<Record<string, string>>;
  /** Called when a process exits without being asked to. */
  readonly onUnexpectedExit?: (proc: ProcName, code: number | null, signal: string | null) => void;
}

/**
 * Node.js flags of the app process. A tx allocates many short-lived objects: a 32 MB young
 * generation (default 16 MB) cut CPU per tx by ~10% in every mode (pipeline-micro.ts, 2 alternated
 * pairs: CheckTx 554/696 → 497/490 µs, FinalizeBlock 438/430 → 378/390 µs, ReCheck 191/197 → 181/169 µs).
 * `--single-threaded-gc` (round 10): the main thread does all GC work itself; V8's parallel
 * scavenger and concurrent marker threads cost more CPU in all than they save on a box whose two
 * cores are already busy with CometBFT and the app (abci-replay.ts, 6 alternated pairs at load
 * 4–7: all 327 → 311 µs per block tx median, lower in every pair; test/bench/README.md (b) round 10).
 */
export const APP_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=32", "--single-threaded-gc"];

/** The two processes of one node, logs in <home>/logs/. */
export class NodeRunner {
  private procs: Partial<Record<ProcName, ChildProcess>> = {};
  private stopping = new Set<ProcName>();

  constructor(
    readonly spec: NodeSpec,
    private readonly o: RunnerOptions,
  ) {}

  get rpcUrl(): string {
    return `http://${this.spec.host}:${this.spec.ports.rpc}`;
  }

  pid(proc: ProcName): number | undefined {
    return this.procs[proc]?.pid;
  }

  isRunning(proc: ProcName): boolean {
    const c = this.procs[proc];
    return !!c && c.exitCode === null && c.signalCode === null;
  }

  startApp(): void {
    this.spawn("app", process.execPath, [...APP_NODE_FLAGS, ...(this.o.appNodeArgs ?? []), "--import", "tsx", MAIN_TS, "start", "--home", this.spec.home, "--log-format", "json", ...(this.o.appArgs ?? [])]);
  }

  startCometbft(): void {
    this.spawn("cometbft", this.o.cometbft, ["start", "--home", paths(this.spec.home).comet], this.o.cometbftEnv);
  }

  /** Starts the app, waits for its ABCI listener (the home's hashgrid.json says tcp or unix), then CometBFT. */
  async start(): Promise<void> {
    this.startApp();
    const settingsFile = paths(this.spec.home).settings;
    const abci = fs.existsSync(settingsFile) ? readSettings(this.spec.home).abci : "";
    const alive = () => this.isRunning("app");
    const tail = () => this.logTail("app");
    if (abci.startsWith("unix://")) await waitForUnixSocket(abci.slice("unix://".length), 60_000, alive, tail);
    else await waitForPort(this.spec.host, this.spec.ports.abci, 60_000, alive, tail);
    this.startCometbft();
  }

  private spawn(name: ProcName, cmd: string, args: string[], env?: Readonly<Record<string, string>>): void {
    if (this.isRunning(name)) throw new Error(`${name} of ${this.spec.moniker} is already running`);
    const logs = paths(this.spec.home).logs;
    fs.mkdirSync(logs, { recursive: true });
    const fd = fs.openSync(path.join(logs, `${name}.log`), "a");
    const child = spawn(cmd, args, { stdio: ["ignore", fd, fd], detached: true, cwd: path.resolve(__dirname, "..", ".."), env: env ? { ...process.env, ...env } : process.env });
    fs.closeSync(fd);
    if (child.pid) fs.writeFileSync(path.join(logs, `${name}.pid`), `${child.pid}\n`);
    track(child);
    this.procs[name] = child;
    this.stopping.delete(name);
    child.once("exit", (code, signal) => {
      if (!this.stopping.has(name)) this.o.onUnexpectedExit?.(name, code, signal);
    });
  }

  /** Sends `signal` and waits for the exit (SIGKILL after `graceMs`). */
  async kill(name: ProcName, signal: NodeJS.Signals = "SIGTERM", graceMs = 15_000): Promise<void> {
    const c = this.procs[name];
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    this.stopping.add(name);
    const exited = new Promise<void>((r) => c.once("exit", () => r()));
    c.kill(signal);
    const timer = setTimeout(() => c.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Graceful stop: CometBFT first (it stops calling the app), then the app (closes its store). */
  async stop(): Promise<void> {
    await this.kill("cometbft", "SIGTERM");
    await this.kill("app", "SIGTERM");
  }

  logTail(name: ProcName, lines = 30): string {
    const f = path.join(paths(this.spec.home).logs, `${name}.log`);
    if (!fs.existsSync(f)) return "";
    return fs.readFileSync(f, "utf8").split("\n").slice(-lines).join("\n");
  }
}

export async function waitForPort(host: string, port: number, timeoutMs: number, alive: () => boolean, tail: () => string): Promise<void> {
  const net = await import("node:net");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, host);
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (!alive()) throw new Error(`the app exited before listening on ${host}:${port}. Its log:\n${tail()}`);
    if (Date.now() > deadline) throw new Error(`the app did not listen on ${host}:${port} within ${timeoutMs} ms. Its log:\n${tail()}`);
    await sleep(100);
  }
}

/** Waits until a unix socket at `file` accepts connections (the app is listening). */
export async function waitForUnixSocket(file: string, timeoutMs: number, alive: () => boolean, tail: () => string): Promise<void> {
  const net = await import("node:net");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(file);
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (!alive()) throw new Error(`the app exited before listening on ${file}. Its log:\n${tail()}`);
    if (Date.now() > deadline) throw new Error(`the app did not listen on ${file} within ${timeoutMs} ms. Its log:\n${tail()}`);
    await sleep(100);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ RPC helpers

export interface Status {
  readonly height: number;
  readonly appHash: string;
  readonly catchingUp: boolean;
}

export async function rpcStatus(rpcUrl: string): Promise<Status | undefined> {
  try {
    const r = await fetch(`${rpcUrl}/status`, { signal: AbortSignal.timeout(2000) });
    const j = (await r.json()) as { result: { sync_info: { latest_block_height: string; latest_app_hash: string; catching_up: boolean } } };
    return { height: Number(j.result.sync_info.latest_block_height), appHash: j.result.sync_info.latest_app_hash, catchingUp: j.result.sync_info.catching_up };
  } catch {
    return undefined;
  }
}

export async function rpcGet<T = any>(rpcUrl: string, pathAndQuery: string): Promise<T> {
  const r = await fetch(`${rpcUrl}${pathAndQuery}`, { signal: AbortSignal.timeout(5000) });
  const j = (await r.json()) as { result?: T; error?: { message: string; data: string } };
  if (j.error) throw new Error(`RPC ${pathAndQuery}: ${j.error.message} ${j.error.data}`);
  return j.result as T;
}

/** Polls /status until the node reports `height` (throws with logs after `timeoutMs`). */
export async function waitForHeight(node: NodeRunner, height: number, timeoutMs: number): Promise<Status> {
  const deadline = Date.now() + timeoutMs;
  let last: Status | undefined;
  while (Date.now() < deadline) {
    last = (await rpcStatus(node.rpcUrl)) ?? last;
    if (last && last.height >= height) return last;
    await sleep(200);
  }
  throw new Error(
    `${node.spec.moniker} did not reach height ${height} within ${timeoutMs} ms (last: ${last?.height ?? "no RPC"}).\n` +
      `--- app log ---\n${node.logTail("app")}\n--- cometbft log ---\n${node.logTail("cometbft")}`,
  );
}

export async function resolveCometbft(logger: Logger): Promise<string> {
  return (await ensureCometbft({ say: (m) => logger.info(m) })).path;
}

export { readSettings };

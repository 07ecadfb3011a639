/**
 * Reusable e2e helper: a real CometBFT v0.38.25 network of Hashgrid nodes (app + CometBFT per
 * node) in a temp dir, found/installed exactly like `npm start` does (ensureCometbft).
 *
 *   const net = await startTestNet({ validators: 1, timeoutCommit: "200ms" });
 *   await net.waitForHeight(10);
 *   ... CosmJS against net.rpcUrl, chain id net.chainId, dev accounts funded (DEV_MNEMONIC) ...
 *   await net.stop();            // in afterAll; also removes the temp home unless keepHome
 *
 * Ports: a free block in 27000–27999 (node i: base + 10·i + {0 p2p, 1 rpc, 2 abci, 3 metrics}).
 * Every child process is SIGKILLed if the test process exits without stop().
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { Logger } from "../../../chain/app/types";
import { ensureCometbft } from "../../../chain/node/cometbft";
import { BASE_DENOM, DEV_ACCOUNT_BALANCE, deriveDevAccounts, DEV_MNEMONIC } from "../../../chain/node/devaccounts";
import type { Funding } from "../../../chain/node/genesis";
import { initNetwork, killAllChildren, NodeRunner, rpcGet, rpcStatus, waitForHeight, type Status } from "../../../chain/node/network";

export { DEV_MNEMONIC };

export interface TestNetOptions {
  readonly validators?: number;
  /** CometBFT consensus.timeout_commit (default "200ms"). */
  readonly timeoutCommit?: string;
  /** Root dir (default: a fresh temp dir). */
  readonly home?: string;
  readonly chainId?: string;
  /** Fund dev accounts 0–9 of DEV_MNEMONIC (default true) plus these. */
  readonly fundDevAccounts?: boolean;
  readonly funds?: readonly Funding[];
  /** Extra args to the app's `start` (e.g. ["--dev-extra-modules", file]). */
  readonly appArgs?: readonly string[];
  readonly keepHome?: boolean;
  /** Start the processes (default true); false = only initialise. */
  readonly start?: boolean;
}

export interface TestNet {
  readonly chainId: string;
  readonly home: string;
  readonly nodes: readonly NodeRunner[];
  /** RPC of node 0. */
  readonly rpcUrl: string;
  readonly devAddresses: readonly string[];
  waitForHeight(height: number, timeoutMs?: number, node?: number): Promise<Status>;
  status(node?: number): Promise<Status | undefined>;
  rpc<T = any>(pathAndQuery: string, node?: number): Promise<T>;
  /** Stops every process (gracefully) and removes the home unless keepHome. */
  stop(): Promise<void>;
}

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/** A base port in 27000–27999 whose next `count` ports are all free. */
export async function allocatePortBlock(count: number): Promise<number> {
  const span = Math.ceil(count / 10) * 10;
  const slots = Math.floor(1000 / span);
  const start = (process.pid * 7 + Date.now()) % slots;
  for (let k = 0; k < slots; k++) {
    const base = 27000 + ((start + k) % slots) * span;
    let ok = true;
    for (let p = base; p < base + count && ok; p++) ok = await portFree(p);
    if (ok) return base;
  }
  throw new Error("no free port block in 27000–27999");
}

export async function startTestNet(o: TestNetOptions = {}): Promise<TestNet> {
  const validators = o.validators ?? 1;
  const home = o.home ?? fs.mkdtempSync(path.join(os.tmpdir(), "hashgrid-e2e-"));
  const chainId = o.chainId ?? "hashgrid-e2e-1";
  const comet = await ensureCometbft({ say: () => {} });
  const dev = o.fundDevAccounts === false ? [] : await deriveDevAccounts(DEV_MNEMONIC);
  const funds: Funding[] = [
    ...dev.map((a) => ({ address: a.address, coins: [{ denom: BASE_DENOM, amount: DEV_ACCOUNT_BALANCE.toString() }] })),
    ...(o.funds ?? []),
  ];
  const basePort = await allocatePortBlock(validators * 10);
  const root = validators === 1 ? path.join(home, "node") : home;
  const layout = await initNetwork(
    { root, chainId, validators, basePort, timeoutCommit: o.timeoutCommit ?? "200ms", timeoutPropose: "1s", funds, cometLogLevel: "info" },
    comet.path,
  );
  const nodes = layout.nodes.map((spec) => new NodeRunner(spec, { cometbft: comet.path, logger: silentLogger, appArgs: o.appArgs }));
  const t: TestNet = {
    chainId,
    home,
    nodes,
    rpcUrl: nodes[0]!.rpcUrl,
    devAddresses: dev.map((a) => a.address),
    waitForHeight: (h, timeoutMs = 60_000, i = 0) => waitForHeight(nodes[i]!, h, timeoutMs),
    status: (i = 0) => rpcStatus(nodes[i]!.rpcUrl),
    rpc: (q, i = 0) => rpcGet(nodes[i]!.rpcUrl, q),
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
      killAllChildren();
      if (!o.keepHome && !o.home) fs.rmSync(home, { recursive: true, force: true });
    },
  };
  if (o.start !== false) {
    try {
      for (const n of nodes) await n.start();
    } catch (e) {
      await t.stop();
      throw e;
    }
  }
  return t;
}

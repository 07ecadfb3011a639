/**
 * `npm start`: a single-validator Hashgrid devnet under ./.devnet (HASHGRID_HOME overrides).
 * Installs CometBFT v0.38.25 when missing, initialises the home on first run (chain id
 * hashgrid-devnet-1, dev accounts 0–9 funded), starts the app and CometBFT, waits for blocks,
 * prints what a developer needs. Ctrl-C stops both; running again resumes; --reset starts fresh.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import type { Logger } from "../app/types";
import { ensureCometbft } from "./cometbft";
import { BASE_DENOM, DEV_ACCOUNT_BALANCE, DEV_MNEMONIC, deriveDevAccounts, devMnemonic } from "./devaccounts";
import { REPO_ROOT } from "./genesis";
import { createLogger } from "./log";
import { initNetwork, loadNetwork, networkExists, NodeRunner, rpcStatus, sleep, waitForHeight, type NetworkLayout } from "./network";

export const DEVNET_CHAIN_ID = "hashgrid-devnet-1";

export interface NetOptions {
  readonly home: string;
  readonly reset?: boolean;
  readonly validators: number;
  readonly chainId: string;
  readonly basePort: number;
  readonly distinctHosts: boolean;
  readonly timeoutCommit: string;
  readonly label: string;
}

/** Runs a local network in the foreground until Ctrl-C. */
export async function runNet(o: NetOptions, log: Logger = createLogger({ name: o.label, format: "pretty" })): Promise<void> {
  const home = path.resolve(o.home);
  const comet = await ensureCometbft({ say: (m) => log.info(m) });
  if (o.reset && fs.existsSync(home)) {
    log.info({ home }, "--reset: removing the previous chain");
    fs.rmSync(home, { recursive: true, force: true });
  }
  const accounts = await deriveDevAccounts(devMnemonic());
  let layout: NetworkLayout;
  if (networkExists(home)) {
    layout = loadNetwork(home);
    log.info({ home, chainId: layout.chainId }, `resuming the existing chain (${o.label === "devnet" ? "npm start -- --reset" : "--reset"} for a fresh one)`);
  } else {
    if (fs.existsSync(home) && fs.readdirSync(home).length > 0) {
      throw new Error(`${home} exists but holds no Hashgrid network: remove it or pass --reset`);
    }
    log.info({ home, chainId: o.chainId, validators: o.validators }, "initialising a new chain");
    layout = await initNetwork(
      {
        root: home,
        chainId: o.chainId,
        validators: o.validators,
        basePort: o.basePort,
        distinctHosts: o.distinctHosts,
        timeoutCommit: o.timeoutCommit,
        timeoutPropose: "2s",
        funds: accounts.map((a) => ({ address: a.address, coins: [{ denom: BASE_DENOM, amount: DEV_ACCOUNT_BALANCE.toString() }] })),
      },
      comet.path,
      (m) => log.info(m),
    );
  }
  let shuttingDown = false;
  const runners: NodeRunner[] = [];
  const stopAll = async (code: number): Promise<never> => {
    shuttingDown = true;
    await Promise.all(runners.map((r) => r.stop()));
    log.info(o.label === "devnet" ? "stopped; run `npm start` again to resume this chain" : `stopped; run the ${o.label} command again to resume this chain`);
    process.exit(code);
  };
  for (const spec of layout.nodes) {
    const r: NodeRunner = new NodeRunner(spec, {
      cometbft: comet.path,
      logger: log,
      onUnexpectedExit: (proc, code, signal) => {
        if (shuttingDown) return;
        log.error({ node: spec.moniker, proc, code, signal }, `${proc} of ${spec.moniker} exited unexpectedly; last log lines:\n${r.logTail(proc)}`);
        void stopAll(1);
      },
    });
    runners.push(r);
  }
  let firstSignalAt = 0;
  const onSignal = (sig: string): void => {
    // Under npm/tsx a terminal Ctrl-C arrives twice (from the terminal and relayed by the parent):
    // only a second signal more than a second later means "force".
    if (firstSignalAt && Date.now() - firstSignalAt < 1000) return;
    if (firstSignalAt) {
      log.warn("second interrupt: killing everything now");
      for (const r of runners) {
        void r.kill("cometbft", "SIGKILL");
        void r.kill("app", "SIGKILL");
      }
      process.exit(130);
    }
    firstSignalAt = Date.now();
    log.info(`${sig}: stopping CometBFT, then the app (Ctrl-C again to force)`);
    void stopAll(0);
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));

  for (const r of runners) await r.start();
  const first = runners[0]!;
  const before = (await rpcStatus(first.rpcUrl))?.height ?? 0;
  log.info("waiting for blocks...");
  const st = await waitForHeight(first, before + 2, 120_000);

  const lines = [
    "",
    `  Hashgrid ${o.label} is running — chain id ${layout.chainId}, height ${st.height}`,
    ...runners.map((r) => `  RPC   ${r.rpcUrl}   (${r.spec.moniker}; ABCI tcp://${r.spec.host}:${r.spec.ports.abci}; metrics http://${r.spec.host}:${r.spec.ports.metrics}/metrics)`),
    `  home  ${home}   (logs: ${o.validators === 1 ? path.join(home, "logs") : path.join(home, "node*", "logs")})`,
    "",
    `  Funded dev accounts (${Number(DEV_ACCOUNT_BALANCE / 1_000_000n).toLocaleString("en-US")} GRID each, m/44'/118'/0'/0/i):`,
    ...accounts.map((a) => `    ${String(a.index).padStart(2)}  ${a.address}`),
    "",
    devMnemonic() === DEV_MNEMONIC
      ? "  Dev mnemonic (PUBLIC, INSECURE — local testing only): see README.md or HASHGRID_DEV_MNEMONIC"
      : "  Dev accounts derived from HASHGRID_DEV_MNEMONIC",
    o.label === "devnet"
      ? "  Ctrl-C stops the chain; `npm start` resumes it; `npm start -- --reset` starts a fresh one."
      : `  Ctrl-C stops the chain; running ${o.label} again resumes it; --reset starts a fresh one.`,
    "",
  ];
  process.stdout.write(lines.join("\n") + "\n");

  let lastLogged = st.height;
  for (;;) {
    await sleep(10_000);
    if (shuttingDown) return;
    const s = await rpcStatus(first.rpcUrl);
    if (s && s.height !== lastLogged) {
      log.info({ height: s.height, appHash: s.appHash }, "chain progressing");
      lastLogged = s.height;
    }
  }
}

export function devnetOptions(opts: { home?: string; reset?: boolean }): NetOptions {
  return {
    home: opts.home ?? process.env.HASHGRID_HOME ?? path.join(REPO_ROOT, ".devnet"),
    reset: opts.reset,
    validators: 1,
    chainId: DEVNET_CHAIN_ID,
    basePort: 26656,
    distinctHosts: false,
    timeoutCommit: "1s",
    label: "devnet",
  };
}

export function localnetOptions(opts: { home?: string; reset?: boolean; validators?: string; basePort?: string }): NetOptions {
  const n = Number(opts.validators ?? 4);
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new Error(`--validators must be an integer between 1 and 50 (got ${opts.validators})`);
  return {
    home: opts.home ?? path.join(REPO_ROOT, ".localnet"),
    reset: opts.reset,
    validators: n,
    chainId: "hashgrid-localnet-1",
    basePort: Number(opts.basePort ?? 26600),
    distinctHosts: true,
    timeoutCommit: "1s",
    label: "localnet",
  };
}

if (require.main === module) {
  const program = new Command("devnet")
    .description("run a single-validator Hashgrid devnet")
    .option("--home <dir>", "devnet home (default ./.devnet or $HASHGRID_HOME)")
    .option("--reset", "delete the previous devnet and start a fresh chain")
    .action(async (opts: { home?: string; reset?: boolean }) => runNet(devnetOptions(opts)));
  program.parseAsync(process.argv).catch((e: Error) => {
    console.error(`\nerror: ${e.message}`);
    process.exit(1);
  });
}

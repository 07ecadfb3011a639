/**
 * Node-side commands: start, init, export, validate-genesis, devnet, localnet. Mounted by the
 * `hashgrid` CLI (client/cli/main.ts) and by the standalone chain/node/main.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, Option } from "commander";
import { ModuleManager } from "../app/manager";
import { validateAppState } from "../app/genesis";
import { buildModules } from "../app/wiring";
import type { Module } from "../app/types";
import { ensureCometbft } from "./cometbft";
import { paths } from "./config";
import { BASE_DENOM, DEV_ACCOUNT_BALANCE, deriveDevAccounts, devMnemonic } from "./devaccounts";
import { devnetOptions, localnetOptions, runNet } from "./devnet";
import { exportGenesis } from "./export";
import { DEFAULT_GENESIS_FILE, readGenesis, REPO_ROOT } from "./genesis";
import { createLogger, type LogFormat } from "./log";
import { initNetwork } from "./network";
import { startNode } from "./start";

const logOptions = (c: Command): Command =>
  c
    .addOption(new Option("--log-level <level>", "trace|debug|info|warn|error").default(process.env.HASHGRID_LOG_LEVEL ?? "info"))
    .addOption(new Option("--log-format <format>", "pretty (terminal) or json").choices(["pretty", "json"]));

const defaultHome = (): string => process.env.HASHGRID_HOME ?? path.join(REPO_ROOT, ".devnet");

export function registerNodeCommands(program: Command): void {
  logOptions(
    program
      .command("start")
      .description("run the Hashgrid ABCI app for the CometBFT node of <home> (start CometBFT beside it: cometbft start --home <home>/cometbft)")
      .option("--home <dir>", "node home (default ./.devnet or $HASHGRID_HOME)")
      .option("--abci <address>", "listen address for CometBFT's proxy_app: tcp://host:port or unix:///path (default: from <home>/hashgrid.json)")
      .option("--metrics <host:port>", 'Prometheus endpoint ("" disables; default: from <home>/hashgrid.json)')
      .option("--min-retain-blocks <n>", "let CometBFT prune blocks older than n (0 keeps all)")
      .option("--pruning-keep-recent <n>", "app state versions to keep (default 100; 0 keeps all)")
      .addOption(new Option("--dev-extra-modules <file>", "TEST/DEV ONLY: also run the modules exported as `modules` by this file (changes the AppHash)").hideHelp()),
  ).action(async (o: { home?: string; abci?: string; metrics?: string; minRetainBlocks?: string; pruningKeepRecent?: string; devExtraModules?: string; logLevel: string; logFormat?: LogFormat }) => {
    const logger = createLogger({ level: o.logLevel, format: o.logFormat });
    const home = path.resolve(o.home ?? defaultHome());
    const node = await startNode({
      home,
      logger,
      abci: o.abci,
      metrics: o.metrics,
      minRetainBlocks: o.minRetainBlocks !== undefined ? Number(o.minRetainBlocks) : undefined,
      keepRecent: o.pruningKeepRecent !== undefined ? Number(o.pruningKeepRecent) : undefined,
      extraModules: o.devExtraModules ? loadExtraModules(o.devExtraModules) : undefined,
    });
    let firstSignalAt = 0;
    const shutdown = (sig: string): void => {
      if (firstSignalAt && Date.now() - firstSignalAt < 1000) return; // the same Ctrl-C relayed by npm/tsx
      if (firstSignalAt) process.exit(130);
      firstSignalAt = Date.now();
      logger.info(`${sig}: shutting down (finishing any in-flight Commit)`);
      node.stop().then(
        () => process.exit(0),
        (e: Error) => {
          logger.error({ err: e.message }, "shutdown failed");
          process.exit(1);
        },
      );
    };
    process.on("SIGINT", () => shutdown("SIGINT"));
    process.on("SIGTERM", () => shutdown("SIGTERM"));
  });

  program
    .command("init")
    .description("initialise a single-validator node home: CometBFT keys and config, genesis from genesis.json, dev accounts funded")
    .option("--home <dir>", "node home (default ./.devnet or $HASHGRID_HOME)")
    .option("--chain-id <id>", "chain id", "hashgrid-devnet-1")
    .option("--genesis <file>", "base genesis (default: the repository's genesis.json)")
    .option("--no-fund-dev-accounts", "do not fund dev accounts 0-9")
    .option("--base-port <port>", "p2p port; rpc = +1, abci = +2, metrics = +3", "26656")
    .action(async (o: { home?: string; chainId: string; genesis?: string; fundDevAccounts: boolean; basePort: string }) => {
      const home = path.resolve(o.home ?? defaultHome());
      const comet = await ensureCometbft();
      const funds = o.fundDevAccounts
        ? (await deriveDevAccounts(devMnemonic())).map((a) => ({ address: a.address, coins: [{ denom: BASE_DENOM, amount: DEV_ACCOUNT_BALANCE.toString() }] }))
        : [];
      await initNetwork({ root: home, chainId: o.chainId, validators: 1, basePort: Number(o.basePort), funds, baseGenesis: o.genesis }, comet.path, (m) => console.log(m));
      console.log(`initialised ${home}\n  start the app:      hashgrid start --home ${home}\n  start CometBFT:     ${comet.path} start --home ${paths(home).comet}`);
    });

  program
    .command("export")
    .description("write the committed state of a STOPPED node as a genesis that InitChain accepts (initial_height = height + 1)")
    .option("--home <dir>", "node home (default ./.devnet or $HASHGRID_HOME)")
    .option("-o, --output <file>", "write here instead of stdout")
    .action(async (o: { home?: string; output?: string }) => {
      const home = path.resolve(o.home ?? defaultHome());
      const logger = createLogger({ level: "warn", format: "pretty", destination: 2 });
      const doc = await exportGenesis(home, logger);
      const text = JSON.stringify(doc, null, 2) + "\n";
      if (o.output) {
        fs.writeFileSync(o.output, text);
        console.error(`exported height ${Number(doc.initial_height) - 1} of ${doc.chain_id} to ${o.output}`);
      } else process.stdout.write(text);
    });

  program
    .command("validate-genesis")
    .description("check a genesis file's app_state against every wired module (default: the repository's genesis.json)")
    .argument("[file]", "genesis file", DEFAULT_GENESIS_FILE)
    .action((file: string) => {
      const doc = readGenesis(file);
      const logger = createLogger({ level: "warn", format: "pretty", destination: 2 });
      const w = buildModules({ logger });
      const v = validateAppState(new ModuleManager(w.modules, w.order), doc.app_state);
      console.log(`${file}: valid (modules: ${v.sections.map(([n]) => n).join(", ") || "none wired"}${v.ignored.length ? `; sections without a wired module, ignored: ${v.ignored.join(", ")}` : ""})`);
    });

  program
    .command("install-cometbft")
    .description("find CometBFT v0.38.25 (PATH, then $(go env GOPATH)/bin) or build it with go install; prints its path")
    .action(async () => {
      const c = await ensureCometbft();
      console.log(c.path);
    });

  program
    .command("devnet")
    .description("run a single-validator devnet (what `npm start` does)")
    .option("--home <dir>", "devnet home (default ./.devnet or $HASHGRID_HOME)")
    .option("--reset", "delete the previous devnet and start a fresh chain")
    .action((o: { home?: string; reset?: boolean }) => runNet(devnetOptions(o)));

  program
    .command("localnet")
    .description("run N validators on 127.0.0.1..N with separate homes under ./.localnet")
    .option("--validators <n>", "number of validators", "4")
    .option("--home <dir>", "root of the node homes (default ./.localnet)")
    .option("--base-port <port>", "node i uses base + 10·i (+0 p2p, +1 rpc, +2 abci, +3 metrics)", "26600")
    .option("--reset", "delete the previous localnet and start a fresh chain")
    .action((o: { home?: string; reset?: boolean; validators?: string; basePort?: string }) => runNet(localnetOptions(o)));
}

function loadExtraModules(file: string): Module[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.resolve(file)) as { modules?: Module[] };
  if (!Array.isArray(mod.modules)) throw new Error(`${file} must export \`modules: Module[]\``);
  return mod.modules;
}

/** Runs a commander program, turning errors into one readable line and exit code 1. */
export function runProgram(program: Command, argv: string[] = process.argv): void {
  program.parseAsync(argv).catch((e: Error) => {
    console.error(`\nerror: ${e.message}`);
    process.exit(1);
  });
}

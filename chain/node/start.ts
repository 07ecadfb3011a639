/**
 * Running the app process: open the store, build the App from chain/app/wiring.ts, serve ABCI
 * and Prometheus metrics, shut down cleanly on SIGINT/SIGTERM.
 */
import * as http from "node:http";
import * as fs from "node:fs";
import { AbciServer } from "../abci";
import { App, appStoreNames } from "../app/app";
import { LateRouter, ModuleManager } from "../app/manager";
import { AppMetrics } from "../app/metrics";
import type { Logger, Module } from "../app/types";
import { buildModules, buildTxRunner } from "../app/wiring";
import { buildTxPrefetcher } from "../app/prefetch";
import { openMultiStore, type CommitMultiStore } from "../store";
import { paths, readSettings } from "./config";
import { completePrefixesFor } from "./storeranges";
import { checkIndexEvents, DEFAULT_INDEX_EVENTS } from "../app/indexevents";

export interface OpenAppOptions {
  readonly dataDir: string;
  readonly logger: Logger;
  readonly metrics?: AppMetrics;
  readonly minRetainBlocks?: number;
  readonly keepRecent?: number;
  /** Live store trees on the node arena (InternalStoreOptions.arena; hashgrid.json "storeArena"). */
  readonly storeArena?: boolean;
  /** Inner nodes hashed on a worker thread (InternalStoreOptions.hashWorker; hashgrid.json "storeHashWorker"). */
  readonly storeHashWorker?: boolean;
  /** Read-ahead of seen txs' keys (chain/app/prefetch.ts; hashgrid.json "storePrefetch", default false). */
  readonly storePrefetch?: boolean;
  /** Event attributes to index (see chain/app/indexevents.ts); undefined keeps the emitters' flags. */
  readonly indexEvents?: readonly string[];
  /** Modules appended after the wired ones (tests/experiments: `start --dev-extra-modules <file>`). */
  readonly extraModules?: readonly Module[];
}

/** Opens the store and builds the App exactly as a node runs it. */
export async function openApp(o: OpenAppOptions): Promise<{ app: App; store: CommitMultiStore; manager: ModuleManager }> {
  // `router` routes to every wired module once bound below; wiring.ts can declare
  // `router?: MsgRouter` in WiringOptions and hand it to gov-like modules (nested message execution).
  const router = new LateRouter();
  const wiringOptions = { logger: o.logger, router };
  const wiring = buildModules(wiringOptions);
  const manager = new ModuleManager([...wiring.modules, ...(o.extraModules ?? [])], o.extraModules?.length ? undefined : wiring.order);
  router.bind(manager);
  const txRunner = buildTxRunner({ router: manager, modules: manager.modules, logger: o.logger });
  fs.mkdirSync(o.dataDir, { recursive: true });
  let store: CommitMultiStore;
  try {
    const storeNames = appStoreNames(manager);
    const completePrefixes = completePrefixesFor(storeNames);
    store = await openMultiStore({ dir: o.dataDir, storeNames, keepRecent: o.keepRecent, arena: o.storeArena, hashWorker: o.storeHashWorker, completePrefixes });
  } catch (e) {
    const msg = (e as Error).message;
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as { code?: string }).code;
    if (cause === "LEVEL_LOCKED" || /lock/i.test(msg)) {
      throw new Error(`the app database ${o.dataDir} is locked: another Hashgrid app is running on this home; stop it first`);
    }
    throw new Error(`cannot open the app database ${o.dataDir}: ${msg}`);
  }
  const prefetch = o.storePrefetch === true ? buildTxPrefetcher(store, txRunner) : undefined;
  const app = new App({ store, manager, txRunner, logger: o.logger, metrics: o.metrics, minRetainBlocks: o.minRetainBlocks, indexEvents: o.indexEvents, prefetch });
  return { app, store, manager };
}

export interface StartOptions {
  readonly home: string;
  readonly logger: Logger;
  /** Overrides of the home's hashgrid.json. */
  readonly abci?: string;
  readonly metrics?: string;
  readonly minRetainBlocks?: number;
  readonly keepRecent?: number;
  readonly extraModules?: readonly Module[];
}

export interface RunningNode {
  readonly app: App;
  readonly abciPort?: number;
  stop(): Promise<void>;
}

export async function startNode(o: StartOptions): Promise<RunningNode> {
  const settings = fs.existsSync(paths(o.home).settings) ? readSettings(o.home) : undefined;
  const abci = o.abci ?? settings?.abci ?? "tcp://127.0.0.1:26658";
  const metricsAddr = o.metrics ?? settings?.metrics ?? "";
  const metrics = new AppMetrics({ defaultMetrics: true });
  // One labelled child per ABCI method, looked up once (CheckTx calls this thousands of times a second).
  const abciSecondsByMethod = new Map<string, { observe(v: number): void }>();
  const abciSecondsOf = (method: string): { observe(v: number): void } => {
    let h = abciSecondsByMethod.get(method);
    if (!h) abciSecondsByMethod.set(method, (h = metrics.abciSeconds.labels({ method })));
    return h;
  };
  const { app, store } = await openApp({
    dataDir: paths(o.home).appData,
    logger: o.logger,
    metrics,
    minRetainBlocks: o.minRetainBlocks ?? settings?.minRetainBlocks,
    // A node indexes Hashgrid's default attribute set unless hashgrid.json lists its own ([] = all).
    indexEvents: settings?.indexEvents !== undefined ? checkIndexEvents(settings.indexEvents) : DEFAULT_INDEX_EVENTS,
    keepRecent: o.keepRecent,
    storeArena: settings?.storeArena,
    storeHashWorker: settings?.storeHashWorker,
    storePrefetch: settings?.storePrefetch,
    extraModules: o.extraModules,
  });
  const last = store.lastCommit;
  o.logger.info({ home: o.home, height: last.version, appHash: Buffer.from(last.appHash).toString("hex") }, "app state opened");
  const server = new AbciServer({
    address: abci,
    app,
    logger: o.logger,
    onRequest: (method, seconds) => abciSecondsOf(method).observe(seconds),
  });
  try {
    await server.listen();
  } catch (e) {
    await store.close();
    throw e;
  }
  let httpServer: http.Server | undefined;
  if (metricsAddr) {
    const i = metricsAddr.lastIndexOf(":");
    const host = metricsAddr.slice(0, i) || "0.0.0.0";
    const port = Number(metricsAddr.slice(i + 1));
    httpServer = http.createServer((req, res) => {
      if (req.url !== "/metrics") {
        res.writeHead(404).end("see /metrics\n");
        return;
      }
      metrics.registry.metrics().then(
        (body) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(body),
        (err: Error) => res.writeHead(500).end(err.message),
      );
    });
    await new Promise<void>((resolve) => {
      httpServer!.once("error", (e) => {
        o.logger.warn({ err: (e as Error).message }, `metrics endpoint ${metricsAddr} unavailable; continuing without it`);
        httpServer = undefined;
        resolve();
      });
      httpServer!.listen(port, host, () => {
        o.logger.info({ address: `http://${host}:${port}/metrics` }, "Prometheus metrics endpoint");
        resolve();
      });
    });
  }
  let stopped: Promise<void> | undefined;
  return {
    app,
    abciPort: server.port,
    stop: () =>
      (stopped ??= (async () => {
        await server.close(); // waits for an in-flight Commit
        if (httpServer) await new Promise<void>((r) => httpServer!.close(() => r()));
        await store.close();
        o.logger.info({ height: store.lastCommit.version }, "app stopped");
      })()),
  };
}

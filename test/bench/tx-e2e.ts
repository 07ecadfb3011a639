/**
 * Benchmark (b), end to end through a real CometBFT v0.38 node: the Hashgrid app and CometBFT run
 * as separate processes (chain/node: `hashgrid start` + `cometbft start`), this process streams
 * pre-signed MsgSends with broadcast_tx_async at a fixed offered rate (open loop), watches blocks,
 * and reports committed tx/s computed from block data and broadcast→commit latency (p50/p95).
 *
 *   npm run bench:e2e                                    # 2,500 tx/s offered for 60 s, 10,000 accounts
 *   BENCH_RATE=1000 BENCH_SECONDS=20 BENCH_ACCOUNTS=4000 npm run bench:e2e     # quick run
 *   BENCH_INDEXER=null BENCH_TIMEOUT_COMMIT=1s BENCH_RECHECK=false ...         # CometBFT knobs (defaults kv, 500ms, true)
 *   BENCH_TRANSPORT=ws|http (default ws: one broadcast_tx_async per websocket message on BENCH_CONNECTIONS=8 sockets;
 *   http: JSON-RPC batches of BENCH_BATCH txs, default 10, over 8 keep-alive connections), BENCH_PROFILE=1 (app .cpuprofile in .bench/e2e-prof),
 *   BENCH_APP_NODE_ARGS="--max-semi-space-size=32", BENCH_EVENT_BUS=N, BENCH_COMET_LOG=info, BENCH_KEEP=1,
 *   BENCH_INDEX_EVENTS=all (every attribute indexed, as before the node's default set), BENCH_PPROF=20 (CometBFT CPU profile of 20 s via rpc.pprof_laddr, in .bench/e2e-prof)
 *
 * Also prints the CPU each process used (cores busy, µs per committed tx) from /proc — the app,
 * CometBFT and this load generator share the machine's cores.
 *
 * Latency = (client time when the block containing the tx is first seen) − (client time of its broadcast).
 * Committed tx/s = Σ num_txs of the blocks of the measurement window ÷ (last − first block time).
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { ensureCometbft } from "../../chain/node/cometbft";
import { paths, patchConfigFile, readSettings, toml, writeSettings } from "../../chain/node/config";
import { initNetwork, killAllChildren, NodeRunner, waitForHeight } from "../../chain/node/network";
import { moduleAddress, toBech32 } from "../../chain/crypto/address";
import { buildSignedTx, keyFromSeed, msgSend, silent, type Key } from "../helpers/txkit";
import { freePort } from "../e2e/helpers/txnet";
import { WsRpc } from "./ws-rpc";

const RATE = Number(process.env.BENCH_RATE ?? 2500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 10_000);
const TIMEOUT_COMMIT = process.env.BENCH_TIMEOUT_COMMIT ?? "500ms";
const INDEXER = process.env.BENCH_INDEXER ?? "kv";
const RECHECK = process.env.BENCH_RECHECK ?? "true";
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const PROFILE = !!process.env.BENCH_PROFILE;
/** Txs per JSON-RPC batch; above CometBFT's default max_request_batch_size (10) the node is configured to allow it. */
const BATCH = Math.max(1, Number(process.env.BENCH_BATCH ?? 10));
/**
 * BENCH_TRANSPORT=ws (default): broadcast_tx_async requests over BENCH_CONNECTIONS websockets to /websocket, one request
 * per message (CometBFT's websocket endpoint takes no batches); http: JSON-RPC batches of BENCH_BATCH over HTTP POST.
 * On the 2-core box ws cost 12–15% less CPU per committed tx over all three processes, CometBFT's flush-timer spin about half
 * (test/bench/README.md (b) round 5); past saturation ws gets no back-pressure from CometBFT (HTTP calls block while the mempool is locked).
 */
const TRANSPORT = process.env.BENCH_TRANSPORT === "http" ? "http" : "ws";
const CHAIN_ID = "hashgrid-bench-e2e-1";
/** BENCH_PPROF=<seconds>: CometBFT CPU profile of that many seconds, started 5 s into the send phase (.bench/e2e-prof/cometbft-*.pprof). */
const PPROF_SECS = Number(process.env.BENCH_PPROF ?? 0);
/** BENCH_INDEX_EVENTS=all: the app marks every event attribute for indexing (SDK default; the node default is a set). */
const INDEX_EVENTS = process.env.BENCH_INDEX_EVENTS ?? "default";
/** BENCH_ABCI=tcp|unix: how CometBFT reaches the app (chain/node/network.ts abciTransport). */
const ABCI = process.env.BENCH_ABCI === "unix" ? "unix" : "tcp";
/** BENCH_COMET_ENV="GOGC=200 GOMAXPROCS=1": extra environment of the CometBFT process (Go runtime knobs). */
const COMET_ENV: Record<string, string> = Object.fromEntries(
  (process.env.BENCH_COMET_ENV ?? "")
    .split(" ")
    .filter((kv) => kv.includes("="))
    .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function basePort(): Promise<number> {
  // 4 consecutive free ports in the e2e range 28000-28999.
  for (let tries = 0; tries < 200; tries++) {
    const b = 28000 + 10 * Math.floor(Math.random() * 99);
    const ok = await Promise.all([0, 1, 2, 3].map((i) => isFree(b + i)));
    if (ok.every(Boolean)) return b;
  }
  return (await freePort()) - 2;
}

async function isFree(port: number): Promise<boolean> {
  const net = await import("node:net");
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const comet = await ensureCometbft({ say: (m) => console.log(m) });
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "hashgrid-bench-e2e-"));
  const total = Math.ceil(RATE * SECONDS);
  console.log(`bench:e2e offered ${RATE} tx/s for ${SECONDS} s (${total} txs) from ${ACCOUNTS} accounts; ${TRANSPORT === "ws" ? `websocket, ${CONNECTIONS} connections` : `HTTP, batches of ${BATCH}`}; timeout_commit=${TIMEOUT_COMMIT} indexer=${INDEXER} index-events=${INDEX_EVENTS} recheck=${RECHECK} abci=${ABCI} cometbft env=${JSON.stringify(COMET_ENV)}; home ${root}`);

  const keys: Key[] = Array.from({ length: ACCOUNTS }, (_, i) => keyFromSeed(`e2e-bench-${i}`));
  const base = await basePort();
  const layout = await initNetwork(
    {
      root,
      chainId: CHAIN_ID,
      validators: 1,
      basePort: base,
      timeoutCommit: TIMEOUT_COMMIT,
      cometLogLevel: process.env.BENCH_COMET_LOG ?? "error",
      metrics: false,
      abciTransport: ABCI,
      // 10 GRID each: ~40,000 txs of 251 ugrid; genesis funding comes out of the community pool's 40M GRID.
      funds: keys.map((k) => ({ address: k.address, coins: [{ denom: "ugrid", amount: "10000000" }] })),
    },
    comet.path,
  );
  const spec = layout.nodes[0];
  if (INDEX_EVENTS === "all") writeSettings(spec.home, { ...readSettings(spec.home), indexEvents: [] });
  // BENCH_PREFETCH=1: the node reads seen txs' keys ahead of their block (hashgrid.json "storePrefetch", off by default).
  if (process.env.BENCH_PREFETCH !== undefined) writeSettings(spec.home, { ...readSettings(spec.home), storePrefetch: process.env.BENCH_PREFETCH !== "0" });
  if (process.env.BENCH_ARENA !== undefined) writeSettings(spec.home, { ...readSettings(spec.home), storeArena: process.env.BENCH_ARENA === "1" });
  patchConfigFile(paths(spec.home).cometConfig, {
    mempool: {
      size: "200000",
      max_txs_bytes: "1073741824",
      cache_size: "300000",
      recheck: RECHECK === "false" ? "false" : "true",
    },
    tx_index: { indexer: toml.str(INDEXER) },
    rpc: { max_open_connections: "2000", max_subscription_clients: "10", max_request_batch_size: toml.num(Math.max(10, BATCH)), ...(PPROF_SECS > 0 ? { pprof_laddr: toml.str(`127.0.0.1:${base + 5}`) } : {}) },
    "": { event_bus_buffer_capacity: process.env.BENCH_EVENT_BUS ?? "0" },
  });

  // Account numbers: genesis gives funded accounts numbers after the module accounts, in genesis order.
  // Read them back from the app once it runs (one query per account would be slow: derive instead).
  const profDir = path.resolve(".bench", "e2e-prof");
  if (PROFILE || PPROF_SECS > 0) fs.mkdirSync(profDir, { recursive: true });
  const node = new NodeRunner(spec, { cometbft: comet.path, logger: silent, cometbftEnv: COMET_ENV, appNodeArgs: [...(PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : []), ...(process.env.BENCH_APP_NODE_ARGS ?? "").split(" ").filter(Boolean)] });
  const stop = async () => {
    await node.stop().catch(() => undefined);
    killAllChildren();
  };
  process.on("SIGINT", () => void stop().then(() => process.exit(130)));
  try {
    await node.start();
    await waitForHeight(node, 2, 120_000);
    const rpc = node.rpcUrl;
    const numbers = await accountNumbers(rpc, keys);

    // Pre-sign: account i sends its j-th tx with sequence j; stream order interleaves accounts so
    // consecutive txs of one account are ACCOUNTS apart (no reordering across connections).
    const t0 = process.hrtime.bigint();
    const sink = toBech32(moduleAddress("bench-sink")); // a fresh plain account (created on first receipt)
    // Pre-encoded: each tx's JSON-RPC request object (the sender only joins strings), and base64 → index for the
    // block watcher (no base64 decode + sha256 per committed tx): the load generator's CPU counts in the per-tx total.
    const txs: { b64: string; rpc: string }[] = new Array(total);
    const indexOf = new Map<string, number>();
    for (let k = 0; k < total; k++) {
      const i = k % ACCOUNTS;
      const seq = BigInt(Math.floor(k / ACCOUNTS));
      const to = i % 2 ? keys[(i + 1) % ACCOUNTS].address : sink;
      const bytes = buildSignedTx({ key: keys[i], msgs: [msgSend(keys[i].address, to, 1n)], chainId: CHAIN_ID, accountNumber: numbers[i], sequence: seq, fee: { amount: [{ denom: "ugrid", amount: "250" }], gasLimit: 100_000n } }).bytes;
      const b64 = Buffer.from(bytes).toString("base64");
      txs[k] = { b64, rpc: `{"jsonrpc":"2.0","id":${k},"method":"broadcast_tx_async","params":{"tx":"${b64}"}}` };
      indexOf.set(b64, k);
    }
    console.log(`pre-signed ${total} txs in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`);

    const sentAt = new Float64Array(total).fill(NaN); // by tx index
    const committedAt = new Float64Array(total).fill(NaN);
    let committedCount = 0;
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const url = new URL(rpc);
    let rejected = 0;
    let rpcErrors = 0;
    let firstErr = "";
    const post = (body: string) =>
      new Promise<string>((resolve, reject) => {
        const req = http.request({ host: url.hostname, port: url.port, path: "/", method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => resolve(Buffer.concat(chunks).toString()));
        });
        req.on("error", reject);
        req.end(body);
      });
    // BENCH_TRANSPORT=ws: CONNECTIONS websockets, used round robin; a "batch" is that many messages on one of them.
    const sockets = TRANSPORT === "ws" ? await Promise.all(Array.from({ length: CONNECTIONS }, () => WsRpc.open(url))) : [];
    let rr = 0;
    const send = (body: string[]): Promise<string> =>
      TRANSPORT === "ws" ? sockets[rr++ % sockets.length]!.call(body) : post(body.length > 1 ? `[${body.join(",")}]` : body[0]!);

    // Block watcher.
    let watching = true;
    const startHeight = (await rpcJson(rpc, "status")).sync_info.latest_block_height as string;
    let seen = Number(startHeight);
    const blocks: { height: number; time: string; n: number }[] = [];
    const watcher = (async () => {
      while (watching) {
        const h = Number((await rpcJson(rpc, "status")).sync_info.latest_block_height);
        while (seen < h) {
          seen++;
          const b = await rpcJson(rpc, "block", { height: String(seen) });
          const now = performance.now();
          const list: string[] = b.block.data.txs ?? [];
          for (const t of list) {
            const k = indexOf.get(t);
            if (k !== undefined && Number.isNaN(committedAt[k]!)) {
              committedAt[k] = now;
              committedCount++;
            }
          }
          blocks.push({ height: seen, time: b.block.header.time, n: list.length });
        }
        await sleep(100);
      }
    })();

    // Sanity check: the first tx through broadcast_tx_sync must pass CheckTx.
    const check = await rpcJson(rpc, "broadcast_tx_sync", { tx: txs[0].b64 });
    if (check.code !== 0) throw new Error(`the first pre-signed tx fails CheckTx: code ${check.code} ${check.codespace}: ${check.log}`);
    sentAt[0] = performance.now();

    // Open-loop sender at RATE tx/s.
    const cpu0 = cpuSnapshot(node);
    const tStart = performance.now();
    const pprof = PPROF_SECS > 0 ? cometPprof(`http://127.0.0.1:${base + 5}`, PPROF_SECS, path.join(profDir, `cometbft-${RATE}-${Date.now()}.pprof`)) : undefined;
    let inflight = 0;
    let next = 1;
    // One JSON-RPC batch (≤ BATCH txs, CometBFT's rpc.max_request_batch_size) per HTTP request.
    const sendBatch = async (from: number, to: number) => {
      inflight++;
      const body: string[] = [];
      const now = performance.now();
      for (let k = from; k < to; k++) {
        sentAt[k] = now;
        body.push(txs[k].rpc);
      }
      try {
        const text = await send(body);
        // All accepted (every result says "code":0, no "error"): count without parsing.
        if (!text.includes('"error"') && text.split('"code":0,').length - 1 === to - from) return;
        const parsed = JSON.parse(TRANSPORT === "ws" ? `[${text}]` : text);
        for (const r of Array.isArray(parsed) ? parsed : [parsed]) {
          if (r.error) {
            rpcErrors++;
            firstErr ||= JSON.stringify(r.error).slice(0, 200);
          } else if (r.result?.code) rejected++;
        }
      } catch (e) {
        rpcErrors += to - from;
        firstErr ||= (e as Error).message;
      } finally {
        inflight--;
      }
    };
    while (next < total) {
      const due = Math.min(total, Math.floor(((performance.now() - tStart) / 1000) * RATE));
      while (next < due && inflight < 4 * CONNECTIONS * 64) {
        const to = Math.min(due, next + BATCH);
        void sendBatch(next, to);
        next = to;
      }
      await sleep(5);
    }
    const sendSecs = (performance.now() - tStart) / 1000;
    while (inflight > 0) await sleep(10);
    if (pprof) console.log(`cometbft CPU profile: ${await pprof} (go tool pprof -top <file>)`);
    console.log(`sent ${total} txs in ${sendSecs.toFixed(1)} s (${Math.round(total / sendSecs)} tx/s offered); rpc errors ${rpcErrors}${firstErr ? ` (${firstErr})` : ""}`);
    // Drain: wait until everything committed or 30 s without progress.
    let last = -1;
    let still = 0;
    while (committedCount < total && still < 30) {
      await sleep(1000);
      if (committedCount === last) still++;
      else still = 0;
      last = committedCount;
    }
    watching = false;
    for (const ws of sockets) ws.close();
    await watcher;
    if (committedCount < total) {
      // Still waiting in the mempool, or dropped (a failed CheckTx/ReCheck: broadcast_tx_async does not report it)?
      const u = await rpcJson(rpc, "num_unconfirmed_txs");
      console.log(`not committed: ${total - committedCount} txs; mempool holds ${u.n_txs}`);
    }
    const cpu1 = cpuSnapshot(node);
    const wall = (cpu1.at - cpu0.at) / 1000;
    const share = (k: "app" | "cometbft" | "bench") => `${((cpu1[k] - cpu0[k]) / wall).toFixed(2)} cores (${Math.round(((cpu1[k] - cpu0[k]) / Math.max(1, committedCount)) * 1e6)} µs/tx)`;
    const load = os.loadavg().map((l) => l.toFixed(2)).join(" ");
    console.log(`CPU over ${wall.toFixed(1)} s (send+drain), per committed tx: app ${share("app")}, cometbft ${share("cometbft")}, load generator ${share("bench")}; load average ${load}`);

    const lat: number[] = [];
    for (let k = 0; k < total; k++) if (!Number.isNaN(sentAt[k]!) && !Number.isNaN(committedAt[k]!)) lat.push((committedAt[k]! - sentAt[k]!) / 1000);
    lat.sort((a, b) => a - b);
    const withTxs = blocks.filter((b) => b.n > 0);
    const first = withTxs[0];
    const lastB = withTxs[withTxs.length - 1];
    const spanSecs = first && lastB ? (Date.parse(lastB.time) - Date.parse(first.time)) / 1000 : NaN;
    const committed = withTxs.slice(1).reduce((s, b) => s + b.n, 0); // txs committed after the first tx block's time
    const intervals = withTxs.slice(1).map((b, i) => (Date.parse(b.time) - Date.parse(withTxs[i].time)) / 1000);
    console.log(`blocks with txs: ${withTxs.length} (heights ${first?.height}-${lastB?.height}), max ${Math.max(...withTxs.map((b) => b.n))} txs/block, mean interval ${(intervals.reduce((a, b) => a + b, 0) / intervals.length).toFixed(2)} s`);
    console.log(
      `RESULT e2e: committed ${committedCount}/${total} txs; ${Math.round(committed / spanSecs)} tx/s committed (block data, ${spanSecs.toFixed(1)} s); latency p50 ${pct(lat, 50).toFixed(2)} s, p95 ${pct(lat, 95).toFixed(2)} s, max ${lat[lat.length - 1]?.toFixed(2)} s; CheckTx rejections ${rejected}`,
    );
    fs.writeFileSync(path.join(root, "blocks.json"), JSON.stringify(blocks));
  } finally {
    await stop();
    if (!process.env.BENCH_KEEP) fs.rmSync(root, { recursive: true, force: true });
  }
}

/** Waits 5 s, then saves a `seconds`-long CPU profile from CometBFT's pprof endpoint; resolves to the file. */
async function cometPprof(base: string, seconds: number, file: string): Promise<string> {
  await sleep(5000);
  const r = await fetch(`${base}/debug/pprof/profile?seconds=${seconds}`);
  fs.writeFileSync(file, Buffer.from(await r.arrayBuffer()));
  return file;
}

/** CPU seconds (user+system) of the app, CometBFT and this process, from /proc/<pid>/stat and process.cpuUsage. */
function cpuSnapshot(node: NodeRunner): { at: number; app: number; cometbft: number; bench: number } {
  const tick = 100; // USER_HZ on Linux
  const procCpu = (pid?: number): number => {
    if (!pid) return NaN;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(f[11]) + Number(f[12])) / tick; // utime, stime (fields 14, 15)
    } catch {
      return NaN;
    }
  };
  const u = process.cpuUsage();
  return { at: performance.now(), app: procCpu(node.pid("app")), cometbft: procCpu(node.pid("cometbft")), bench: (u.user + u.system) / 1e6 };
}

async function rpcJson(rpc: string, method: string, params: Record<string, unknown> = {}): Promise<any> {
  let lastErr: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const r = await fetch(rpc, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
      const j = (await r.json()) as { result: any; error?: unknown };
      if (j.error) throw new Error(`${method}: ${JSON.stringify(j.error)}`);
      return j.result;
    } catch (e) {
      lastErr = e;
      if ((e as Error).message.startsWith(method)) throw e;
      await sleep(200 * (attempt + 1));
    }
  }
  throw new Error(`${method}: ${(lastErr as Error)?.message} (${String((lastErr as { cause?: unknown })?.cause)})`);
}

/** Account numbers via abci_query (Accounts pages are bounded; query each key once, in parallel batches). */
async function accountNumbers(rpc: string, keys: Key[]): Promise<bigint[]> {
  const { QueryAccountRequest, QueryAccountResponse } = await import("cosmjs-types/cosmos/auth/v1beta1/query");
  const { BaseAccount } = await import("cosmjs-types/cosmos/auth/v1beta1/auth");
  const out: bigint[] = new Array(keys.length);
  for (let s = 0; s < keys.length; s += 64) {
    await Promise.all(
      keys.slice(s, s + 64).map(async (k, j) => {
        const data = Buffer.from(QueryAccountRequest.encode({ address: k.address }).finish()).toString("hex");
        const r = await rpcJson(rpc, "abci_query", { path: "/cosmos.auth.v1beta1.Query/Account", data });
        const any = QueryAccountResponse.decode(Buffer.from(r.response.value, "base64")).account!;
        out[s + j] = BaseAccount.decode(any.value).accountNumber;
      }),
    );
  }
  return out;
}

main().catch((e) => {
  console.error(e);
  killAllChildren();
  process.exit(1);
});

/**
 * The app process's CPU per tx through the real ABCI socket server, without CometBFT: a child
 * process runs the App (node wiring, in-memory store) behind `AbciServer` on a unix socket; this
 * process plays CometBFT's traffic pattern and reads the child's CPU time. Deterministic, so it is
 * a fair A/B of the ABCI server + App flow on a shared box (the e2e benchmark's CPU per tx moves
 * ±20% with block sizes, which follow the box's load).
 *
 * Per round (block of BENCH_TXS MsgSends): CheckTx(NEW) + Flush for every tx, sent as CometBFT's
 * v0.38 client does (a Flush after each request); PrepareProposal, ProcessProposal, FinalizeBlock,
 * Commit; then ReCheck + Flush of the next block's first half, which was checked before the block.
 *
 *   npx tsx test/bench/abci-replay.ts                     # 4 rounds of 2,000 txs, this tree
 *   BENCH_ROOT=/path/to/other/checkout npx tsx test/bench/abci-replay.ts   # A/B against another tree
 *   BENCH_PROFILE=.bench/prof npx tsx test/bench/abci-replay.ts           # the app child's CPU profile there
 *   BENCH_CHUNK=2 …                                        # one CheckTx + Flush per socket write (CometBFT's pattern; default 20 frames)
 *   BENCH_SERIAL=1 …                                       # wait for each write's answers before the next (one tx at a time)
 *   BENCH_STORE=disk npx tsx test/bench/abci-replay.ts    # the node's store (IAVL multistore on LevelDB in a temp dir) instead of the test MemStore
 *   BENCH_STORE=disk BENCH_PREFETCH=1 …                    # with the node's read-ahead of seen txs' keys (chain/app/prefetch.ts, "storePrefetch")
 *   BENCH_CHILD_ARGS="--trace-deopt" …                     # extra node flags for the app child (after the tree's APP_NODE_FLAGS)
 *   BENCH_STUB=1 …                                         # constant CheckTx/FinalizeBlock answers: the ABCI layer's own CPU per request
 *   BENCH_METRICS=1 …                                      # the app child with the node's metrics on (CheckTx + ABCI request histograms)
 *   BENCH_BACKLOG=20000 …                                  # that many more txs (from accounts of their own) wait in the mempool the whole
 *                                                          # run: checked once, ReChecked after every block, never included (a backlog)
 */
import { fork, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { Request, Response } from "cosmjs-types/tendermint/abci/types";
import * as kit from "../helpers/txkit";
import { encodeFrame, FrameDecoder } from "../../chain/abci/framing";

const ROOT = path.resolve(process.env.BENCH_ROOT ?? path.join(__dirname, "..", ".."));
const TXS = Number(process.env.BENCH_TXS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const CHAIN = "hashgrid-test-1";
/** "mem" (test MemStore, default) or "disk": the node's multistore on LevelDB, as CometBFT's app sees it. */
const STORE = process.env.BENCH_STORE ?? "mem";
/** Frames per socket write: 20 (default), or 2 = one CheckTx + its Flush per write, as CometBFT's client sends them. */
const CHUNK = Number(process.env.BENCH_CHUNK ?? 20);
/** BENCH_SERIAL=1: wait for each write's answers before the next write (an idle app getting one tx at a time, as at moderate e2e rates). */
const SERIAL = process.env.BENCH_SERIAL === "1";
/** Txs that stay in the mempool for the whole run (ReChecked after every Commit, never in a block). */
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 0);
/** BENCH_STUB=1: the app child answers CheckTx/FinalizeBlock/Commit with constants (the ABCI layer's own CPU). */
const STUB = process.env.BENCH_STUB === "1";
/** BENCH_PREFETCH=1 (with BENCH_STORE=disk): the node's read-ahead of seen txs' keys (hashgrid.json "storePrefetch"). */
const PREFETCH = process.env.BENCH_PREFETCH === "1";
const hookTime = { tx: { ns: 0n, n: 0 }, txs: { ns: 0n, n: 0 } };
/** BENCH_METRICS=1: the app child runs with the node's metrics on (as `start` does). */
const METRICS = process.env.BENCH_METRICS === "1";
/** The app child's node flags (printed with the result). */
let childFlags: string[] = [];

async function serverMain(sock: string): Promise<void> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const tkit = require(path.join(ROOT, "test/helpers/txkit")) as typeof kit;
  const { AbciServer } = require(path.join(ROOT, "chain/abci/server")) as typeof import("../../chain/abci/server");
  const keys = Array.from({ length: TXS + BACKLOG }, (_, i) => tkit.keyFromSeed(`replay-${i}`));
  let store: import("../../chain/store").CommitMultiStore | undefined;
  if (STORE === "disk") {
    const { openMultiStore } = require(path.join(ROOT, "chain/store")) as typeof import("../../chain/store");
    const { appStoreNames } = require(path.join(ROOT, "chain/app/app")) as typeof import("../../chain/app/app");
    const { buildModules } = require(path.join(ROOT, "chain/app/wiring")) as typeof import("../../chain/app/wiring");
    const w = buildModules({ logger: tkit.silent });
    const { ModuleManager } = require(path.join(ROOT, "chain/app/manager")) as typeof import("../../chain/app/manager");
    store = await openMultiStore({ dir: path.join(path.dirname(sock), "db"), storeNames: appStoreNames(new ModuleManager(w.modules, w.order)) });
  }
  const c = tkit.newTestChain(keys.map((k) => ({ address: k.address, amount: 1_000_000_000n })), store ? { store: () => store! } : {});
  if (PREFETCH && store) {
    // The node's read-ahead hook ("storePrefetch"), set after construction like the metrics below.
    const { buildTxPrefetcher } = require(path.join(ROOT, "chain/app/prefetch")) as typeof import("../../chain/app/prefetch");
    const pf = buildTxPrefetcher(store, c.runner)!;
    // Wall time inside the hook per call (CheckTx: tx, ProcessProposal: txs), printed at exit.
    const wrap = <A extends unknown[]>(f: (...a: A) => void, acc: { ns: bigint; n: number }) => (...a: A) => {
      const t0 = process.hrtime.bigint();
      f.apply(pf, a);
      acc.ns += process.hrtime.bigint() - t0;
      acc.n++;
    };
    (c.app as unknown as { prefetch: unknown }).prefetch = { tx: wrap(pf.tx, hookTime.tx), txs: wrap(pf.txs, hookTime.txs) };
  }
  // BENCH_METRICS=1: the node's metrics as chain/node/start.ts wires them (the App's CheckTx/block metrics + the
  // server's per-request histogram). Set on the App after construction so the same script drives older trees.
  let onRequest: ((method: string, seconds: number) => void) | undefined;
  if (METRICS) {
    const { AppMetrics } = require(path.join(ROOT, "chain/app/metrics")) as typeof import("../../chain/app/metrics");
    const metrics = new AppMetrics({ defaultMetrics: true });
    (c.app as unknown as { metrics: unknown }).metrics = metrics;
    const children = new Map<string, { observe(v: number): void }>();
    onRequest = (method, seconds) => {
      let h = children.get(method);
      if (!h) children.set(method, (h = metrics.abciSeconds.labels({ method })));
      h.observe(seconds);
    };
  }
  const server = new AbciServer({ address: `unix://${sock}`, app: STUB ? stubApp(c.app) : c.app, logger: tkit.silent, onRequest });
  await server.listen();
  process.on("message", (m: string) => {
    if (m === "cpu") process.send!(process.cpuUsage());
    if (m === "exit") {
      const pf = (store as { prefetcher?: { stats: object } } | undefined)?.prefetcher;
      if (PREFETCH && pf) {
        const per = (a: { ns: bigint; n: number }) => (a.n === 0 ? "-" : (Number(a.ns) / a.n / 1000).toFixed(2));
        console.log(`read-ahead hook: CheckTx ${per(hookTime.tx)} µs per tx (${hookTime.tx.n} calls), ProcessProposal ${per(hookTime.txs)} µs per block; stats ${JSON.stringify(pf.stats)}`);
      }
      void server.close().then(() => process.exit(0));
    }
  });
  process.send!("ready");
}

/**
 * BENCH_STUB=1: the ABCI layer alone — CheckTx answers with a constant passing result (what the App answers for a
 * MsgSend) and FinalizeBlock with one constant result per tx, so the child's CPU is the socket, framing, codec,
 * server and (with BENCH_METRICS) its request histogram. Other requests go to the real App.
 */
function stubApp(app: import("../../chain/app/app").App): import("../../chain/abci/server").AbciApplication {
  const empty = new Uint8Array(0);
  const ok = () => ({ code: 0, data: empty, log: "", info: "", gasWanted: 100_000n, gasUsed: 71_052n, events: [], codespace: "" });
  return new Proxy(app, {
    get(target, prop, receiver) {
      if (prop === "checkTx") return () => ok();
      if (prop === "finalizeBlock") {
        return (req: { txs: Uint8Array[] }) => ({ events: [], txResults: req.txs.map(ok), validatorUpdates: [], consensusParamUpdates: undefined, appHash: new Uint8Array(32) });
      }
      if (prop === "commit") return () => ({ retainHeight: 0n });
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as unknown as import("../../chain/abci/server").AbciApplication;
}

if (process.argv[2] === "--server") {
  void serverMain(process.argv[3]!);
} else {
  void main();
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "abci-replay-"));
  const sock = path.join(dir, "app.sock");
  // The app process's node flags of the tree under test (chain/node/network.ts APP_NODE_FLAGS), as `hashgrid start` runs it.
  const { APP_NODE_FLAGS } = require(path.join(ROOT, "chain/node/network")) as typeof import("../../chain/node/network");
  childFlags = [...APP_NODE_FLAGS, ...(process.env.BENCH_CHILD_ARGS ?? "").split(" ").filter(Boolean)];
  const child: ChildProcess = fork(__filename, ["--server", sock], { execArgv: [...childFlags, ...(process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []), "--import", "tsx"], stdio: "inherit" });
  await new Promise<void>((r) => child.once("message", () => r()));

  // Account numbers: after the 4 default module accounts, in genesis order (see chain/tx/preverify.test.ts).
  const keys = Array.from({ length: TXS + BACKLOG }, (_, i) => kit.keyFromSeed(`replay-${i}`));
  const fee = { amount: [{ denom: "ugrid", amount: "250" }], gasLimit: 100_000n };
  const blocks: Uint8Array[][] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    blocks.push(keys.slice(0, TXS).map((k, i) => kit.buildSignedTx({ key: k, msgs: [kit.msgSend(k.address, keys[(i + 1) % TXS]!.address, 1n)], chainId: CHAIN, accountNumber: 4n + BigInt(i), sequence: BigInt(r), fee }).bytes));
  }

  const backlog = keys.slice(TXS).map((k, i) => kit.buildSignedTx({ key: k, msgs: [kit.msgSend(k.address, keys[0]!.address, 1n)], chainId: CHAIN, accountNumber: 4n + BigInt(TXS + i), sequence: 0n, fee }).bytes);

  // One connection per CometBFT role that we use.
  const conn = async () => {
    const s = net.connect(sock);
    await new Promise<void>((r) => s.once("connect", () => r()));
    const dec = new FrameDecoder();
    const got: Response[] = [];
    let want = 0;
    let wake: (() => void) | undefined;
    const io = { bytes: 0 };
    s.on("data", (c) => {
      io.bytes += c.length;
      for (const f of dec.push(c)) got.push(Response.decode(f));
      if (got.length >= want) wake?.();
    });
    return {
      /** Writes the frames (in chunks, like a client flushing often) and waits for as many responses. */
      async call(reqs: Request[]): Promise<Response[]> {
        want = got.length + reqs.length;
        const frames = reqs.map((q) => encodeFrame(Request.encode(q).finish()));
        if (SERIAL) {
          const end = want;
          for (let i = 0; i < frames.length; i += CHUNK) {
            want = end - reqs.length + Math.min(i + CHUNK, frames.length);
            s.write(Buffer.concat(frames.slice(i, i + CHUNK)) as Uint8Array);
            while (got.length < want) await new Promise<void>((r) => (wake = r));
          }
          want = end;
        } else {
          for (let i = 0; i < frames.length; i += CHUNK) s.write(Buffer.concat(frames.slice(i, i + CHUNK)) as Uint8Array);
        }
        while (got.length < want) await new Promise<void>((r) => (wake = r));
        return got.splice(0, reqs.length);
      },
      close: () => s.destroy(),
      /** Response bytes received so far (frames as CometBFT reads them). */
      io,
    };
  };
  const mempool = await conn();
  const consensus = await conn();
  const flush = { flush: {} };
  const check = (txs: Uint8Array[], type: number) => mempool.call(txs.flatMap((tx) => [{ checkTx: { tx, type } }, flush]));
  const cpu = () => new Promise<NodeJS.CpuUsage>((r) => {
    child.once("message", (m) => r(m as NodeJS.CpuUsage));
    child.send("cpu");
  });

  const half = Math.floor(TXS / 2);
  // Sums over rounds 2..N (round 1 includes JIT warm-up): CPU µs of [CheckTx, block, ReCheck] and tx counts.
  const sum = { check: 0, checkSys: 0, checkN: 0, block: 0, blockN: 0, recheck: 0, recheckN: 0 };
  const cpuUs = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => b.user + b.system - a.user - a.system;
  let res = await check(blocks[0]!, 0);
  if (BACKLOG > 0 && (await check(backlog, 0)).some((x) => x.checkTx && x.checkTx.code !== 0)) throw new Error("a backlog tx failed CheckTx");
  const rows: string[] = [];
  let checkBytes = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const height = BigInt(r + 1);
    const c0 = await cpu();
    const b0 = mempool.io.bytes;
    const t0 = performance.now();
    const txs = blocks[r]!;
    res = await check(blocks[r + 1]!.slice(0, half), 0); // arrives while the block is being decided
    const c1 = await cpu();
    checkBytes = (mempool.io.bytes - b0) / half;
    await consensus.call([{ prepareProposal: { maxTxBytes: 22_020_096n, txs, localLastCommit: { round: 0, votes: [] }, misbehavior: [], height, time: { seconds: 1_700_000_000n + height, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20) } }, flush]);
    await consensus.call([{ processProposal: { txs, proposedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32), height, time: { seconds: 1_700_000_000n + height, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20) } }, flush]);
    const [fb] = await consensus.call([{ finalizeBlock: kit.blockReq(height, txs) }, flush]);
    const failed = fb!.finalizeBlock!.txResults.filter((x) => x.code !== 0).length;
    await consensus.call([{ commit: {} }, flush]);
    const c2 = await cpu();
    const rc = await check([...blocks[r + 1]!.slice(0, half), ...backlog], 1); // ReCheck of what stayed in the mempool
    const c3 = await cpu();
    res = await check(blocks[r + 1]!.slice(half), 0);
    const c4 = await cpu();
    const us = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage, n: number) => (((b.user + b.system - a.user - a.system) / n) | 0).toString().padStart(5);
    const bad = res.filter((x) => x.checkTx && x.checkTx.code !== 0).length + rc.filter((x) => x.checkTx && x.checkTx.code !== 0).length;
    if (r > 0) {
      sum.check += cpuUs(c0, c1) + cpuUs(c3, c4);
      sum.checkSys += c1.system - c0.system + c4.system - c3.system;
      sum.checkN += TXS;
      sum.block += cpuUs(c1, c2);
      sum.blockN += TXS;
      sum.recheck += cpuUs(c2, c3);
      sum.recheckN += half + BACKLOG;
    }
    rows.push(
      `round ${r + 1}: CheckTx ${us(c0, c1, half)} µs, block (prepare+process+finalize+commit) ${us(c1, c2, TXS)} µs/tx, ReCheck ${us(c2, c3, half + BACKLOG)} µs, CheckTx ${us(c3, c4, TXS - half)} µs; total ${us(c0, c4, TXS)} µs per block tx; ${failed} failed in block, ${bad} rejected; ${((performance.now() - t0) / 1000).toFixed(2)} s wall`,
    );
  }
  for (const r of rows) console.log(r);
  if (sum.blockN > 0) {
    const per = (v: number, n: number) => Math.round(v / n);
    console.log(
      `RESULT abci-replay rounds 2-${ROUNDS}: CheckTx ${per(sum.check, sum.checkN)} µs/tx (kernel ${per(sum.checkSys, sum.checkN)}), block ${per(sum.block, sum.blockN)} µs/tx, ReCheck ${per(sum.recheck, sum.recheckN)} µs/tx (${half + BACKLOG} per block); all ${per(sum.check + sum.block + sum.recheck, sum.blockN)} µs per block tx`,
    );
  }
  console.log(`CheckTx + Flush responses: ${checkBytes.toFixed(1)} bytes per tx (last round)`);
  console.log(`tree ${ROOT} (app flags ${childFlags.join(" ")}), ${STORE} store, ${CHUNK} frames per write${SERIAL ? " (serial)" : ""}, ${TXS} txs per block${BACKLOG ? `, backlog ${BACKLOG}` : ""}${METRICS ? ", metrics on" : ""}${PREFETCH ? ", read-ahead on" : ""}${STUB ? ", stub app" : ""}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  mempool.close();
  consensus.close();
  child.send("exit");
  await new Promise((r) => child.once("exit", r));
  fs.rmSync(dir, { recursive: true, force: true });
}

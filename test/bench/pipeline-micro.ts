/**
 * Micro-benchmark of the tx pipeline alone (no IAVL, no LevelDB): the App over the test MemStore,
 * N pre-signed MsgSends per block from N accounts through CheckTx, FinalizeBlock (+ Commit, not
 * measured) and ReCheckTx, for BENCH_ROUNDS blocks. Reports CPU µs per tx per round: round 1
 * includes JIT warm-up, later rounds are the steady state. Isolates chain/tx + auth/bank costs
 * from the store's.
 *   BENCH_TXS=5000 BENCH_ROUNDS=3 npx tsx test/bench/pipeline-micro.ts
 *   BENCH_PROFILE=1 ...   # .cpuprofile (100 µs sampling) of the last round's FinalizeBlock only (.bench/)
 *   BENCH_PROFILE=check|recheck ...   # the same of the last round's CheckTx or ReCheck instead
 *   BENCH_STORE=disk ...              # the node's multistore (IAVL on LevelDB in a temp dir) instead of the MemStore
 *   BENCH_HEAP=check|recheck|finalize ...  # allocation sampling (objects collected since included) of that phase in the
 *                                          # last round: bytes allocated per tx, by allocating function
 *                                          # (BENCH_HEAP_DEPTH=3: each named by its 3 innermost frames)
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Session } from "node:inspector";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { CHAIN_ID, blockReq, buildSignedTx, keyFromSeed, msgSend, newTestChain, silent, type TestChain } from "../helpers/txkit";
import { appStoreNames } from "../../chain/app/app";
import { ModuleManager } from "../../chain/app/manager";
import { buildModules } from "../../chain/app/wiring";
import { openMultiStore } from "../../chain/store";

const N = Number(process.env.BENCH_TXS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const keys = Array.from({ length: N }, (_, i) => keyFromSeed(`micro-${i}`));
const STORE = process.env.BENCH_STORE ?? "mem";
let c!: TestChain;
let hashCpu = 0;
let hashMain = 0;
/** This (the main) thread's CPU in µs from /proc (10 ms ticks): leaves out V8's GC helper threads, which make process CPU jump. */
function mainCpuUs(): number {
  const f = fs.readFileSync("/proc/thread-self/stat", "latin1");
  const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return (Number(rest[11]) + Number(rest[12])) * 10_000; // utime, stime (fields 14, 15) at 100 Hz
}
const FIRST_NUMBER = 4n; // after the 4 default module accounts
function cpu<T>(f: () => T): [T, number] {
  const u0 = process.cpuUsage();
  const r = f();
  const u = process.cpuUsage(u0);
  return [r, (u.user + u.system) / N];
}

function signRound(round: number): Uint8Array[] {
  return keys.map((k, i) =>
    buildSignedTx({ key: k, msgs: [msgSend(k.address, keys[(i + 1) % N].address, 1n)], chainId: CHAIN_ID, accountNumber: FIRST_NUMBER + BigInt(i), sequence: BigInt(round - 1), fee: { amount: [{ denom: "ugrid", amount: "250" }], gasLimit: 100_000n } }).bytes,
  );
}

function checkAll(txs: Uint8Array[], type: CheckTxType): number {
  const [checks, t] = cpu(() => txs.map((tx) => c.app.checkTx({ tx, type })));
  const bad = checks.find((r) => r.code !== 0);
  if (bad) throw new Error(`CheckTx failed: ${bad.log}`);
  return t;
}

/**
 * Like a validator's mempool: the txs of block r+1 are checked (NEW) while block r is pending,
 * block r is finalized (signatures cached by its CheckTx) and committed, then the block r+1 txs
 * still in the mempool are rechecked against the new state (they pass).
 */
const HEAP = process.env.BENCH_HEAP;
const session = process.env.BENCH_PROFILE || HEAP ? new Session() : undefined;
const phaseOf = (v: string | undefined) => (v === "check" || v === "recheck" ? v : "finalize");
const phase = phaseOf(process.env.BENCH_PROFILE ?? HEAP);
const START = HEAP ? "HeapProfiler.startSampling" : "Profiler.start";
const post = (m: string) => new Promise<unknown>((r) => session!.post(m, (_e, p) => r(p)));

async function main(): Promise<void> {
  const funded = keys.map((k) => ({ address: k.address, amount: 1_000_000n }));
  if (STORE === "disk") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-micro-"));
    process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    const w = buildModules({ logger: silent });
    const store = await openMultiStore({ dir, storeNames: appStoreNames(new ModuleManager(w.modules, w.order)) });
    c = newTestChain(funded, { store: () => store });
  } else {
    c = newTestChain(funded);
  }
  if (session) {
    session.connect();
    await post(HEAP ? "HeapProfiler.enable" : "Profiler.enable");
    if (!HEAP) await new Promise((r) => session.post("Profiler.setSamplingInterval", { interval: 100 }, r));
  }
  // FinalizeBlock's tx execution alone = its CPU minus the store's workingHash (timed by wrapping it).
  const ms = c.store as unknown as { workingHash: () => unknown };
  const wh = ms.workingHash.bind(ms);
  ms.workingHash = () => {
    const u0 = process.cpuUsage();
    const t0 = mainCpuUs();
    const r = wh();
    const u = process.cpuUsage(u0);
    hashCpu += u.user + u.system;
    hashMain += mainCpuUs() - t0;
    return r;
  };
  const rounds = Array.from({ length: ROUNDS + 1 }, (_, i) => signRound(i + 1));
  checkAll(rounds[0], CheckTxType.NEW);
  for (let r = 1; r <= ROUNDS; r++) {
    const last = session !== undefined && r === ROUNDS;
    if (last && phase === "check") await start();
    const check = checkAll(rounds[r], CheckTxType.NEW);
    if (last && phase === "check") await stop();
    if (last && phase === "finalize") await start();
    hashCpu = 0;
    hashMain = 0;
    const m0 = mainCpuUs();
    const [res, fin] = cpu(() => c.app.finalizeBlock(blockReq(BigInt(r), rounds[r - 1])));
    const finMain = mainCpuUs() - m0;
    if (last && phase === "finalize") await stop();
    const ok = res.txResults.filter((x) => x.code === 0).length;
    if (ok !== N) throw new Error(`${ok}/${N} ok: ${res.txResults.find((x) => x.code)?.log}`);
    await c.app.commit();
    if (last && phase === "recheck") await start();
    const recheck = checkAll(rounds[r], CheckTxType.RECHECK);
    if (last && phase === "recheck") await stop();
    console.log(`pipeline (${STORE === "disk" ? "disk store" : "MemStore"}) round ${r}: CheckTx ${check.toFixed(0)} µs/tx CPU, FinalizeBlock (sigs cached) ${fin.toFixed(0)} µs/tx CPU (txs ${(fin - hashCpu / N).toFixed(1)}, workingHash ${(hashCpu / N).toFixed(1)}; main thread: txs ${((finMain - hashMain) / N).toFixed(1)}), ReCheck ${recheck.toFixed(0)} µs/tx CPU`);
  }
}

async function start(): Promise<void> {
  if (!HEAP) return void (await post("Profiler.start"));
  await new Promise((r) =>
    session!.post("HeapProfiler.startSampling", { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }, r),
  );
}

async function stop(): Promise<void> {
  if (!HEAP) return writeProfile(await post("Profiler.stop"));
  type Node = { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: Node[] };
  const { profile } = (await post("HeapProfiler.stopSampling")) as { profile: { head: Node } };
  const by = new Map<string, number>();
  let total = 0;
  const name = (n: Node) => `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").slice(-2).join("/")}`;
  // Builtins (no url: subarray, slice, push…) are named with their caller.
  // BENCH_HEAP_DEPTH=n: name each allocation by its n innermost frames (default 1; builtins always with their caller).
  const depth = Number(process.env.BENCH_HEAP_DEPTH ?? 1);
  const walk = (n: Node, stack: string[]): void => {
    const k = [name(n), ...stack.slice(0, n.callFrame.url === "" ? Math.max(1, depth - 1) : depth - 1)].join(" ← ");
    by.set(k, (by.get(k) ?? 0) + n.selfSize);
    total += n.selfSize;
    for (const c of n.children) walk(c, [name(n), ...stack]);
  };
  walk(profile.head, []);
  console.log(`allocated in ${phase}: ${(total / N).toFixed(0)} bytes per tx (sampled); by allocating function:`);
  for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${(v / N).toFixed(0).padStart(7)} B/tx  ${k}`);
}

function writeProfile(p: unknown): void {
  const f = path.resolve(".bench", `pipeline-micro-${process.pid}.cpuprofile`);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, JSON.stringify((p as { profile: object }).profile));
  console.log(`profile: ${f}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

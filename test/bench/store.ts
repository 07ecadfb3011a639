/**
 * Store benchmark (prints figures; not a test).
 *
 *   npm run bench:store                     # 1,000,000 keys, 10 blocks of 10,000 writes
 *   npm run bench:store -- --keys 100000    # quick run (or BENCH_KEYS=100000)
 *   options: --keys N --blocks N --block-writes N --dir PATH --keep (keep the database)
 *            --no-sync (no fsync per commit) --profile FILE (CPU profile of the blocks phase, .cpuprofile)
 *            --arena / --iavl (or BENCH_ARENA=1 / 0): live trees on the node arena or IavlTree (default: the store's, DEFAULT_ARENA)
 *            --worker / --no-worker (or BENCH_HASH_WORKER=1 / 0): tree nodes hashed on a worker thread (arena only; default DEFAULT_HASH_WORKER);
 *            BENCH_HASH_SPIN=N: the worker's polls before it sleeps;
 *            BENCH_WAKE_MIN=N: unhashed entries before a publish wakes a sleeping worker (default 0: every publish);
 *            --no-early (or BENCH_HASH_EARLY=0): with the worker, hash after the apply instead of listing finished subtrees during it
 *
 * Phase 1 loads N keys (32-byte keys, 100-byte values) in large commits. Phase 2 runs blocks of
 * random writes (40% update, 40% insert, 20% delete) through a block branch, then workingHash()
 * + commit(). Then: proof generation, random reads at the latest and at an old version, disk size.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { PerformanceObserver } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { join } from "node:path";
import { Session } from "node:inspector";
import { readFileSync, writeFileSync } from "node:fs";
import { DEFAULT_ARENA, DEFAULT_HASH_WORKER, RootMultiStore } from "../../chain/store/multistore";
import { FixturePrng } from "../../chain/store/testutil";

function arg(name: string, env: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[env];
  if (raw === undefined) return def;
  const n = Number(raw.replace(/_/g, ""));
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return n;
}

const KEYS = arg("keys", "BENCH_KEYS", 1_000_000);
const BLOCKS = arg("blocks", "BENCH_BLOCKS", 10);
const BLOCK_WRITES = arg("block-writes", "BENCH_BLOCK_WRITES", 10_000);
const LOAD_BATCH = 100_000;
const dirArg = process.argv.indexOf("--dir");
const dir = dirArg >= 0 ? process.argv[dirArg + 1]! : mkdtempSync(join(tmpdir(), "hg-bench-"));
const keep = process.argv.includes("--keep");
const ARENA = process.argv.includes("--arena") ? true : process.argv.includes("--iavl") ? false : process.env.BENCH_ARENA !== undefined ? process.env.BENCH_ARENA === "1" : DEFAULT_ARENA;
const HASH_WORKER =
  ARENA &&
  (process.argv.includes("--worker") ? true : process.argv.includes("--no-worker") ? false : process.env.BENCH_HASH_WORKER !== undefined ? process.env.BENCH_HASH_WORKER === "1" : DEFAULT_HASH_WORKER);

const now = () => Number(process.hrtime.bigint()) / 1e6; // ms
// Process CPU time (all threads, incl. GC and LevelDB's): the machine is shared, so wall-clock
// figures depend on what else runs; CPU time shows the work the store itself does.
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
// Main (JS) thread CPU time on Linux, 10 ms ticks: separates the store's own work from LevelDB's
// background compaction and V8's helper threads, which process.cpuUsage() also counts.
const mainCpu = (): number => {
  try {
    const st = readFileSync("/proc/thread-self/stat", "utf8");
    const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, fields 14 and 15
  } catch {
    return NaN;
  }
};
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (a: number[], p: number) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
function progress(label: string, done: number, total: number, extra = ""): void {
  process.stderr.write(`\r${label}: ${fmt(done)}/${fmt(total)} ${extra}     `);
  if (done >= total) process.stderr.write("\n");
}

/**
 * The benchmark's own list of live keys, in one byte slab (32-byte keys; `at` returns a view). A
 * million separate key Uint8Arrays (each with its own ArrayBuffer once the store has read it)
 * would sit in the heap next to the tree and make every full GC measured here slower, which a
 * node does not have: its keys are built per transaction and die young.
 */
class LiveKeys {
  private readonly slab: Uint8Array;
  private readonly offs: number[] = [];
  private used = 0;
  constructor(capacity: number) {
    this.slab = new Uint8Array(capacity * 32);
  }
  get length(): number {
    return this.offs.length;
  }
  push(k: Uint8Array): void {
    if (k.length !== 32) throw new Error("benchmark keys are 32 bytes");
    this.slab.set(k, this.used);
    this.offs.push(this.used);
    this.used += 32;
  }
  at(i: number): Uint8Array {
    const o = this.offs[i]!;
    return this.slab.subarray(o, o + 32);
  }
  /** Removes entry i by moving the last one into its place (the order the old array code used). */
  removeAt(i: number): void {
    this.offs[i] = this.offs[this.offs.length - 1]!;
    this.offs.pop();
  }
}

async function main(): Promise<void> {
  console.log(`store benchmark: ${fmt(KEYS)} keys, ${BLOCKS} blocks x ${fmt(BLOCK_WRITES)} writes, live trees: ${ARENA ? `ArenaTree${HASH_WORKER ? " + hash worker" : ""}` : "IavlTree"}, db ${dir}`);
  // --no-sync: skip fsync per commit (still atomic; a power loss may lose the last commits,
  // which CometBFT replays). Shows how much of the commit latency is the disk flush.
  const sync = !process.argv.includes("--no-sync");
  const cms = (await RootMultiStore.open({ dir, storeNames: ["bank"], keepRecent: 100, sync, arena: ARENA, hashWorker: HASH_WORKER })) as RootMultiStore;
  console.log(`fsync per commit: ${sync}`);
  // BENCH_HASH_SPIN=N: the worker's polls before it sleeps (A/B of ArenaHashWorker.spin).
  if (cms.hashWorker !== undefined && process.env.BENCH_HASH_SPIN !== undefined) cms.hashWorker.spin = Number(process.env.BENCH_HASH_SPIN);
  // BENCH_WAKE_MIN=N: unhashed entries before a publish wakes a sleeping worker (A/B of ArenaHashWorker.wakeMin; default 0).
  if (cms.hashWorker !== undefined && process.env.BENCH_WAKE_MIN !== undefined) cms.hashWorker.wakeMin = Number(process.env.BENCH_WAKE_MIN);
  // --no-early / BENCH_HASH_EARLY=0: the round-7 order (apply, then hash) for A/B of the early listing.
  if (cms.hashWorker !== undefined && (process.argv.includes("--no-early") || process.env.BENCH_HASH_EARLY === "0")) {
    cms.hashWorker.early = false;
    console.log("hash worker: early listing off (hash after the apply)");
  }
  const r = new FixturePrng("bench");
  const live = new LiveKeys(KEYS + BLOCKS * BLOCK_WRITES);
  const value = () => r.bytes(100);

  // Phase 1: load.
  let t0 = now();
  for (let done = 0; done < KEYS; ) {
    const n = Math.min(LOAD_BATCH, KEYS - done);
    const s = cms.getStore("bank");
    for (let i = 0; i < n; i++) {
      const k = r.bytes(32);
      s.set(k, value());
      live.push(k);
    }
    await cms.commit();
    done += n;
    progress("load", done, KEYS, `${fmt((done / (now() - t0)) * 1000)} keys/s`);
  }
  console.log(`load: ${fmt(KEYS)} keys in ${(now() - t0) / 1000} s (${fmt((KEYS / (now() - t0)) * 1000)} keys/s)`);
  const oldVersion = cms.lastCommit.version;

  // Settle: a node that has run for a while has its state compacted on disk and no load-phase
  // garbage in its heap. Without this the first blocks pay for the bulk load (LevelDB write
  // stalls while compaction catches up, multi-second major GCs).
  t0 = now();
  process.stderr.write("settling: compacting LevelDB and collecting garbage...\n");
  await cms.database.compactRange(new Uint8Array([0x00]), new Uint8Array([0xff]));
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
  console.log(`settle (compactRange + full GC): ${fmt(now() - t0)} ms`);

  // Phase 2: blocks of random writes. GC pauses are recorded: the tree lives in the JS heap.
  // Only pauses inside the timed part of a block count: generating a block's operations with the
  // fixture PRNG (a createHash per 32 bytes) makes about as much GC work again.
  let gcMs = 0;
  let gcMax = 0;
  let gcAllMs = 0;
  const windows: [number, number][] = [];
  const gcEntries: { startTime: number; duration: number }[] = [];
  const gcObs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcEntries.push({ startTime: e.startTime, duration: e.duration });
  });
  gcObs.observe({ entryTypes: ["gc"] });
  const profArg = process.argv.indexOf("--profile");
  const session = profArg >= 0 ? new Session() : undefined;
  const post = (m: string, p?: object) =>
    new Promise<unknown>((res, rej) => session!.post(m, p ?? {}, (e, r) => (e ? rej(e) : res(r))));
  if (session !== undefined) {
    session.connect();
    await post("Profiler.enable");
    await post("Profiler.setSamplingInterval", { interval: 200 });
    await post("Profiler.start");
  }
  const blockMs: number[] = [];
  const applyMs: number[] = [];
  const commitMs: number[] = [];
  const blockCpu: number[] = [];
  const writeMs: number[] = [];
  const encodeMs: number[] = [];
  const commitCpu: number[] = [];
  let mainCpuMs = 0;
  // Where a block's wall time goes (sums over the blocks, ms).
  const wall = { branch: 0, apply: 0, hash: 0, encode: 0, prune: 0, write: 0 };
  const hw = cms.hashWorker;
  const w0 = { cpu: hw?.workerCpuMs ?? 0, wait: hw?.waitMs ?? 0, hashed: hw?.workerHashed ?? 0, wakes: hw?.wakes ?? 0 };
  for (let b = 0; b < BLOCKS; b++) {
    // Generate the block's operations first so the PRNG is not timed.
    const ops: [Uint8Array, Uint8Array | null][] = [];
    for (let i = 0; i < BLOCK_WRITES; i++) {
      const x = r.intn(10);
      if (x < 4) {
        ops.push([live.at(r.intn(live.length)), value()]);
      } else if (x < 8) {
        const k = r.bytes(32);
        ops.push([k, value()]);
        live.push(k);
      } else {
        const idx = r.intn(live.length);
        ops.push([live.at(idx), null]);
        live.removeAt(idx);
      }
    }
    const start = now();
    const winStart = performance.now();
    const startCpu = cpu();
    const startMain = mainCpu();
    const block = cms.branch();
    const s = block.getStore("bank");
    for (const [k, v] of ops) {
      if (v === null) s.delete(k);
      else s.set(k, v);
    }
    block.write();
    const t1 = now();
    cms.workingHash();
    const t2 = now();
    const wh = cms.lastWorkingHashStats!; // before commit(), whose own workingHash() finds nothing to do
    const c2 = cpu();
    await cms.commit();
    const t3 = now();
    windows.push([winStart, performance.now()]);
    const c3 = cpu();
    mainCpuMs += mainCpu() - startMain;
    blockCpu.push(c3 - startCpu);
    writeMs.push(cms.lastCommitStats!.writeMs);
    encodeMs.push(cms.lastCommitStats!.encodeMs);
    commitCpu.push(c3 - c2);
    blockMs.push(t3 - start);
    applyMs.push(t2 - t1);
    commitMs.push(t3 - t2);
    const st = cms.lastCommitStats!;
    wall.branch += t1 - start;
    wall.apply += wh.applyMs;
    wall.hash += wh.hashMs;
    wall.encode += st.encodeMs;
    wall.prune += st.pruneMs;
    wall.write += st.writeMs;
    progress("blocks", b + 1, BLOCKS, `last ${fmt(t3 - start)} ms (apply+hash ${fmt(t2 - t1)}, commit ${fmt(t3 - t2)} = encode ${fmt(st.encodeMs)} + prune ${fmt(st.pruneMs)} + write ${fmt(st.writeMs)}; ${fmt(st.ops)} ops, ${fmt(st.bytes / 1e6)} MB)`);
  }
  gcObs.disconnect();
  for (const e of gcEntries) {
    gcAllMs += e.duration;
    if (windows.some(([a, b]) => e.startTime >= a && e.startTime < b)) {
      gcMs += e.duration;
      gcMax = Math.max(gcMax, e.duration);
    }
  }
  if (session !== undefined) {
    const { profile } = (await post("Profiler.stop")) as { profile: unknown };
    writeFileSync(process.argv[profArg + 1]!, JSON.stringify(profile));
    session.disconnect();
  }
  const totalMs = blockMs.reduce((a, b) => a + b, 0);
  console.log(`GC during blocks (timed part): ${fmt(gcMs)} ms total, longest pause ${fmt(gcMax)} ms (${fmt(gcAllMs)} ms with the op generation); heap ${fmt(process.memoryUsage().heapUsed / 1e6)} MB, rss ${fmt(process.memoryUsage().rss / 1e6)} MB`);
  console.log(`writes/s including commit: ${fmt((BLOCKS * BLOCK_WRITES) / (totalMs / 1000))} wall-clock; ${fmt((BLOCKS * BLOCK_WRITES) / (blockCpu.reduce((a, b) => a + b, 0) / 1000))} per CPU-second`);
  console.log(`main-thread CPU per block (mean): ${fmt(mainCpuMs / BLOCKS)} ms (the rest is LevelDB compaction and V8 helper threads)`);
  console.log(`process CPU per block (mean, all threads${hw !== undefined ? ", hash worker included" : ""}): ${fmt(blockCpu.reduce((a, b) => a + b, 0) / BLOCKS)} ms`);
  if (hw !== undefined) {
    console.log(`hash worker per block (mean): CPU ${fmt((hw.workerCpuMs - w0.cpu) / BLOCKS)} ms, ${fmt((hw.workerHashed - w0.hashed) / BLOCKS)} nodes hashed; main thread waiting for it ${((hw.waitMs - w0.wait) / BLOCKS).toFixed(1)} ms; ${fmt((hw.wakes - w0.wakes) / BLOCKS)} wake-ups (wake-min ${hw.wakeMin})`);
  }
  const per = (x: number) => fmt(x / BLOCKS);
  console.log(`block wall per phase (mean ms): branch writes ${per(wall.branch)}, apply to trees ${per(wall.apply)}, hash ${per(wall.hash)}, encode + batch build ${per(wall.encode)}, prune ${per(wall.prune)}, batch write + fsync ${per(wall.write)}`);
  {
    // What the tree costs the GC: one forced full collection with the tree in place.
    const g0 = now();
    (runInNewContext("gc") as () => void)();
    const arena = (cms as unknown as { stores: Map<string, { tree: { tree: { arena?: { capacity: number } } } }> }).stores.get("bank")!.tree.tree.arena;
    const arenaMb = arena === undefined ? "" : ` + node arena ${fmt((arena.capacity * 64) / 1e6)} MB (ArrayBuffer)`;
    console.log(`forced full GC after the blocks: ${fmt(now() - g0)} ms; JS heap then ${fmt(process.memoryUsage().heapUsed / 1e6)} MB${arenaMb}`);
  }
  console.log(`CPU time per block p50 ${fmt(pct(blockCpu, 50))} ms; commit CPU p50 ${fmt(pct(commitCpu, 50))} ms, p95 ${fmt(pct(commitCpu, 95))} ms`);
  console.log(`load average during the run: ${loadavg().map((x) => x.toFixed(1)).join(" ")} (2 cores shared with other work)`);
  console.log(`block total p50 ${fmt(pct(blockMs, 50))} ms, p95 ${fmt(pct(blockMs, 95))} ms`);
  console.log(`apply+hash (FinalizeBlock end) p50 ${fmt(pct(applyMs, 50))} ms, p95 ${fmt(pct(applyMs, 95))} ms`);
  console.log(`commit (Commit: node encoding + one LevelDB batch) p50 ${fmt(pct(commitMs, 50))} ms, p95 ${fmt(pct(commitMs, 95))} ms`);
  console.log(`  of which encode p50 ${fmt(pct(encodeMs, 50))} ms, LevelDB write p50 ${fmt(pct(writeMs, 50))} ms, p95 ${fmt(pct(writeMs, 95))} ms`);
  const apply = pct(applyMs, 50);
  console.log(`workingHash+commit p50 ${fmt(pct(applyMs.map((a, i) => a + commitMs[i]!), 50))} ms, p95 ${fmt(pct(applyMs.map((a, i) => a + commitMs[i]!), 95))} ms (apply p50 ${fmt(apply)})`);

  // Proofs.
  const N_PROOFS = 5_000;
  t0 = now();
  for (let i = 0; i < N_PROOFS; i++) cms.query("bank", live.at(r.intn(live.length)), 0, true);
  console.log(`membership proofs/s (latest): ${fmt((N_PROOFS / (now() - t0)) * 1000)}`);

  // Reads.
  const N_READS = 100_000;
  const store = cms.getStore("bank");
  t0 = now();
  for (let i = 0; i < N_READS; i++) store.get(live.at(r.intn(live.length)));
  console.log(`random reads/s at latest, uniform over all keys (value cache, else fast index): ${fmt((N_READS / (now() - t0)) * 1000)}`);
  // Hot set: what a tx workload looks like (the same accounts, params and module balances again and again).
  const hot = Array.from({ length: 10_000 }, () => live.at(r.intn(live.length)));
  for (const k of hot) store.get(k);
  t0 = now();
  for (let i = 0; i < N_READS; i++) store.get(hot[i % hot.length]!);
  console.log(`random reads/s at latest, 10,000-key hot set (value cache): ${fmt((N_READS / (now() - t0)) * 1000)}`);
  // Old version: only keys that existed then (the first KEYS keys, some deleted since: still a read).
  const N_OLD = 20_000;
  t0 = now();
  let found = 0;
  for (let i = 0; i < N_OLD; i++) if (cms.query("bank", live.at(r.intn(Math.min(KEYS, live.length))), oldVersion, false).value) found++;
  console.log(`random reads/s at old version ${oldVersion} (tree walk): ${fmt((N_OLD / (now() - t0)) * 1000)} (${fmt(found)} hits)`);
  // The previous block (what relayers and explorers mostly query): shares most nodes with the live tree.
  const prev = cms.lastCommit.version - 1;
  t0 = now();
  for (let i = 0; i < N_OLD; i++) cms.query("bank", live.at(r.intn(live.length)), prev, false);
  console.log(`random reads/s at version ${prev} (latest - 1, tree walk borrowing live nodes): ${fmt((N_OLD / (now() - t0)) * 1000)}`);

  await cms.close();
  const bytes = Number(execFileSync("du", ["-sb", dir]).toString().split("\t")[0]);
  console.log(`disk: ${fmt(bytes)} bytes, ${fmt(bytes / live.length)} bytes per live key (${fmt(live.length)} keys, ${cms.earliestVersion}..${cms.lastCommit.version} retained)`);
  if (!keep && dirArg < 0) rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * In-memory tree benchmark (prints figures; not a test): the IAVL write path without LevelDB or
 * branches, for A/B runs of tree changes on a busy machine.
 *
 *   node --max-old-space-size=8192 --import tsx chain/store/treebench.ts [keys] [--arena [--reuse-min N] [--worker | --worker-ab]] [--blocks B]
 *
 * (default 1,000,000 keys, 10 blocks). `--worker` hashes inner nodes on a second thread
 * (ArenaHashWorker); `--worker-ab` alternates blocks with and without it and prints both;
 * `--leaves-ab` alternates leaves hashed on the worker and on the main thread (with the worker);
 * `--order-ab` alternates saves walking the hash pass's list and saves walking the tree.
 * With the worker, finished subtrees are listed for it during the apply every `--chunk N` writes (default 512,
 * as the multistore; ArenaTree.hashBefore); `--no-early` lists only after the apply (Round 7), `--early-ab`
 * alternates blocks; `--early-lag N` is the backlog the worker may have during the apply (default 8,192).
 *
 * Builds a tree of `keys` random 32-byte keys with 100-byte values (saved every 100,000), then 10
 * blocks of 10,000 sorted writes (40% update, 40% insert, 20% delete) + workingHash + saveVersion
 * with every new node encoded (NodeWriter into a sink that drops the records). Prints the
 * main-thread CPU per block (and split into apply / workingHash / save + encode), the CPU of one forced full GC before and after the blocks, heap size
 * and the root hash (must not change with a representation change). `--arena` runs the same
 * workload on ArenaTree + ArenaNodeWriter (nodes in a typed-array arena) instead of IavlTree.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { IavlTree } from "./iavl";
import { ArenaTree } from "./arenatree";
import { ArenaNodeWriter } from "./arenawriter";
import { NodeWriter, StoreKeys } from "./nodedb";
import { bytesToKey } from "./encoding";
import { NodeArena } from "./arena";
import { ArenaHashWorker } from "./arenahash";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const args = process.argv.slice(2);
const ARENA = args.includes("--arena");
const ri = args.indexOf("--reuse-min");
/** NodeArena pageReuseMin (0 = LIFO free list); default the arena's own. */
const REUSE_MIN = ri >= 0 ? Number(args[ri + 1]) : undefined;
const bi = args.indexOf("--blocks");
const BLOCKS = bi >= 0 ? Number(args[bi + 1]) : 10;
const N = Number(args.find((a, i) => !a.startsWith("--") && (ri < 0 || i !== ri + 1) && (bi < 0 || i !== bi + 1) && args[i - 1] !== "--spin" && args[i - 1] !== "--chunk" && args[i - 1] !== "--early-lag") ?? 1_000_000);
/** Main-thread CPU ms (Linux, 10 ms ticks). */
const mainCpu = (): number => {
  const st = readFileSync("/proc/thread-self/stat", "utf8");
  const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
};
/** Main-thread CPU ns (Linux schedstat run time: exact, for the per-phase split). */
const wallNs = (): number => Number(process.hrtime.bigint());
const mainNs = (): number => Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]);
type Phase = { apply: number; hash: number; save: number; hashWall: number; blockWall: number; cpu: number; workerMs: number; n: number };
const newPhase = (): Phase => ({ apply: 0, hash: 0, save: 0, hashWall: 0, blockWall: 0, cpu: 0, workerMs: 0, n: 0 });
/** [0]: all blocks (or those without the worker under --worker-ab), [1]: with the worker under --worker-ab. */
const phases = [newPhase(), newPhase()];
let seed = 1;
const rnd = (): number => {
  seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
  seed = (seed ^ (seed >>> 12)) >>> 0;
  return seed;
};
const bytes = (n: number): Uint8Array => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rnd() >>> 24;
  return b;
};

const keys = new StoreKeys("bank");
const sink = { put(): void {} };
const live: Uint8Array[] = [];
/** --worker: nodes hashed on a second thread (ArenaHashWorker) from a shared arena. */
const WORKER = args.includes("--worker") || args.includes("--worker-ab") || args.includes("--leaves-ab");
/** --leaves-ab: blocks alternate between leaves hashed on the worker (Round 7) and on the main thread (Round 6b). */
const LEAVES_AB = args.includes("--leaves-ab");
/** --no-encode: with the worker, inner pages are still encoded on the main thread (Round 6b). */
const ENCODE_OFF = args.includes("--no-encode");
/** --order-ab: blocks alternate between the save-order list of the hash pass and a save that walks the tree for it. */
const ORDER_AB = args.includes("--order-ab");
/** --worker-ab: blocks alternate with and without the worker (paired A/B in one process, same load). */
const WORKER_AB = args.includes("--worker-ab");
/** --shared: the arena in a SharedArrayBuffer without the worker (what sharing alone costs). */
const SHARED = WORKER || args.includes("--shared");
const arena = ARENA ? new NodeArena(1024, { pageReuseMin: REUSE_MIN, shared: SHARED }) : undefined;
const hashWorker = arena !== undefined && WORKER ? new ArenaHashWorker() : undefined;
const si = args.indexOf("--spin");
if (hashWorker !== undefined && si >= 0) hashWorker.spin = Number(args[si + 1]);
const li = args.indexOf("--early-lag");
if (hashWorker !== undefined && li >= 0) hashWorker.earlyLag = Number(args[li + 1]);
/** --wake-min N: unhashed entries before a publish wakes a sleeping worker (0: every publish, the round-9 behaviour). */
const wi = args.indexOf("--wake-min");
if (hashWorker !== undefined && wi >= 0) hashWorker.wakeMin = Number(args[wi + 1]);
const arenaTree = arena !== undefined ? new ArenaTree({ arena, hashWorker }) : undefined;
const iavlTree = ARENA ? undefined : new IavlTree(undefined);
const tree: IavlTree | ArenaTree = arenaTree ?? iavlTree!;
const save = (): void => {
  if (arenaTree !== undefined) {
    const w = new ArenaNodeWriter(arenaTree.arena, keys, sink, ENCODE_OFF ? undefined : hashWorker);
    arenaTree.saveVersion((s) => w.add(s));
    w.finish(arenaTree.version);
  } else {
    const w = new NodeWriter(keys, sink);
    iavlTree!.saveVersion((n) => w.add(n));
    w.finish(iavlTree!.version);
  }
};

for (let i = 0; i < N; i++) {
  const k = bytes(32);
  tree.set(k, bytes(100));
  live.push(k);
  if ((i + 1) % 100_000 === 0) save();
}
save();
gc();
let t = mainCpu();
gc();
const gcBefore = mainCpu() - t;

let forgetOrder = false;
/** --no-early: the worker hashes only after the apply (Round 7); --early-ab alternates blocks. */
const EARLY_AB = args.includes("--early-ab");
/** --publish-ab: blocks alternate between publishing each early listing once and every 64 entries. */
const PUBLISH_AB = args.includes("--publish-ab");
let earlyOn = !args.includes("--no-early");
const ci = args.indexOf("--chunk");
const EARLY_CHUNK = ci >= 0 ? Number(args[ci + 1]) : 512;
function block(ops: [Uint8Array, Uint8Array | null][], phase: Phase): void {
  const w0 = wallNs();
  const t0 = mainNs();
  const early = earlyOn && arenaTree !== undefined && hashWorker !== undefined;
  for (let i = 0; i < ops.length; i++) {
    const [k, v] = ops[i]!;
    if (v === null) tree.remove(k);
    else tree.set(k, v);
    // As the multistore's applyPending: finished subtrees go to the worker during the apply.
    if (early && (i + 1) % EARLY_CHUNK === 0 && i + 1 < ops.length) arenaTree.hashBefore(bytesToKey(ops[i + 1]![0]), ops.length - i - 1);
  }
  const t1 = mainNs();
  const w1 = wallNs();
  const wc = hashWorker?.workerCpuMs ?? 0;
  tree.workingHash();
  if (forgetOrder) arenaTree!.forgetOrder();
  phase.workerMs += (hashWorker?.workerCpuMs ?? 0) - wc;
  const w2 = wallNs();
  const t2 = mainNs();
  save();
  const t3 = mainNs();
  phase.apply += t1 - t0;
  phase.hash += t2 - t1;
  phase.save += t3 - t2;
  phase.hashWall += w2 - w1;
  phase.blockWall += wallNs() - w0;
  phase.cpu += t3 - t0;
  phase.n++;
}

const cpu: number[] = [];
for (let b = 0; b < BLOCKS; b++) {
  const ops: [Uint8Array, Uint8Array | null][] = [];
  for (let i = 0; i < 10_000; i++) {
    const x = rnd() % 10;
    if (x < 4) ops.push([live[rnd() % live.length]!, bytes(100)]);
    else if (x < 8) {
      const k = bytes(32);
      ops.push([k, bytes(100)]);
      live.push(k);
    } else {
      const j = rnd() % live.length;
      ops.push([live[j]!, null]);
      live[j] = live[live.length - 1]!;
      live.pop();
    }
  }
  ops.sort((a, b) => Buffer.compare(a[0], b[0]));
  const c0 = mainCpu();
  const ab = WORKER_AB || ORDER_AB || LEAVES_AB || EARLY_AB || PUBLISH_AB ? b % 2 : 0;
  if (EARLY_AB) earlyOn = ab === 1;
  if (PUBLISH_AB) hashWorker!.earlyHoldPublish = ab === 1;
  if (WORKER_AB) hashWorker!.enabled = ab === 1;
  if (LEAVES_AB) hashWorker!.leavesOnWorker = ab === 1;
  forgetOrder = ORDER_AB && ab === 0;
  block(ops, phases[ab]!);
  cpu.push(mainCpu() - c0);
}
t = mainCpu();
gc();
const gcAfter = mainCpu() - t;
const mean = cpu.reduce((a, b) => a + b, 0) / cpu.length;
console.log(`${ARENA ? `ArenaTree (reuse-min ${REUSE_MIN ?? "default"}${WORKER ? ", hash worker" : SHARED ? ", shared buffer" : ""})` : "IavlTree"}, keys ${N}: main-thread CPU per block ${cpu.join(" ")} ms, mean ${mean.toFixed(0)} ms`);
const arenaMb = arenaTree === undefined ? "" : `, arena ${((arenaTree.arena.capacity * 64) / 1e6).toFixed(0)} MB (${arenaTree.arena.liveSlots} live slots, high water ${arenaTree.arena.highWater})`;
for (let i = 0; i < (WORKER_AB || ORDER_AB || LEAVES_AB || EARLY_AB || PUBLISH_AB ? 2 : 1); i++) {
  const p = phases[i]!;
  const ms = (ns: number): string => (ns / 1e6 / p.n).toFixed(0);
  const label = PUBLISH_AB ? (i === 1 ? "early listing published once" : "early listing published every 64") : EARLY_AB ? (i === 1 ? "hashing during the apply" : "hashing after the apply") : LEAVES_AB ? (i === 1 ? "leaves on the worker" : "leaves on the main thread") : WORKER_AB ? (i === 1 ? "with worker" : "serial") : ORDER_AB ? (i === 1 ? "save walks the hash pass's list" : "save walks the tree") : "per block";
  console.log(`${label} (schedstat, ${p.n} blocks): main CPU ${ms(p.cpu)} ms = apply ${ms(p.apply)} + workingHash ${ms(p.hash)} + save/encode ${ms(p.save)} ms; wall: workingHash ${ms(p.hashWall)} ms, block ${ms(p.blockWall)} ms${WORKER ? `; worker CPU ${(p.workerMs / p.n).toFixed(0)} ms` : ""}`);
}
console.log(`full GC ${gcBefore} ms before the blocks, ${gcAfter} ms after; heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB${arenaMb}`);
console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}; tree size ${tree.size}, root ${Buffer.from(tree.workingHash()).toString("hex")}`);
if (hashWorker !== undefined) {
  if (arenaTree !== undefined) console.log(`early listing: ${JSON.stringify(arenaTree.earlyStats)}, touch waits ${hashWorker.touchWaits}`);
  console.log(`hash worker: ${hashWorker.passes} passes, ${hashWorker.workerHashed} nodes hashed on the worker, main thread waited ${hashWorker.waitMs.toFixed(0)} ms in all; ${hashWorker.wakes} wake-ups (wake-min ${hashWorker.wakeMin})`);
  void hashWorker.close();
}

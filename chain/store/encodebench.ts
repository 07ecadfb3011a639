/**
 * Micro benchmark (prints figures; not a test) of the commit's inner-page path with the hash
 * worker: ArenaNodeWriter over 80,000 inner slots whose keys are scattered over 1,000,000 key
 * strings (as after a 10,000-write block on a 1M-key tree). Prints the main thread's CPU
 * (schedstat) per pass; the worker encodes and frames the pages meanwhile (README "Round 9").
 *
 *   node --import tsx chain/store/encodebench.ts [--reps 12] [--no-worker]
 *
 * --no-worker: every page encoded and framed on the main thread (the store's default).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { NodeArena } from "./arena";
import { ArenaHashWorker } from "./arenahash";
import { ArenaNodeWriter } from "./arenawriter";
import { StoreKeys } from "./nodedb";

const N = 1_000_000;
const INNER = 80_000;
const ri = process.argv.indexOf("--reps");
const REPS = ri >= 0 ? Number(process.argv[ri + 1]) : 12;
const NO_WORKER = process.argv.includes("--no-worker");

const threadMs = (): number => Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6;

const a = new NodeArena(N + INNER + 64, { shared: true });
const leaves: number[] = [];
const hash = "h".repeat(32);
for (let i = 0; i < N; i++) {
  const s = a.alloc(randomBytes(32).toString("latin1"), "v".repeat(100), 0, 1);
  a.setVersion(s, 1);
  a.setNonce(s, 2 ** 31 + 1 + i);
  a.setHashLatin1(s, hash);
  leaves.push(s);
}
const inner: number[] = [];
for (let i = 0; i < INNER; i++) {
  const s = a.alloc(a.keys[leaves[(i * 7919) % N]!]!, undefined, 1, 2);
  a.setLeft(s, leaves[(i * 104729) % N]!);
  a.setRight(s, leaves[(i * 15485863) % N]!);
  inner.push(s);
}
const w = new ArenaHashWorker({ minNodes: 0 });
const keys = new StoreKeys("bank");
let bytes = 0;
const sink = {
  put(_k: Uint8Array, v: Uint8Array): void {
    bytes += v.length;
  },
};
const ms: number[] = [];
for (let rep = 0; rep < REPS; rep++) {
  for (let i = 0; i < INNER; i++) {
    a.setVersion(inner[i]!, 2 + rep);
    a.setNonce(inner[i]!, i + 1);
  }
  const t0 = threadMs();
  const wr = new ArenaNodeWriter(a, keys, sink, NO_WORKER ? undefined : w);
  for (const s of inner) wr.add(s);
  wr.finish(2 + rep);
  ms.push(threadMs() - t0);
}
const sorted = [...ms].sort((x, y) => x - y);
console.log(`${NO_WORKER ? "no worker: " : "with the hash worker: "}main-thread CPU per ${INNER.toLocaleString("en-US")} inner nodes: ${ms.map((x) => x.toFixed(1)).join(" ")} ms; median ${sorted[sorted.length >> 1]!.toFixed(1)} ms`);
console.log(`page bytes per pass ${(bytes / REPS).toFixed(0)}, worker CPU per pass ${(w.workerCpuMs / REPS).toFixed(1)} ms, load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
void w.close();

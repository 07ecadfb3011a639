/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): top functions by self time, and total time
 * under selected functions (inclusive), e.g. the App's ABCI handlers.
 *
 *   npx tsx test/bench/cpuprofile-summary.ts <file.cpuprofile> [top=25] [fn1,fn2,...]
 */
import * as fs from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
  hitCount?: number;
}

const [file, topArg, fnsArg] = process.argv.slice(2);
if (!file) throw new Error("usage: cpuprofile-summary.ts <file.cpuprofile> [top] [fn1,fn2]");
const prof = JSON.parse(fs.readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
// Time per sample: the following delta (V8 convention).
const selfUs = new Map<number, number>();
for (let i = 0; i < prof.samples.length; i++) {
  const dt = prof.timeDeltas[i + 1] ?? 0;
  selfUs.set(prof.samples[i]!, (selfUs.get(prof.samples[i]!) ?? 0) + dt);
}
const label = (n: Node) => `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.replace(/^.*\/(chain|modules|node_modules|test)\//, "$1/")}:${n.callFrame.lineNumber + 1}`;
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const idle = [...selfUs].filter(([id]) => byId.get(id)!.callFrame.functionName === "(idle)").reduce((a, [, v]) => a + v, 0);
console.log(`profile ${((prof.endTime - prof.startTime) / 1e6).toFixed(1)} s wall, ${(total / 1e6).toFixed(1)} s sampled, busy ${((total - idle) / 1e6).toFixed(1)} s`);

const self = new Map<string, number>();
for (const [id, us] of selfUs) {
  const k = label(byId.get(id)!);
  self.set(k, (self.get(k) ?? 0) + us);
}
const top = Number(topArg ?? 25);
console.log(`\ntop ${top} by self time (ms, % of busy):`);
for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${(us / 1000).toFixed(0).padStart(8)}  ${((100 * us) / (total - idle)).toFixed(1).padStart(5)}%  ${k}`);
}

const fns = (fnsArg ?? "checkTx,prepareProposal,processProposal,finalizeBlock,commit,query,encode,decode").split(",");
console.log(`\ninclusive time under (outermost frame of that name only):`);
for (const fn of fns) {
  let us = 0;
  for (const [id, t] of selfUs) {
    // count the sample if any ancestor (or itself) has that function name
    let cur: number | undefined = id;
    while (cur !== undefined) {
      if (byId.get(cur)!.callFrame.functionName === fn) {
        us += t;
        break;
      }
      cur = parent.get(cur);
    }
  }
  console.log(`${(us / 1000).toFixed(0).padStart(8)} ms  ${((100 * us) / (total - idle)).toFixed(1).padStart(5)}%  ${fn}`);
}

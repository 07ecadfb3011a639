/**
 * Summarises a V8 heap snapshot: self size and count per (type, constructor name),
 * the largest first — what a heap is made of (README "(a) round 7").
 *
 *   npx tsx test/bench/heapsummary.ts <file.heapsnapshot> [N]
 */
import * as fs from "node:fs";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

const file = process.argv[2];
if (file === undefined) throw new Error("usage: heapsummary.ts <file.heapsnapshot> [N]");
const top = Number(process.argv[3] ?? 30);
const snap = JSON.parse(fs.readFileSync(file, "utf8")) as Snapshot;
const fields = snap.snapshot.meta.node_fields;
const types = snap.snapshot.meta.node_types[0];
const F = fields.length;
const iType = fields.indexOf("type");
const iName = fields.indexOf("name");
const iSize = fields.indexOf("self_size");
const by = new Map<string, { n: number; bytes: number }>();
let total = 0;
for (let i = 0; i < snap.nodes.length; i += F) {
  const type = types[snap.nodes[i + iType]!]!;
  let name = type === "object" || type === "closure" ? snap.strings[snap.nodes[i + iName]!]! : type;
  if (type === "array" || type === "hidden" || type === "code") name = `${type}: ${snap.strings[snap.nodes[i + iName]!]!.slice(0, 40)}`;
  const size = snap.nodes[i + iSize]!;
  total += size;
  const g = by.get(name) ?? { n: 0, bytes: 0 };
  g.n++;
  g.bytes += size;
  by.set(name, g);
}
console.log(`${(total / 1048576).toFixed(1)} MB in ${snap.nodes.length / F} objects`);
for (const [k, g] of [...by].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top)) {
  console.log(`${(g.bytes / 1048576).toFixed(1).padStart(8)} MB ${String(g.n).padStart(9)}  ${k}`);
}

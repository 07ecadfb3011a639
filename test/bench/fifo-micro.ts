/**
 * Why the bounded caches evict through a KeyQueue (chain/util/fifo.ts) and not `map.keys().next()`:
 * CPU µs per insert into a full 50,000-entry Map with ~310-character keys (a tx as latin1), oldest
 * evicted each time, both ways.
 *   npx tsx test/bench/fifo-micro.ts
 */
import { KeyQueue } from "../../chain/util/fifo";

const CAP = 50_000;
const OPS = 200_000;
const key = (i: number) => "k".repeat(300) + i;

function run(name: string, evict: (m: Map<string, number>, q: KeyQueue<string>) => void): void {
  const m = new Map<string, number>();
  const q = new KeyQueue<string>();
  for (let i = 0; i < CAP; i++) {
    m.set(key(i), i);
    q.push(key(i));
  }
  const u0 = process.cpuUsage();
  for (let i = CAP; i < CAP + OPS; i++) {
    evict(m, q);
    const k = key(i);
    m.set(k, i);
    q.push(k);
  }
  const u = process.cpuUsage(u0);
  console.log(`${name}: ${((u.user + u.system) / OPS).toFixed(2)} µs per insert (size ${m.size})`);
}

for (let r = 0; r < 2; r++) {
  run("map.keys().next()", (m) => m.delete(m.keys().next().value!));
  run("KeyQueue          ", (m, q) => m.delete(q.shift()!));
}

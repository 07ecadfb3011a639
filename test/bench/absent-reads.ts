/**
 * CPU of 10,000 distinct absent module-account-marker reads (bank's blocked-recipient check) through
 * the store on a filled state, with the auth store's marker range held whole in the latest-value
 * cache (InternalStoreOptions.completePrefixes, as the node opens it) and without (LevelDB reads).
 * Reads only. Usage: BENCH_DIR=<copy of .bench/state> npx tsx test/bench/absent-reads.ts
 */
import * as path from "node:path";
import { createHash } from "node:crypto";
import { openMultiStore } from "../../chain/store";
import { moduleAddressMarkerKey } from "../../modules/auth/keys";
import { completePrefixesFor } from "../../chain/node/storeranges";

const dir = process.env.BENCH_DIR;
if (dir === undefined) throw new Error("set BENCH_DIR to a filled bench state (a copy: LevelDB may compact it)");
const names = ["auth", "bank", "consensus"];

async function run(complete: boolean, seed: string): Promise<void> {
  const store = await openMultiStore({ dir: path.join(dir!, "data"), storeNames: names, completePrefixes: complete ? completePrefixesFor(names) : {} });
  const keys = Array.from({ length: 10_000 }, (_, i) => moduleAddressMarkerKey(createHash("sha256").update(`${seed}/${i}`).digest().subarray(0, 20)));
  const auth = store.getStore("auth");
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let found = 0;
  for (const k of keys) if (auth.has(k)) found++;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1000;
  console.log(`${complete ? "complete prefix" : "LevelDB        "}: 10,000 absent marker reads ${(performance.now() - t0).toFixed(0)} ms wall, ${cpu.toFixed(0)} ms process CPU (${((cpu * 1000) / keys.length).toFixed(1)} µs/read), ${found} found`);
  await store.close();
}

void (async () => {
  for (let r = 0; r < 3; r++) {
    await run(false, `ldb${r}`);
    await run(true, `mem${r}`);
  }
})();

/**
 * Same inputs → same AppHash on every run (DESIGN.md §6; SDK TestAppStateDeterminism; anchor B6 #1):
 * each seed runs SIM_RUNS times on fresh LevelDB dirs and must give the identical AppHash at every
 * height (and identical tx results: codes, logs, gas, events); different seeds must diverge.
 * Every run also checks each tx's code against the model and the whole auth/bank state + bank
 * invariants after every block (anchor B6 #5).
 */
import { envInt, envSeeds, runSim } from "./sim";
import { TempDirs } from "./tmp";

const SEEDS = envSeeds(["alpha", "bravo", "charlie"]);
const RUNS = envInt("SIM_RUNS", 3);
const BLOCKS = envInt("SIM_BLOCKS", 8);
const TXS = envInt("SIM_TXS", 30);
const TIMEOUT = envInt("SIM_TIMEOUT_MS", 600_000);

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

const firstRun = new Map<string, string[]>();

describe.each(SEEDS)("seed %s", (seed) => {
  test(
    `${RUNS} runs × ${BLOCKS} blocks × ${TXS} txs: identical AppHash and tx results at every height`,
    async () => {
      let ref: { hashes: string[]; results: string[] } | undefined;
      for (let run = 0; run < RUNS; run++) {
        const r = await runSim({ seed, dir: dirs.next(`${seed}-${run}`), blocks: BLOCKS, txsPerBlock: TXS });
        const hashes = r.blocks.map((b) => b.appHash);
        const results = r.blocks.map((b) => b.resultsDigest);
        expect(hashes).toHaveLength(BLOCKS);
        if (!ref) {
          ref = { hashes, results };
          firstRun.set(seed, hashes);
          // The run exercised success and failure paths (sanity of the generator).
          const codes = new Set(r.blocks.flatMap((b) => b.results.map((x) => `${x.code[0]}/${x.code[1]}`)));
          if (BLOCKS * TXS >= 200) expect([...codes].sort()).toEqual(expect.arrayContaining(["/0", "sdk/5", "bank/11", "sdk/11"]));
        } else {
          
          for (let h = 0; h < BLOCKS; h++) {
            if (hashes[h] !== ref.hashes[h]) throw new Error(`seed ${seed} run ${run}: AppHash differs at height ${h + 1}: ${hashes[h]} vs ${ref.hashes[h]}`);
            if (results[h] !== ref.results[h]) throw new Error(`seed ${seed} run ${run}: tx results differ at height ${h + 1}`);
          }
        }
      }
    },
    TIMEOUT,
  );
});

test("different seeds give different AppHashes (sanity)", () => {
  const finals = SEEDS.map((s) => firstRun.get(s)?.[BLOCKS - 1]).filter((x): x is string => x !== undefined);
  expect(finals.length).toBe(SEEDS.length);
  expect(new Set(finals).size).toBe(SEEDS.length);
});

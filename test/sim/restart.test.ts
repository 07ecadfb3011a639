/**
 * Restarting mid-run changes nothing: a run whose App is closed after Commit at some heights and
 * reopened from disk (fresh process state: empty signature cache, rebuilt CheckTx state), and
 * a run that crashes between FinalizeBlock and Commit and replays that block, give the same
 * AppHash and tx results (codes, logs, gas, events) at every height as an uninterrupted run.
 */
import { envInt, runSim } from "./sim";
import { TempDirs } from "./tmp";

const BLOCKS = Math.max(envInt("SIM_BLOCKS", 8), 4);
const TXS = envInt("SIM_TXS", 30);
const TIMEOUT = envInt("SIM_TIMEOUT_MS", 600_000);
const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

test(
  `restart after Commit and crash before Commit (${BLOCKS} blocks × ${TXS} txs) match an uninterrupted run`,
  async () => {
    const seed = "restart";
    const straight = await runSim({ seed, dir: dirs.next("straight"), blocks: BLOCKS, txsPerBlock: TXS, checkState: false });
    const restartAfter = [1, Math.floor(BLOCKS / 2), BLOCKS - 1];
    const crashBeforeCommitAt = [2, BLOCKS];
    const bumpy = await runSim({ seed, dir: dirs.next("bumpy"), blocks: BLOCKS, txsPerBlock: TXS, restartAfter, crashBeforeCommitAt });
    expect(bumpy.blocks.map((b) => b.appHash)).toEqual(straight.blocks.map((b) => b.appHash));
    expect(bumpy.blocks.map((b) => b.resultsDigest)).toEqual(straight.blocks.map((b) => b.resultsDigest));
    // gas per tx is part of the digest; spelled out because it is the classic cache-dependent divergence
    expect(bumpy.blocks.flatMap((b) => b.results.map((r) => r.gasUsed))).toEqual(straight.blocks.flatMap((b) => b.results.map((r) => r.gasUsed)));
  },
  TIMEOUT,
);

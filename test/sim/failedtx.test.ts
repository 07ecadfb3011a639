/**
 * A failed tx leaves no trace beyond its fee and sequence (anchor B6 #20; Penumbra state_tx,
 * Huckleberry): in every block with failures, the AppHash equals the AppHash of the same block
 * where each tx that failed in the ante is dropped and each tx that failed in its messages
 * (insufficient funds, blocked module recipient, a later message of a multi-message tx failing,
 * out of gas) is replaced by a no-op self-send with the same signer, sequence and fee.
 * (The variant is FinalizeBlock'ed first and then replaced by the real block, the App's
 * "FinalizeBlock again without Commit" path, so both run on exactly the same state.)
 * Also: failed txs emit no message events (only the ante's `tx` events).
 */
import { envInt, runSim } from "./sim";
import { TempDirs } from "./tmp";

const BLOCKS = envInt("SIM_BLOCKS", 8);
const TXS = envInt("SIM_TXS", 30);
const TIMEOUT = envInt("SIM_TIMEOUT_MS", 600_000);
const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

test(
  `${BLOCKS} blocks × ${TXS} txs: every block's AppHash = the AppHash with its failed txs dropped / replaced by no-ops`,
  async () => {
    const r = await runSim({ seed: "failed-tx", dir: dirs.next("fork"), blocks: BLOCKS, txsPerBlock: TXS, forkCheckEvery: 1, keepOpen: false });
    const failures = r.blocks.flatMap((b) => b.results.filter((x) => x.code[1] !== 0));
    expect(failures.length).toBeGreaterThan(BLOCKS); // the check compared something
    const kinds = new Set(failures.map((f) => `${f.code[0]}/${f.code[1]}`));
    if (BLOCKS * TXS >= 200) expect([...kinds]).toEqual(expect.arrayContaining(["sdk/5", "bank/11", "sdk/11"]));
  },
  TIMEOUT,
);

/**
 * Jest global setup: make sure CometBFT v0.38.25 is there ONCE before any e2e suite starts (a
 * fresh machine builds it here, with progress, instead of inside a test's timeout). Never fatal:
 * without Go the e2e suites fail with ensureCometbft's instructions, the unit tests still run.
 */
import { ensureCometbft } from "../../chain/node/cometbft";

export default async function globalSetup(): Promise<void> {
  try {
    await ensureCometbft({ say: (m) => process.stderr.write(`[e2e setup] ${m}\n`) });
  } catch (e) {
    process.stderr.write(`[e2e setup] WARNING: ${(e as Error).message}\n[e2e setup] e2e tests against CometBFT will fail.\n`);
  }
}

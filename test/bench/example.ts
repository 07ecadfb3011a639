/** The README's example, runnable: npx tsx test/bench/example.ts */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openMultiStore, verifyStoreProof } from "../../chain/store";

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "hashgrid-db-"));
  const cms = await openMultiStore({ dir, storeNames: ["auth", "bank", "ibc"] });
  if (cms.lastCommit.version === 0) cms.setInitialVersion(1); // InitChain's initial_height
  const block = cms.branch(); // FinalizeBlock: one branch per block
  const tx = block.branch(); // per tx (and per message)
  tx.getStore("bank").set(Buffer.from("balance/alice"), Buffer.from("100"));
  tx.write(); // success: into the block; failure: drop tx
  block.write(); // into the root's pending layer
  const appHash = cms.workingHash(); // returned in ResponseFinalizeBlock
  const { version } = await cms.commit(); // Commit: one atomic LevelDB batch
  const q = cms.query("bank", Buffer.from("balance/alice"), version, true);
  console.log("version", version, "appHash", Buffer.from(appHash).toString("hex"));
  console.log("value", Buffer.from(q.value!).toString(), "proof verifies:", verifyStoreProof(appHash, "bank", Buffer.from("balance/alice"), q.value, q.proofOps!));
  await cms.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

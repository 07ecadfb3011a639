/**
 * A 4-validator network (the localnet layout: separate homes, persistent peers) reaches height 8
 * with every node agreeing on the block hashes and AppHashes.
 */
import { startTestNet, type TestNet } from "./helpers/devnet";

jest.setTimeout(240_000);

let tnet: TestNet | undefined;
afterAll(async () => tnet?.stop());

test("4 validators make blocks and agree on every AppHash", async () => {
  tnet = await startTestNet({ validators: 4, timeoutCommit: "300ms" });
  for (let i = 0; i < 4; i++) await tnet.waitForHeight(8, 180_000, i);
  const validators = await tnet.rpc<{ total: string }>("/validators");
  expect(validators.total).toBe("4");
  for (let h = 2; h <= 8; h++) {
    const headers = await Promise.all(
      [0, 1, 2, 3].map((i) => tnet!.rpc<{ block_id: { hash: string }; block: { header: { app_hash: string } } }>(`/block?height=${h}`, i)),
    );
    const ids = new Set(headers.map((b) => `${b.block_id.hash}/${b.block.header.app_hash}`));
    expect(ids.size).toBe(1);
  }
});

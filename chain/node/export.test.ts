/**
 * Genesis export/import round trip on the real LevelDB/IAVL store, through the same code paths as
 * `hashgrid export` (openApp + exportGenesis) and InitChain.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App, appStoreNames } from "../app/app";
import { ModuleManager } from "../app/manager";
import { openMultiStore } from "../store";
import { paths } from "./config";
import { exportGenesis } from "./export";
import { writeGenesis, type GenesisDoc } from "./genesis";
import { kvModule, TestRunner, type KvGenesis, kvBlock, time } from "../../test/helpers/appFixtures";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const params = {
  block: { maxBytes: 22020096n, maxGas: -1n },
  evidence: { maxAgeNumBlocks: 100000n, maxAgeDuration: { seconds: 172800n, nanos: 0 }, maxBytes: 1048576n },
  validator: { pubKeyTypes: ["ed25519"] },
  version: { app: 0n },
  abci: { voteExtensionsEnableHeight: 0n },
};

async function openTestApp(dir: string): Promise<{ app: App; close: () => Promise<void> }> {
  const manager = new ModuleManager([kvModule()]);
  const store = await openMultiStore({ dir, storeNames: appStoreNames(manager) });
  return { app: new App({ store, manager, txRunner: new TestRunner(), logger: silent }), close: () => store.close() };
}

let tmp: string;
beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hashgrid-export-"))));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("export → InitChain → export round trip; two imports agree on every AppHash", async () => {
  const home = path.join(tmp, "src");
  const original: GenesisDoc = {
    genesis_time: "2026-01-01T00:00:00Z",
    chain_id: "roundtrip-1",
    initial_height: "1",
    validators: [{ address: "AA", pub_key: { type: "tendermint/PubKeyEd25519", value: "x" }, power: "10", name: "v0" }],
    app_hash: "",
    app_state: { kv: { entries: [{ key: "g", value: "1" }] } },
  };
  writeGenesis(paths(home).genesis, original);
  const src = await openTestApp(paths(home).appData);
  src.app.initChain({ time: time(1_700_000_000), chainId: "roundtrip-1", consensusParams: params, validators: [], appStateBytes: Buffer.from(JSON.stringify(original.app_state)), initialHeight: 1n });
  for (let h = 1n; h <= 6n; h++) {
    src.app.finalizeBlock(kvBlock(h, [`set k${h} ${h * 7n}`, "bad"]));
    await src.app.commit();
  }
  await src.close();

  const doc = await exportGenesis(home, silent, [kvModule()]);
  expect(doc.initial_height).toBe("7");
  expect(doc.chain_id).toBe("roundtrip-1");
  expect(doc.validators).toEqual(original.validators);
  expect(doc.consensus_params).toEqual({
    block: { max_bytes: "22020096", max_gas: "-1" },
    evidence: { max_age_num_blocks: "100000", max_age_duration: "172800000000000", max_bytes: "1048576" },
    validator: { pub_key_types: ["ed25519"] },
    version: { app: "0" },
    abci: { vote_extensions_enable_height: "0" },
  });
  const entries = (doc.app_state.kv as KvGenesis).entries;
  expect(entries).toContainEqual({ key: "g", value: "1" });
  expect(entries).toContainEqual({ key: "k6", value: "42" });
  expect(entries).toHaveLength(7);

  const fileBytes = Buffer.from(JSON.stringify(doc, null, 2)); // what `hashgrid export -o` writes
  const hashes: string[][] = [];
  for (const name of ["import-a", "import-b"]) {
    const dst = await openTestApp(path.join(tmp, name));
    const g = JSON.parse(fileBytes.toString()) as GenesisDoc;
    dst.app.initChain({ time: time(1_700_000_100), chainId: g.chain_id, consensusParams: params, validators: [], appStateBytes: Buffer.from(JSON.stringify(g.app_state)), initialHeight: BigInt(g.initial_height) });
    const hs: string[] = [];
    for (let h = 7n; h <= 9n; h++) {
      hs.push(Buffer.from(dst.app.finalizeBlock(kvBlock(h, [`set n${h} ${h}`])).appHash).toString("hex"));
      await dst.app.commit();
    }
    expect(dst.app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" }).lastBlockHeight).toBe(9n);
    hashes.push(hs);
    if (name === "import-a") {
      // export of the imported chain holds the same module state (plus what blocks 7–9 added)
      const again = dst.app.exportState().appState.kv as KvGenesis;
      expect(again.entries.filter((e) => !e.key.startsWith("n"))).toEqual(entries);
    }
    await dst.close();
  }
  expect(hashes[0]).toEqual(hashes[1]);
});

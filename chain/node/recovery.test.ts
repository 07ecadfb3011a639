/**
 * Crash-recovery paths of the App on the real LevelDB/IAVL store (the e2e tests cover them with
 * CometBFT; these pin the exact ABCI sequences).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App, appStoreNames } from "../app/app";
import { ModuleManager } from "../app/manager";
import { openMultiStore } from "../store";
import { kvModule, TestRunner, kvBlock, time } from "../../test/helpers/appFixtures";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const info = { version: "0.38.25", blockVersion: 11n, p2pVersion: 8n, abciVersion: "2.0.0" };
const genesis = {
  time: time(1_700_000_000),
  chainId: "crash-1",
  consensusParams: { block: { maxBytes: 22020096n, maxGas: -1n } },
  validators: [],
  appStateBytes: Buffer.from(JSON.stringify({ kv: { entries: [{ key: "a", value: "1" }] } })),
  initialHeight: 1n,
};
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

async function open(dir: string) {
  const manager = new ModuleManager([kvModule()]);
  const store = await openMultiStore({ dir, storeNames: appStoreNames(manager) });
  return { app: new App({ store, manager, txRunner: new TestRunner(), logger: silent }), store };
}

let tmp: string;
beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hashgrid-recovery-"))));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("crash after InitChain + FinalizeBlock, before the first Commit: InitChain again gives the same hashes", async () => {
  const ref = await open(path.join(tmp, "ref"));
  ref.app.initChain(genesis);
  const h1 = hex(ref.app.finalizeBlock(kvBlock(1n, ["set x 1"])).appHash);
  await ref.app.commit();
  const h2 = hex(ref.app.finalizeBlock(kvBlock(2n, ["set y 2"])).appHash);
  await ref.app.commit();
  await ref.store.close();

  const dir = path.join(tmp, "crash");
  const a = await open(dir);
  a.app.initChain(genesis);
  a.app.finalizeBlock(kvBlock(1n, ["set x 1"]));
  await a.store.close(); // "crash": nothing was committed
  const b = await open(dir);
  expect(b.app.info(info).lastBlockHeight).toBe(0n);
  b.app.initChain(genesis);
  b.app.finalizeBlock(kvBlock(1n, ["set x 1"]));
  b.app.initChain(genesis); // CometBFT restarted while the app stayed up: InitChain again in the same process
  expect(hex(b.app.finalizeBlock(kvBlock(1n, ["set x 1"])).appHash)).toBe(h1);
  await b.app.commit();
  // CometBFT restarted after FinalizeBlock(2) but before Commit: it replays height 2
  b.app.finalizeBlock(kvBlock(2n, ["set y 999"]));
  expect(hex(b.app.finalizeBlock(kvBlock(2n, ["set y 2"])).appHash)).toBe(h2);
  await b.app.commit();
  await b.store.close();
  const c = await open(dir);
  const i = c.app.info(info);
  expect([i.lastBlockHeight, hex(i.lastBlockAppHash)]).toEqual([2n, h2]);
  await c.store.close();
});

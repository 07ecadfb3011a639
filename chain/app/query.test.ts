/**
 * Queries, Simulate and export read the COMMITTED state at the requested height, on the real
 * LevelDB multistore: never the block between FinalizeBlock and Commit; past heights are served
 * (ResponseQuery.height = the version read); future and pruned heights answer with an error code.
 */
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { App, appStoreNames } from "./app";
import { ModuleManager } from "./manager";
import type { TxEnv, TxResult, TxRunner } from "./types";
import { dec, enc, kvModule, TestRunner, kvBlock, time } from "../../test/helpers/appFixtures";
import { openMultiStore } from "../store/multistore";
import { tempDir } from "../store/testutil";
import type { CommitMultiStore } from "../store/types";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** TestRunner plus "get k": data = the value of k as the tx sees it (proves what Simulate reads). */
class ReadingRunner implements TxRunner {
  private readonly inner = new TestRunner();
  run(env: TxEnv, tx: Uint8Array): TxResult {
    const s = dec(tx)!;
    if (s.startsWith("get ")) {
      const v = env.store.getStore("kv").get(enc(`e/${s.slice(4)}`));
      return { code: 0, codespace: "", log: "", data: v ?? new Uint8Array(), gasWanted: 10n, gasUsed: 5n, events: [] };
    }
    return this.inner.run(env, tx);
  }
}

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

async function setup(keepRecent = 0): Promise<{ app: App; store: CommitMultiStore }> {
  const manager = new ModuleManager([kvModule()]);
  const t = tempDir("hg-appq-");
  cleanups.push(t.cleanup);
  const store = await openMultiStore({ dir: t.dir, storeNames: appStoreNames(manager), keepRecent });
  const app = new App({ store, manager, txRunner: new ReadingRunner(), logger: silent });
  app.initChain({
    time: time(1_700_000_000),
    chainId: "test-1",
    consensusParams: { block: { maxBytes: 22020096n, maxGas: -1n } },
    validators: [],
    appStateBytes: Buffer.from(JSON.stringify({ kv: { entries: [{ key: "a", value: "1" }] } })),
    initialHeight: 1n,
  });
  return { app, store };
}


const get = (app: App, key: string, height = 0n) => app.query({ path: "/test.kv.v1.Query/Get", data: enc(key), height, prove: false });
const simulate = (app: App, tx: string, height = 0n) => app.query({ path: "/cosmos.tx.v1beta1.Service/Simulate", data: SimulateRequest.encode({ txBytes: enc(tx) } as SimulateRequest).finish(), height, prove: false });

describe("queries read committed state", () => {
  test("between FinalizeBlock and Commit every query path answers from the last committed height", async () => {
    const { app, store } = await setup();
    for (const [h, v] of [[1n, "1"], [2n, "2"]] as const) {
      app.finalizeBlock(kvBlock(h, [`set a ${v}`]));
      await app.commit();
    }
    // Block 3 sets a=3 and adds n; pending until Commit.
    app.finalizeBlock(kvBlock(3n, ["set a 3", "set n 9"]));
    expect(dec(store.getStore("kv").get(enc("e/a")))).toBe("3"); // the working view has it

    const q = get(app, "a");
    expect([q.code, dec(q.value), q.height]).toEqual([0, "2", 2n]);
    const missing = get(app, "n");
    expect([missing.code, missing.codespace, missing.height]).toEqual([2, "kv", 2n]);
    const raw = app.query({ path: "/store/kv/key", data: enc("e/a"), height: 0n, prove: false });
    expect([raw.code, dec(raw.value), raw.height]).toEqual([0, "2", 2n]);
    const sim = simulate(app, "get a");
    expect([sim.code, sim.height]).toEqual([0, 2n]);
    expect(dec(SimulateResponse.decode(sim.value).result!.data)).toBe("2");
    expect(app.exportState().appState.kv).toMatchObject({ entries: expect.arrayContaining([{ key: "a", value: "2" }]) });
    expect(app.exportState().height).toBe(2);

    await app.commit();
    const after = get(app, "a");
    expect([after.code, dec(after.value), after.height]).toEqual([0, "3", 3n]);
    expect(dec(get(app, "n").value)).toBe("9");
    await store.close();
  });

  test("CheckTx between FinalizeBlock and Commit runs on the last committed state, then on the new one", async () => {
    const { app, store } = await setup();
    app.finalizeBlock(kvBlock(1n, ["set a 1"]));
    await app.commit();
    app.finalizeBlock(kvBlock(2n, ["set a 2"]));
    const during = app.checkTx({ tx: enc("get a"), type: 0 });
    expect([during.code, dec(during.data)]).toEqual([0, "1"]);
    await app.commit();
    const after = app.checkTx({ tx: enc("get a"), type: 0 });
    expect([after.code, dec(after.data)]).toEqual([0, "2"]);
    await store.close();
  });

  test("gRPC-path queries and Simulate at a past height read that height; future heights are refused", async () => {
    const { app, store } = await setup();
    for (const [h, v] of [[1n, "1"], [2n, "2"], [3n, "3"]] as const) {
      app.finalizeBlock(kvBlock(h, [`set a ${v}`]));
      await app.commit();
    }
    for (const h of [1n, 2n, 3n]) {
      const q = get(app, "a", h);
      expect([q.code, dec(q.value), q.height]).toEqual([0, h.toString(), h]);
    }
    const sim = simulate(app, "get a", 2n);
    expect([sim.code, sim.height, dec(SimulateResponse.decode(sim.value).result!.data)]).toEqual([0, 2n, "2"]);
    // Simulate wrote nothing (the runner's "set" in simulate mode lands in a throw-away branch).
    expect(simulate(app, "set a 100").code).toBe(0);
    expect(dec(get(app, "a").value)).toBe("3");
    expect(dec(store.getStore("kv").get(enc("e/a")))).toBe("3");

    const future = get(app, "a", 4n);
    expect(future.code).not.toBe(0);
    expect([future.codespace, future.height]).toEqual(["sdk", 3n]);
    expect(future.log).toMatch(/cannot query with height in the future; please provide a valid height/);
    const futureRaw = app.query({ path: "/store/kv/key", data: enc("e/a"), height: 9n, prove: true });
    expect(futureRaw.code).not.toBe(0);
    expect(futureRaw.log).toMatch(/height in the future/);
    const futureSim = simulate(app, "get a", 4n);
    expect(futureSim.code).not.toBe(0);
    const negative = get(app, "a", -1n);
    expect([negative.code, negative.codespace]).toEqual([18, "sdk"]);
    await store.close();
  });

  test("a pruned height answers with a code and a log naming the height and the retained range", async () => {
    const { app, store } = await setup(2);
    for (let h = 1n; h <= 4n; h++) {
      app.finalizeBlock(kvBlock(h, [`set a ${h}`]));
      await app.commit();
    }
    expect(store.earliestVersion).toBe(3);
    for (const path of ["/test.kv.v1.Query/Get", "/store/kv/key", "/cosmos.tx.v1beta1.Service/Simulate"]) {
      const r = app.query({ path, data: path.startsWith("/cosmos") ? SimulateRequest.encode({ txBytes: enc("get a") } as SimulateRequest).finish() : enc(path.startsWith("/store") ? "e/a" : "a"), height: 1n, prove: false });
      expect([r.code, r.codespace]).toEqual([18, "sdk"]);
      expect(r.log).toMatch(/failed to load state at height 1; version does not exist \(earliest retained: 3, latest height: 4\)/);
    }
    const ok = get(app, "a", 3n);
    expect([ok.code, dec(ok.value), ok.height]).toEqual([0, "3", 3n]);
    expect(() => app.exportState(1)).toThrow(/version 1 does not exist/);
    expect(app.exportState(3).appState.kv).toMatchObject({ entries: expect.arrayContaining([{ key: "a", value: "3" }]) });
    await store.close();
  });

  test("before the first Commit: queries and export read the InitChain genesis, or answer 'not ready' once block 1 is pending", async () => {
    const { app, store } = await setup();
    // Between InitChain and the first FinalizeBlock: the genesis InitChain applied, at height 0.
    const g = get(app, "a");
    expect([g.code, dec(g.value), g.height]).toEqual([0, "1", 0n]);
    expect(get(app, "a", 1n).log).toMatch(/height in the future/);
    // Export before the first Commit: the genesis InitChain applied (re-export of an import)...
    expect(app.exportState()).toMatchObject({ height: 0, appState: { kv: { entries: [{ key: "a", value: "1" }] } } });
    app.finalizeBlock(kvBlock(1n, ["set a 5"]));
    // ...but once block 1 is finalized and not committed that state is mixed: refused.
    expect(() => app.exportState()).toThrow(/nothing is committed yet and block 1 is finalized but not committed/);
    const q = get(app, "a");
    expect([q.code, q.codespace, q.height]).toEqual([26, "sdk", 0n]);
    expect(q.log).toMatch(/not ready; please wait for first block/);
    expect(simulate(app, "get a").code).toBe(26);
    await app.commit();
    expect(app.exportState()).toMatchObject({ height: 1, appState: { kv: { entries: expect.arrayContaining([{ key: "a", value: "5" }]) } } });
    const after = get(app, "a");
    expect([after.code, dec(after.value), after.height]).toEqual([0, "5", 1n]);
    await store.close();
  });
});

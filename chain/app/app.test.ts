import { CheckTxType, ResponseProcessProposal_ProposalStatus } from "cosmjs-types/tendermint/abci/types";
import { App, appStoreNames, EMPTY_HASH, protoTxSize } from "./app";
import { LateRouter, ModuleManager } from "./manager";
import { consensusParamsKeeper } from "./consensus";
import type { Module } from "./types";
import { dec, enc, kvModule, TestRunner, type KvGenesis, kvBlock, time } from "../../test/helpers/appFixtures";
import { MemStore, newMemDisk, type MemDisk } from "../../test/helpers/memStore";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function makeApp(disk: MemDisk, modOpts: { explodeAtHeight?: bigint } = {}): App {
  const manager = new ModuleManager([kvModule(modOpts)]);
  return new App({ store: new MemStore(appStoreNames(manager), disk), manager, txRunner: new TestRunner(), logger: silent });
}

const genesisReq = (appState: unknown, initialHeight = 1n) => ({
  time: time(1_700_000_000),
  chainId: "test-1",
  consensusParams: { block: { maxBytes: 22020096n, maxGas: -1n } },
  validators: [],
  appStateBytes: Buffer.from(JSON.stringify(appState)),
  initialHeight,
});
const info = { version: "0.38.25", blockVersion: 11n, p2pVersion: 8n, abciVersion: "2.0.0" };

async function runBlocks(app: App, from: bigint, to: bigint, txs: (h: bigint) => string[] = () => []): Promise<Uint8Array[]> {
  const hashes: Uint8Array[] = [];
  for (let h = from; h <= to; h++) {
    const r = app.finalizeBlock(kvBlock(h, txs(h)));
    hashes.push(r.appHash);
    await app.commit();
  }
  return hashes;
}

describe("App lifecycle", () => {
  test("InitChain validates every section first and names the field", () => {
    const app = makeApp(newMemDisk());
    expect(() => app.initChain(genesisReq({ kv: { entries: [{ key: "a", value: "1" }, { key: "b", value: "-3" }] } }))).toThrow(
      /app_state\.kv: entries\[1\]\.value: "-3" is not a non-negative integer: negative value/,
    );
    expect(() => app.initChain(genesisReq({ kv: { entries: "nope" } }))).toThrow(/app_state\.kv: entries: must be a list/);
    expect(() => app.initChain({ ...genesisReq({}), appStateBytes: Buffer.from("{not json") })).toThrow(/not valid JSON/);
    // nothing was applied by the failed attempts
    const r = app.initChain(genesisReq({ kv: { entries: [{ key: "a", value: "1" }] }, bank: { balances: [] } }));
    expect(r.appHash).toEqual(EMPTY_HASH);
    expect(r.validators).toEqual([]);
  });

  test("blocks commit; a restarted app reports the same height and AppHash; crash before Commit loses the block only", async () => {
    const disk = newMemDisk();
    const app = makeApp(disk);
    expect(app.info(info).lastBlockHeight).toBe(0n);
    app.initChain(genesisReq({ kv: { entries: [{ key: "a", value: "1" }] } }, 5n));
    const hashes = await runBlocks(app, 5n, 8n, (h) => [`set k${h} ${h}`]);
    const i1 = app.info(info);
    expect(i1.lastBlockHeight).toBe(8n);
    expect(i1.lastBlockAppHash).toEqual(hashes[3]);

    const app2 = makeApp(disk); // restart
    expect(app2.info(info)).toEqual(i1);
    app2.finalizeBlock(kvBlock(9n, ["set z 9"])); // crash before Commit
    const app3 = makeApp(disk);
    expect(app3.info(info).lastBlockHeight).toBe(8n);
    // replaying height 9 on the restarted app and on the uninterrupted one gives the same hash
    const h9 = app3.finalizeBlock(kvBlock(9n, ["set z 9"])).appHash;
    const ref = makeApp(newMemDisk());
    ref.initChain(genesisReq({ kv: { entries: [{ key: "a", value: "1" }] } }, 5n));
    const refHashes = await runBlocks(ref, 5n, 9n, (h) => (h === 9n ? ["set z 9"] : [`set k${h} ${h}`]));
    expect(Buffer.from(h9).toString("hex")).toBe(Buffer.from(refHashes[4]!).toString("hex"));
  });

  test("crash after InitChain before the first Commit: InitChain again works and gives the same hashes", async () => {
    const disk = newMemDisk();
    const gen = genesisReq({ kv: { entries: [{ key: "a", value: "1" }] } });
    const a = makeApp(disk);
    a.initChain(gen);
    const first = a.finalizeBlock(kvBlock(1n)).appHash; // crash: no Commit
    const b = makeApp(disk);
    expect(b.info(info).lastBlockHeight).toBe(0n);
    b.initChain(gen);
    expect(b.finalizeBlock(kvBlock(1n)).appHash).toEqual(first);
    await b.commit();
    // same process, CometBFT restarted before Commit: InitChain again on a live app also works
    const c = makeApp(newMemDisk());
    c.initChain(gen);
    c.finalizeBlock(kvBlock(1n));
    c.initChain(gen);
    expect(c.finalizeBlock(kvBlock(1n)).appHash).toEqual(first);
    // InitChain on an app with committed state is refused with guidance
    expect(() => b.initChain(gen)).toThrow(/already committed height 1.*Reset both/);
  });

  test("FinalizeBlock repeated without Commit (CometBFT restarted, app alive) replaces the uncommitted block", async () => {
    const app = makeApp(newMemDisk());
    app.initChain(genesisReq({}));
    await runBlocks(app, 1n, 2n);
    const once = app.finalizeBlock(kvBlock(3n, ["set a 1"])).appHash;
    const again = app.finalizeBlock(kvBlock(3n, ["set a 1"])).appHash;
    expect(again).toEqual(once);
    await app.commit();
    expect(app.info(info).lastBlockHeight).toBe(3n);
  });

  test("tx results: failures keep their code, a throwing runner is sdk/1 and does not stop the block", async () => {
    const app = makeApp(newMemDisk());
    app.initChain(genesisReq({}));
    const r = app.finalizeBlock(kvBlock(1n, ["set a 1", "bad sig", "throw", "set b 2"]));
    expect(r.txResults.map((t) => [t.code, t.codespace])).toEqual([
      [0, ""],
      [4, "sdk"],
      [1, "sdk"],
      [0, ""],
    ]);
    expect(r.txResults[2]!.log).toMatch(/internal error: runner bug/);
    expect(r.events.find((e) => e.type === "begin")!.attributes).toEqual([
      { key: "height", value: "1", index: true },
      { key: "mode", value: "BeginBlock", index: true },
    ]);
    await app.commit();
    const q = app.query({ path: "/test.kv.v1.Query/Get", data: enc("b"), height: 0n, prove: false });
    expect([q.code, dec(q.value), q.height]).toEqual([0, "2", 1n]);
  });

  test("indexEvents marks only the listed attributes (SDK index-events); [] indexes all; AppHash and results unchanged", () => {
    const manager = new ModuleManager([kvModule({})]);
    const run = (indexEvents?: readonly string[]) => {
      const app = new App({ store: new MemStore(appStoreNames(manager)), manager, txRunner: new TestRunner(), logger: silent, indexEvents });
      app.initChain(genesisReq({}));
      return app.finalizeBlock(kvBlock(1n, ["set a 1"]));
    };
    const flags = (r: ReturnType<typeof run>) => r.events.filter((e) => e.type === "begin").flatMap((e) => e.attributes.map((a) => `${a.key}:${a.index}`));
    const own = run();
    const listed = run(["begin.height"]);
    const all = run([]);
    expect(flags(own)).toEqual(["height:true", "mode:true"]);
    expect(flags(listed)).toEqual(["height:true", "mode:false"]);
    expect(flags(run(["begin.mode", "other.height"]))).toEqual(["height:false", "mode:true"]);
    expect(flags(all)).toEqual(["height:true", "mode:true"]);
    for (const r of [listed, all]) {
      expect(Buffer.from(r.appHash).toString("hex")).toBe(Buffer.from(own.appHash).toString("hex"));
      expect(r.txResults.map((t) => [t.code, t.gasUsed, t.events.map((e) => e.attributes.map((a) => a.value))])).toEqual(own.txResults.map((t) => [t.code, t.gasUsed, t.events.map((e) => e.attributes.map((a) => a.value))]));
    }
  });

  test("a throwing begin-block hook is logged, its writes and events dropped, and the chain continues", async () => {
    const errors: string[] = [];
    const manager = new ModuleManager([kvModule({ explodeAtHeight: 2n })]);
    const app = new App({
      store: new MemStore(appStoreNames(manager)),
      manager,
      txRunner: new TestRunner(),
      logger: { ...silent, error: (_o: object | string, m?: string) => void errors.push(m ?? "") },
    });
    app.initChain(genesisReq({}));
    await runBlocks(app, 1n, 1n);
    const r2 = app.finalizeBlock(kvBlock(2n, ["set a 1"]));
    expect(r2.events.filter((e) => e.type === "begin")).toHaveLength(0);
    expect(r2.txResults[0]!.code).toBe(0);
    await app.commit();
    await runBlocks(app, 3n, 3n);
    expect(errors.some((m) => /kv\.beginBlock failed/.test(m))).toBe(true);
    expect(app.exportState().appState.kv).toEqual({ entries: [{ key: "a", value: "1" }] });
  });

  test("ProcessProposal checks structure only (SDK no-op mempool): accepts txs that will fail, rejects undecodable ones and blocks over max_gas, never UNKNOWN", async () => {
    const app = makeApp(newMemDisk());
    app.initChain(genesisReq({}));
    const pp = (txs: string[]) => app.processProposal({ ...kvBlock(1n, txs), proposedLastCommit: { round: 0, votes: [] } }).status;
    const { ACCEPT, REJECT } = ResponseProcessProposal_ProposalStatus;
    expect(pp([])).toBe(ACCEPT);
    expect(pp(["set a 1", "set b 2"])).toBe(ACCEPT);
    // Not executed here: an ante failure or a crashing tx fails in FinalizeBlock with its code.
    expect(pp(["set a 1", "bad"])).toBe(ACCEPT);
    expect(pp(["throw"])).toBe(ACCEPT);
    expect(pp(["set a 1", "junk"])).toBe(REJECT);
    const r = app.finalizeBlock(kvBlock(1n, ["set a 1", "bad", "throw"]));
    expect(r.txResults.map((t) => t.code)).toEqual([0, 4, 1]);
    await app.commit();
  });

  test("ProcessProposal rejects a block whose gas limits sum above the block max_gas", () => {
    const app = makeApp(newMemDisk());
    app.initChain({ ...genesisReq({}), consensusParams: { block: { maxBytes: 22020096n, maxGas: 100n } } });
    const pp = (txs: string[]) => app.processProposal({ ...kvBlock(1n, txs), proposedLastCommit: { round: 0, votes: [] } }).status;
    const { ACCEPT, REJECT } = ResponseProcessProposal_ProposalStatus;
    expect(pp(["gas 60 a", "gas 40 b"])).toBe(ACCEPT);
    expect(pp(["gas 60 a", "gas 41 b"])).toBe(REJECT);
  });

  test("CheckTx and ReCheckTx answer code and gas without events (like the SDK; CometBFT's mempool reads nothing else)", () => {
    const manager = new ModuleManager([kvModule()]);
    const runner = new TestRunner();
    const withEvent = {
      gasLimit: (tx: Uint8Array) => runner.gasLimit(tx),
      run: (env: Parameters<TestRunner["run"]>[0], tx: Uint8Array) => ({ ...runner.run(env, tx), events: [{ type: "tx", attributes: [{ key: "fee", value: "1ugrid", index: true }] }] }),
    };
    const app = new App({ store: new MemStore(appStoreNames(manager)), manager, txRunner: withEvent, logger: silent });
    app.initChain(genesisReq({}));
    const fresh = app.checkTx({ tx: enc("set a 1"), type: CheckTxType.NEW });
    expect([fresh.code, fresh.gasWanted, fresh.events]).toEqual([0, 10n, []]);
    const again = app.checkTx({ tx: enc("set a 1"), type: CheckTxType.RECHECK });
    expect([again.code, again.gasWanted, again.events]).toEqual([0, 10n, []]);
    expect(app.checkTx({ tx: enc("bad"), type: CheckTxType.RECHECK }).code).toBe(4);
  });

  const prepReq = (txs: string[], max: bigint, height = 1n) => ({
    maxTxBytes: max,
    txs: txs.map(enc),
    localLastCommit: { round: 0, votes: [] },
    misbehavior: [],
    height,
    time: time(1),
    nextValidatorsHash: new Uint8Array(),
    proposerAddress: new Uint8Array(20),
  });

  test("PrepareProposal keeps mempool order without executing, drops undecodable txs, keeps the protobuf size within max_tx_bytes", () => {
    const app = makeApp(newMemDisk());
    app.initChain(genesisReq({}));
    const big = `set big ${"x".repeat(200)}`; // 208 bytes → proto size 211
    const small = "set s 1"; // 7 → 9
    expect(protoTxSize(208)).toBe(211);
    expect(protoTxSize(7)).toBe(9);
    const prep = (txs: string[], max: bigint) => app.prepareProposal(prepReq(txs, max)).txs.map(dec);
    expect(prep([small, "bad", "junk", big, small], 1000n)).toEqual([small, "bad", big, small]);
    expect(prep([small, big, small], 220n)).toEqual([small, big]); // 9 + 211 = 220 exactly: full, stop
    expect(prep([small, big, small], 219n)).toEqual([small, small]); // big skipped, later small still fits
  });

  test("PrepareProposal stops at the block max_gas (skips a tx that does not fit) and at maxProposalTxs", () => {
    const manager = new ModuleManager([kvModule()]);
    const app = new App({ store: new MemStore(appStoreNames(manager)), manager, txRunner: new TestRunner(), logger: silent, maxProposalTxs: 3 });
    app.initChain({ ...genesisReq({}), consensusParams: { block: { maxBytes: 22020096n, maxGas: 100n } } });
    const prep = (txs: string[]) => app.prepareProposal(prepReq(txs, 1_000_000n)).txs.map(dec);
    expect(prep(["gas 60 a", "gas 50 b", "gas 30 c", "gas 10 d", "gas 1 e"])).toEqual(["gas 60 a", "gas 30 c", "gas 10 d"]); // 100 reached: stop
    expect(prep(["gas 1 a", "gas 1 b", "gas 1 c", "gas 1 d"])).toEqual(["gas 1 a", "gas 1 b", "gas 1 c"]); // count cap
  });

  test("queries: unknown path, past/future height and store paths all answer with a code and a height", async () => {
    const app = makeApp(newMemDisk());
    app.initChain(genesisReq({ kv: { entries: [{ key: "a", value: "7" }] } }));
    await runBlocks(app, 1n, 3n);
    const unknown = app.query({ path: "/nope.v1.Query/X", data: new Uint8Array(), height: 0n, prove: false });
    expect([unknown.code, unknown.codespace, unknown.height]).toEqual([6, "sdk", 3n]);
    expect(unknown.log).toMatch(/unknown query path/);
    const past = app.query({ path: "/test.kv.v1.Query/Get", data: enc("a"), height: 2n, prove: false });
    expect([past.code, dec(past.value), past.height]).toEqual([0, "7", 2n]);
    const future = app.query({ path: "/test.kv.v1.Query/Get", data: enc("a"), height: 4n, prove: false });
    expect([future.code, future.codespace, future.height]).toEqual([26, "sdk", 3n]);
    expect(future.log).toMatch(/cannot query with height in the future/);
    const notFound = app.query({ path: "/test.kv.v1.Query/Get", data: enc("zz"), height: 0n, prove: false });
    expect([notFound.code, notFound.codespace]).toEqual([2, "kv"]);
    const raw = app.query({ path: "/store/kv/key", data: enc("e/a"), height: 2n, prove: false });
    expect([raw.code, dec(raw.value), raw.height]).toEqual([0, "7", 2n]);
    const badStore = app.query({ path: "store/nope/key", data: enc("e/a"), height: 0n, prove: false });
    expect(badStore.code).not.toBe(0);
    expect(badStore.height).toBe(3n);
  });
});

describe("validator and consensus-param updates", () => {
  test("end-block validator updates reach FinalizeBlock (last one per key wins); param changes are sent once", async () => {
    const key = (b: number) => new Uint8Array(32).fill(b);
    const staking: Module = {
      name: "stakingish",
      genesis: {
        defaultGenesis: () => ({}),
        validateGenesis: (g: unknown) => g,
        initGenesis: () => [{ pubKey: { type: "ed25519" as const, key: key(1) }, power: 10n }],
        exportGenesis: () => ({}),
      },
      endBlock(ctx) {
        if (ctx.header.height === 2n) {
          consensusParamsKeeper.set(ctx, { ...consensusParamsKeeper.get(ctx)!, block: { maxBytes: 1_000_000n, maxGas: 50_000_000n } });
          return [
            { pubKey: { type: "ed25519" as const, key: key(2) }, power: 5n },
            { pubKey: { type: "ed25519" as const, key: key(2) }, power: 7n },
            { pubKey: { type: "secp256k1" as const, key: new Uint8Array(33).fill(3) }, power: 0n },
          ];
        }
      },
    };
    const manager = new ModuleManager([staking]);
    const app = new App({ store: new MemStore(appStoreNames(manager)), manager, txRunner: new TestRunner(), logger: silent });
    const init = app.initChain(genesisReq({}));
    expect(init.validators).toEqual([{ pubKey: { ed25519: key(1) }, power: 10n }]);
    const b1 = app.finalizeBlock(kvBlock(1n));
    expect([b1.validatorUpdates, b1.consensusParamUpdates]).toEqual([[], undefined]);
    await app.commit();
    const b2 = app.finalizeBlock(kvBlock(2n));
    expect(b2.validatorUpdates).toEqual([
      { pubKey: { ed25519: key(2) }, power: 7n },
      { pubKey: { secp256k1: new Uint8Array(33).fill(3) }, power: 0n },
    ]);
    expect(b2.consensusParamUpdates?.block).toEqual({ maxBytes: 1_000_000n, maxGas: 50_000_000n });
    await app.commit();
    const b3 = app.finalizeBlock(kvBlock(3n));
    expect(b3.consensusParamUpdates).toBeUndefined();
    await app.commit();
    expect(app.exportState().consensusParams?.block?.maxGas).toBe(50_000_000n);
  });
});

describe("genesis export / import round trip", () => {
  test("export → InitChain → export is identical, and two imports agree on every AppHash", async () => {
    const src = makeApp(newMemDisk());
    src.initChain(genesisReq({ kv: { entries: [{ key: "g", value: "0" }] } }));
    await runBlocks(src, 1n, 6n, (h) => [`set k${h} ${h * 10n}`, "bad"]);
    const exported = src.exportState();
    expect(exported.height).toBe(6);
    expect(exported.chainId).toBe("test-1");
    expect(exported.consensusParams?.block?.maxBytes).toBe(22020096n);

    const json = JSON.parse(JSON.stringify(exported.appState));
    const imports = [makeApp(newMemDisk()), makeApp(newMemDisk())];
    const hashes: string[][] = [];
    for (const app of imports) {
      app.initChain(genesisReq(json, 7n));
      hashes.push((await runBlocks(app, 7n, 9n, (h) => [`set k${h} ${h}`])).map((h) => Buffer.from(h).toString("hex")));
    }
    expect(hashes[0]).toEqual(hashes[1]);
    const reimport = makeApp(newMemDisk());
    reimport.initChain(genesisReq(json, 7n));
    await runBlocks(reimport, 7n, 7n);
    const again = reimport.exportState().appState as { kv: KvGenesis };
    // identical module state (the kv test module also counts blocks outside its genesis section)
    expect(again.kv.entries).toEqual((exported.appState as { kv: KvGenesis }).kv.entries);
  });
});

describe("ModuleManager", () => {
  const base: Module = { name: "a" };
  test("rejects duplicate names, stores, messages and query paths, and bad orders", () => {
    expect(() => new ModuleManager([base, { name: "a" }])).toThrow(/registered twice/);
    expect(() => new ModuleManager([base, { name: "b", stores: ["a"] }])).toThrow(/claimed by modules a and b/);
    expect(() => new ModuleManager([{ name: "Bad" }])).toThrow(/must match/);
    const h = { typeUrl: "/x.Msg", decode: () => ({}), signers: () => [], validateBasic() {}, handle: () => ({ typeUrl: "", value: new Uint8Array() }) };
    expect(() => new ModuleManager([{ name: "a", msgs: [h] }, { name: "b", msgs: [h] }])).toThrow(/handled by two modules/);
    const q = { "/x.v1.Query/Y": () => new Uint8Array() };
    expect(() => new ModuleManager([{ name: "a", queries: q }, { name: "b", queries: q }])).toThrow(/served by modules a and b/);
    const withEnd = (n: string): Module => ({ name: n, endBlock() {} });
    expect(() => new ModuleManager([withEnd("a"), withEnd("b")], { endBlock: ["a"] })).toThrow(/missing module\(s\): b/);
    const m = new ModuleManager([withEnd("a"), withEnd("b"), { name: "c", stores: ["c1", "c0"] }], { endBlock: ["b", "a"] });
    expect(m.endBlockOrder.map((x) => x.name)).toEqual(["b", "a"]);
    expect(m.storeNames).toEqual(["a", "b", "c0", "c1"]);
    expect(m.handler("/x.Msg")).toBeUndefined();
  });

  test("LateRouter routes once bound, and refuses use before binding", () => {
    const r = new LateRouter();
    expect(() => r.handler("/x.Msg")).toThrow(/before the app was built/);
    const h = { typeUrl: "/x.Msg", decode: () => ({}), signers: () => [], validateBasic() {}, handle: () => ({ typeUrl: "", value: new Uint8Array() }) };
    r.bind(new ModuleManager([{ name: "a", msgs: [h] }]));
    expect(r.handler("/x.Msg")).toBe(h);
    expect(r.typeUrls()).toEqual(["/x.Msg"]);
    expect(() => r.bind(new ModuleManager([]))).toThrow(/already bound/);
  });
});

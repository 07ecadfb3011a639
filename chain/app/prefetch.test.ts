/**
 * Reading a block's keys ahead (prefetch.ts + the store's prefetcher): the App hands over the keys
 * of txs at CheckTx and ProcessProposal; results, gas and AppHash must be exactly those of a node
 * without it, over a reopened (cold) store.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { App, appStoreNames } from "./app";
import { ModuleManager } from "./manager";
import { buildModules, buildTxRunner } from "./wiring";
import { defaultAppState } from "./genesis";
import { buildTxPrefetcher, TxPrefetcher } from "./prefetch";
import { RootMultiStore } from "../store/multistore";
import { createContext } from "./context";
import { AuthKeeper } from "../../modules/auth/keeper";
import { toBech32 } from "../crypto/address";
import { accountKey } from "../../modules/auth/keys";
import { balanceKey } from "../../modules/bank/keys";
import { bankKeysToWarm } from "../../modules/bank/warm";
import { allocateGenesisAccounts } from "../../modules/bank/genesis";
import { blockReq, buildSignedTx, CHAIN_ID, GENESIS_TIME, keyFromSeed, msgSend, silent } from "../../test/helpers/txkit";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const turn = () => new Promise<void>((r) => setImmediate(r));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function wiring() {
  const w = buildModules({ logger: silent });
  const manager = new ModuleManager(w.modules, w.order);
  const runner = buildTxRunner({ router: manager, modules: w.modules, logger: silent });
  return { manager, runner };
}

describe("TxPrefetcher", () => {
  test("MsgSend: sender account + balance written, recipient account read, balance written; once per decoded tx; bad txs ignored", () => {
    const { runner } = wiring();
    const calls: [string, string, boolean | undefined][] = [];
    // A store with only the array API: the prefetcher falls back to one call per key.
    const store = { prefetch: (name: string, keys: readonly Uint8Array[], written?: boolean) => keys.forEach((k) => calls.push([name, hex(k), written])) };
    const p = new TxPrefetcher(store, (tx) => (runner as unknown as { decode: (t: Uint8Array) => never }).decode(tx), bankKeysToWarm);
    const a = keyFromSeed("a");
    const b = new Uint8Array(20).fill(7);
    const tx = buildSignedTx({ key: a, msgs: [msgSend(a.address, toBech32(b), 5n)], chainId: CHAIN_ID, accountNumber: 0n, sequence: 0n }).bytes;
    p.tx(tx);
    const want: [string, string, boolean][] = [
      ["auth", hex(accountKey(a.addrBytes)), true],
      ["bank", hex(balanceKey(a.addrBytes, "ugrid")), true],
      ["auth", hex(accountKey(b)), false],
      ["bank", hex(balanceKey(b, "ugrid")), true],
    ];
    expect(calls).toEqual(want);
    calls.length = 0;
    p.txs([tx, new Uint8Array([1, 2, 3])]); // the same tx again (already warmed) and garbage
    expect(calls).toEqual([]);
    // Another tx of the same parties (answered by the per-address memo), then another denom: same keys as the builders'.
    const tx2 = buildSignedTx({ key: a, msgs: [msgSend(a.address, toBech32(b), 6n)], chainId: CHAIN_ID, accountNumber: 0n, sequence: 1n }).bytes;
    const tx3 = buildSignedTx({ key: a, msgs: [msgSend(a.address, toBech32(b), 7n, "uother")], chainId: CHAIN_ID, accountNumber: 0n, sequence: 2n }).bytes;
    p.txs([tx2, tx3]);
    expect(calls).toEqual([
      ...want,
      ["auth", hex(accountKey(a.addrBytes)), true],
      ["bank", hex(balanceKey(a.addrBytes, "uother")), true],
      ["auth", hex(accountKey(b)), false],
      ["bank", hex(balanceKey(b, "uother")), true],
    ]);
    const throwing = new TxPrefetcher({ prefetch: () => { throw new Error("no"); } }, (t) => (runner as unknown as { decode: (t: Uint8Array) => never }).decode(t), bankKeysToWarm);
    expect(() => throwing.tx(tx)).not.toThrow();
  });
});

describe("App with a prefetcher over a reopened store", () => {
  test("same results, gas and AppHash as without; the block reads its keys from the prefetch", async () => {
    const senders = Array.from({ length: 40 }, (_, i) => keyFromSeed(`pf-sender-${i}`));
    const others = Array.from({ length: 3000 }, (_, i) => ({ address: toBech32(new Uint8Array(20).fill(0).map((_, j) => (j < 4 ? (i >> (8 * j)) & 255 : (i * 31 + j) & 255))), amount: 7n }));
    const runs: { hashes: string[]; results: string[]; filled: number; used: number }[] = [];
    for (const withPrefetch of [true, false]) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hg-app-prefetch-"));
      dirs.push(dir);
      let { manager, runner } = wiring();
      let store = await RootMultiStore.open({ dir, storeNames: appStoreNames(manager) });
      let app = new App({ store, manager, txRunner: runner, logger: silent });
      const appState = defaultAppState(manager) as Parameters<typeof allocateGenesisAccounts>[0] & Record<string, unknown>;
      allocateGenesisAccounts(appState, [...senders.map((k) => ({ address: k.address, amount: 1_000_000_000n })), ...others]);
      app.initChain({ time: { seconds: BigInt(GENESIS_TIME), nanos: 0 }, chainId: CHAIN_ID, consensusParams: { block: { maxBytes: 22020096n, maxGas: -1n } }, validators: [], appStateBytes: Buffer.from(JSON.stringify(appState)), initialHeight: 1n });
      app.finalizeBlock(blockReq(1n, []));
      await app.commit();
      await store.close();
      // A node restart: cold caches, only the top of each tree loaded.
      ({ manager, runner } = wiring());
      store = await RootMultiStore.open({ dir, storeNames: appStoreNames(manager), warmUpDepth: 2 });
      const prefetch = withPrefetch ? buildTxPrefetcher(store, runner) : undefined;
      if (withPrefetch) expect(prefetch).toBeDefined();
      app = new App({ store, manager, txRunner: runner, logger: silent, prefetch });
      const view = createContext({ header: { height: 1n, time: { seconds: 0n, nanos: 0 }, chainId: CHAIN_ID, proposer: new Uint8Array() }, mode: "genesis", store: store.branch(), logger: silent });
      const numbers = senders.map((s) => new AuthKeeper().getAccount(view, s.addrBytes)!.accountNumber);
      const run = { hashes: [] as string[], results: [] as string[], filled: 0, used: 0 };
      for (let h = 2n; h <= 4n; h++) {
        const txs = senders.map((s, i) =>
          buildSignedTx({
            key: s,
            msgs: [msgSend(s.address, others[(Number(h) * 997 + i * 53) % others.length]!.address, 1n)],
            chainId: CHAIN_ID,
            accountNumber: numbers[i]!,
            sequence: h - 2n,
          }).bytes,
        );
        for (const tx of txs) {
          expect(app.checkTx({ tx, type: CheckTxType.NEW }).code).toBe(0);
          await turn();
        }
        expect(app.processProposal({ ...blockReq(h, txs), proposedLastCommit: { round: 0, votes: [] } } as never).status).toBe(1);
        if (withPrefetch) {
          // Let the reads land (the test checks the effect; the bench measures without waiting).
          for (let i = 0; i < 1000 && store.prefetcher.pending + store.prefetcher.busy > 0; i++) await new Promise((r) => setTimeout(r, 2));
        }
        const res = app.finalizeBlock(blockReq(h, txs));
        run.results.push(...res.txResults.map((r) => `${r.code}/${r.gasUsed}/${r.gasWanted}/${hex(r.data)}`));
        await app.commit();
        run.hashes.push(hex(store.lastCommit.appHash));
      }
      run.filled = store.prefetcher.stats.valuesFilled;
      for (const s of (store as unknown as { stores: Map<string, { loader: { aheadUsed: number } }> }).stores.values()) run.used += s.loader.aheadUsed;
      runs.push(run);
      await store.close();
    }
    expect(runs[0]!.hashes).toEqual(runs[1]!.hashes);
    expect(runs[0]!.results).toEqual(runs[1]!.results);
    expect(runs[0]!.results.every((r) => r.startsWith("0/"))).toBe(true);
    expect(runs[0]!.filled).toBeGreaterThan(100); // recipients' accounts and balances
    expect(runs[0]!.used).toBeGreaterThan(0); // path nodes loaded from prefetched bodies
    expect([runs[1]!.filled, runs[1]!.used]).toEqual([0, 0]);
  }, 60_000);
});

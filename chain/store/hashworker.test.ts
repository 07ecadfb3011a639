/**
 * The multistore's hash worker (InternalStoreOptions.hashWorker, arenahash.ts): one thread for all
 * stores, same AppHashes and LevelDB bytes as hashing on the main thread, a failure surfaces as
 * StoreError (never a hang), and close() ends the thread.
 */
import { RootMultiStore } from "./multistore";
import { StoreError } from "./types";
import { toHex } from "./encoding";
import { FixturePrng, tempDirsPerTest } from "./testutil";
import type { ArenaHashWorker } from "./arenahash";

const newDir = tempDirsPerTest("hg-hw-");

/** Writes `n` random keys (and updates/deletes of earlier ones) into stores a and b. */
function block(cms: RootMultiStore, r: FixturePrng, live: Uint8Array[], n: number): void {
  const br = cms.branch();
  for (let i = 0; i < n; i++) {
    const s = br.getStore(i % 3 === 0 ? "a" : "b");
    const x = r.intn(10);
    if (x < 2 && live.length > 0) s.delete(live[r.intn(live.length)]!);
    else if (x < 5 && live.length > 0) s.set(live[r.intn(live.length)]!, r.bytes(20));
    else {
      const k = r.bytes(1 + r.intn(40));
      live.push(k);
      s.set(k, r.bytes(1 + r.intn(100)));
    }
  }
  br.write();
}

async function dump(cms: RootMultiStore): Promise<string[]> {
  const out: string[] = [];
  for await (const [k, v] of cms.database.iterator()) out.push(`${toHex(k)}=${toHex(v)}`);
  return out;
}

const workerOf = (cms: RootMultiStore): ArenaHashWorker => cms.hashWorker!;
const threadId = (w: ArenaHashWorker): number => (w as unknown as { worker: { threadId: number } }).worker.threadId;

describe("multistore hash worker", () => {
  test("same AppHashes and LevelDB contents as without the worker, across reopens and a rollback; one worker for both stores", async () => {
    const dirs = [newDir(), newDir()];
    const opts = (i: number) => ({ dir: dirs[i]!, storeNames: ["a", "b"], keepRecent: 3, pruneBudget: 500, arena: true, hashWorker: i === 1 ? { minNodes: 100 } : false });
    let stores = [await RootMultiStore.open(opts(0)), await RootMultiStore.open(opts(1))];
    expect(stores[0]!.hashWorker).toBeUndefined();
    const rs = [new FixturePrng("hw"), new FixturePrng("hw")];
    const lives: Uint8Array[][] = [[], []];
    for (let v = 1; v <= 10; v++) {
      if (v === 5) {
        for (let i = 0; i < 2; i++) {
          block(stores[i]!, rs[i]!, [], 800);
          stores[i]!.workingHash();
          stores[i]!.discardPending();
        }
      }
      const hashes = [];
      for (let i = 0; i < 2; i++) {
        block(stores[i]!, rs[i]!, lives[i]!, v === 1 ? 3000 : 600);
        hashes.push(toHex(stores[i]!.workingHash()));
        const info = await stores[i]!.commit();
        expect(toHex(info.appHash)).toBe(hashes[i]);
      }
      expect(hashes[1]).toBe(hashes[0]);
      if (v === 6) {
        for (let i = 0; i < 2; i++) await stores[i]!.close();
        stores = [await RootMultiStore.open(opts(0)), await RootMultiStore.open(opts(1))];
      }
    }
    const w = workerOf(stores[1]!);
    expect(w.passes).toBeGreaterThanOrEqual(8); // both stores' passes went to the one worker
    expect(w.workerHashed).toBeGreaterThan(500);
    expect(await dump(stores[1]!)).toEqual(await dump(stores[0]!));
    for (const s of stores) await s.close();
  });

  test("a worker failure surfaces as StoreError from workingHash; the retry hashes serially to the same AppHash", async () => {
    const dirs = [newDir(), newDir()];
    const ref = await RootMultiStore.open({ dir: dirs[0]!, storeNames: ["a", "b"], arena: true, hashWorker: false });
    const cms = await RootMultiStore.open({ dir: dirs[1]!, storeNames: ["a", "b"], arena: true, hashWorker: { minNodes: 0 } });
    const r0 = new FixturePrng("hw-fail");
    const r1 = new FixturePrng("hw-fail");
    block(ref, r0, [], 2000);
    block(cms, r1, [], 2000);
    workerOf(cms).failNextPass();
    expect(() => cms.workingHash()).toThrow(StoreError);
    expect(() => cms.workingHash()).not.toThrow();
    expect(workerOf(cms).usable).toBe(false);
    expect(toHex((await cms.commit()).appHash)).toBe(toHex((await ref.commit()).appHash));
    block(ref, r0, [], 500);
    block(cms, r1, [], 500);
    expect(toHex((await cms.commit()).appHash)).toBe(toHex((await ref.commit()).appHash));
    expect(await dump(cms)).toEqual(await dump(ref));
    await ref.close();
    await cms.close();
  });

  test("close() ends the thread; IavlTree mode starts none", async () => {
    const cms = await RootMultiStore.open({ dir: newDir(), storeNames: ["a"], arena: true, hashWorker: true });
    const w = workerOf(cms);
    expect(threadId(w)).toBeGreaterThan(0);
    await cms.close();
    expect(threadId(w)).toBe(-1);
    const iavl = await RootMultiStore.open({ dir: newDir(), storeNames: ["a"], arena: false, hashWorker: true });
    expect(iavl.hashWorker).toBeUndefined();
    await iavl.close();
  });
});

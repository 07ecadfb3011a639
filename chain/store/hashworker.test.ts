/**
 * The multistore's hash worker (InternalStoreOptions.hashWorker, arenahash.ts): one thread for all
 * stores, same AppHashes and LevelDB bytes as hashing on the main thread, a failure surfaces as
 * StoreError (never a hang), and close() ends the thread.
 */
import { RootMultiStore } from "./multistore";
import { StoreError } from "./types";
import { FixturePrng, tempDirsPerTest } from "./testutil";
import { ArenaHashWorker } from "./arenahash";
import { ArenaTree } from "./arenatree";
import { KID_LEFT, KID_RIGHT, NodeArena } from "./arena";
import { bytesToKey, compareStrings, toHex } from "./encoding";

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

/**
 * The arena's unsaved-children bits (kids) are exact over the whole tree: a working inner node's
 * bits say which children are working nodes, a saved node's are 0. Returns the working nodes seen.
 */
function expectKidsExact(t: ArenaTree): number {
  const a = t.arena;
  let working = 0;
  const bad: string[] = [];
  const walk = (n: number): void => {
    if (n === 0 || a.height(n) <= 0) return;
    const l = a.left(n);
    const r = a.right(n);
    const want = a.version(n) !== 0 ? 0 : (a.version(l) === 0 ? KID_LEFT : 0) | (a.version(r) === 0 ? KID_RIGHT : 0);
    if (a.version(n) === 0) working++;
    if (a.kids(n) !== want && bad.length < 5) bad.push(`slot ${n}: kids ${a.kids(n)}, want ${want}`);
    walk(l);
    walk(r);
  };
  walk(t.root);
  expect(bad).toEqual([]);
  return working;
}

describe("ArenaTree.hashBefore: hashing overlapped with the sorted apply", () => {
  /** Random sorted blocks applied to a tree with early listing every `chunk` writes and to a serial one; same roots and save order. */
  async function run(seed: string, maxLag: number, chunk: number, fail = false): Promise<{ waits: number; broken: number; segments: number }> {
    const w = new ArenaHashWorker({ minNodes: 0, maxLag });
    const early = new ArenaTree({ arena: new NodeArena(64, { shared: true }), hashWorker: w });
    const serial = new ArenaTree({});
    const r = new FixturePrng(seed);
    const live: string[] = [];
    for (let v = 1; v <= 12; v++) {
      if (v % 5 === 3) {
        // Working nodes rolled back: the saved tree's bits stay 0.
        for (let i = 0; i < 50; i++) early.setLatin1(bytesToKey(r.bytes(1 + r.intn(6))), "x");
        expect(expectKidsExact(early)).toBeGreaterThan(0);
        early.rollback();
        expect(expectKidsExact(early)).toBe(0);
      }
      const m = new Map<string, string | null>();
      for (let i = 0; i < 300; i++) {
        const x = r.intn(10);
        if (x < 3 && live.length > 0) m.set(live[r.intn(live.length)]!, null);
        else if (x < 5 && live.length > 0) m.set(live[r.intn(live.length)]!, `u${v}.${i}`);
        else {
          const k = bytesToKey(r.bytes(1 + r.intn(6)));
          live.push(k);
          m.set(k, `v${v}.${i}`);
        }
      }
      const ops = [...m.entries()].sort((a, b) => compareStrings(a[0], b[0]));
      if (fail && v === 6) w.failNextPass();
      for (let i = 0; i < ops.length; i++) {
        const [k, val] = ops[i]!;
        for (const t of [early, serial]) {
          if (val === null) t.removeLatin1(k);
          else t.setLatin1(k, val);
        }
        if ((i + 1) % chunk === 0 && i + 1 < ops.length) early.hashBefore(ops[i + 1]![0], ops.length - i - 1);
        if (i % 97 === 0) expectKidsExact(early);
      }
      // Listing and save skip clean children by these bits: they must be exact after the apply.
      expect(expectKidsExact(early)).toBeGreaterThan(0);
      expectKidsExact(serial);
      const want = toHex(serial.workingHash());
      if (fail && v === 6) {
        expect(() => early.workingHash()).toThrow(StoreError);
        expect(w.usable).toBe(false);
      }
      expect(toHex(early.workingHash())).toBe(want);
      const orders: number[][] = [[], []];
      early.saveVersion((s) => orders[0]!.push(early.arena.height(s), early.arena.size(s), early.arena.nonce(s)));
      serial.saveVersion((s) => orders[1]!.push(serial.arena.height(s), serial.arena.size(s), serial.arena.nonce(s)));
      expect(orders[0]).toEqual(orders[1]);
      expect(expectKidsExact(early)).toBe(0); // all saved: every bit cleared
      expect(expectKidsExact(serial)).toBe(0);
    }
    await w.close();
    return early.earlyStats;
  }

  test("same roots and save order as serial hashing; rotations of listed nodes wait for their hash; the arena grows mid-pass", async () => {
    let waits = 0;
    let broken = 0;
    for (const [seed, lag] of [["e1", 1 << 20], ["e2", 1 << 20], ["e3", 0], ["e4", 16]] as const) {
      const st = await run(seed, lag, 4);
      expect(st.segments).toBeGreaterThan(100);
      waits += st.waits;
      broken += st.broken;
    }
    // The random blocks restructure listed subtrees: the wait and the order rebuild both ran.
    expect(waits).toBeGreaterThan(0);
    expect(broken).toBeGreaterThan(0);
  });

  test("a worker failure during the apply surfaces once as StoreError from workingHash; the retry hashes serially", async () => {
    await run("e-fail", 1 << 20, 4, true);
  });
});

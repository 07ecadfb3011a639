/** The simulation's PRNG and store diff: deterministic, in range, and differences are actually detected. */
import { Rng } from "./rng";
import { diffStores } from "./storediff";
import { initChain, openSimApp, simGenesis } from "./sim";
import { TempDirs } from "./tmp";

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

test("Rng: pinned stream (a change here changes every simulation: make it deliberate)", () => {
  const r = new Rng("pin");
  expect([r.u32(), r.u32(), r.int(10), r.bigint(10n ** 30n)]).toEqual([3129604211, 1481194483, 0, 368140919560830306192046119419n]);
  const a = new Rng("x");
  const b = new Rng("x");
  expect(Array.from({ length: 1000 }, () => a.u32())).toEqual(Array.from({ length: 1000 }, () => b.u32()));
  expect(new Rng("y").u32()).not.toBe(new Rng("x").u32());
});

test("Rng: helpers stay in range and hit every value", () => {
  const r = new Rng("range");
  const seen = new Set<number>();
  let bad = 0;
  for (let i = 0; i < 2000; i++) {
    const v = r.range(3, 9);
    if (v < 3 || v > 9) bad++;
    seen.add(v);
    const big = r.bigint(1000n);
    if (big < 0n || big > 1000n) bad++;
  }
  expect(bad).toBe(0);
  expect(seen.size).toBe(7);
  expect(r.bigint(0n)).toBe(0n);
  const counts = { a: 0, b: 0, c: 0 };
  for (let i = 0; i < 3000; i++) counts[r.weighted({ a: 1, b: 2, c: 0 }, ["a", "b", "c"])]++;
  expect(counts.c).toBe(0);
  expect(counts.b).toBeGreaterThan(counts.a);
});

test("diffStores reports a changed, a missing and an extra key", async () => {
  const gen = simGenesis("diff", 3);
  const a = await openSimApp(dirs.next("a"));
  const b = await openSimApp(dirs.next("b"));
  initChain(a.app, gen.appStateBytes);
  initChain(b.app, gen.appStateBytes);
  expect(diffStores(a.store, b.store)).toEqual([]);
  const bank = b.store.getStore("bank");
  const [k1, v1] = bank.iterator().next().value!;
  bank.set(k1, Buffer.from("42"));
  bank.set(Buffer.from([0x7f, 1]), Buffer.from("x"));
  a.store.getStore("auth").set(Buffer.from([0x7f, 2]), Buffer.from("y"));
  const d = diffStores(a.store, b.store);
  expect(d).toEqual([
    { store: "auth", key: "7f02", a: "79" },
    { store: "bank", key: Buffer.from(k1).toString("hex"), a: Buffer.from(v1).toString("hex"), b: "3432" },
    { store: "bank", key: "7f01", b: "78" },
  ]);
  expect(diffStores(a.store, b.store, (store, key) => key[0] === 0x7f)).toHaveLength(1);
  a.store.discardPending();
  b.store.discardPending();
  await a.close();
  await b.close();
});

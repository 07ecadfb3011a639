import { SignatureCache } from "./sigcache";

const pk = (b: number) => new Uint8Array(33).fill(b);

describe("SignatureCache", () => {
  test("a hit needs the same tx, account number and key bytes", () => {
    const c = new SignatureCache();
    c.add("aa", 7n, pk(2));
    expect(c.has("aa", 7n, pk(2))).toBe(true); // another array with the same bytes
    expect(c.has("aa", 8n, pk(2))).toBe(false);
    expect(c.has("aa", 7n, pk(3))).toBe(false);
    expect(c.has("bb", 7n, pk(2))).toBe(false);
    expect(c.seenTx("aa")).toBe(true);
    expect(c.seenTx("bb")).toBe(false);
    c.add("aa", 7n, pk(2));
    expect(c.size).toBe(1);
  });

  test("keeps its own copy of the key", () => {
    const c = new SignatureCache();
    const k = pk(5);
    c.add("aa", 1n, k);
    k.fill(6);
    expect(c.has("aa", 1n, pk(5))).toBe(true);
    expect(c.has("aa", 1n, k)).toBe(false);
  });

  test("bounded: the oldest txs' entries go first", () => {
    const c = new SignatureCache(3);
    c.add("t1", 1n, pk(1));
    c.add("t1", 2n, pk(2));
    c.add("t2", 1n, pk(1));
    expect(c.size).toBe(3);
    c.add("t3", 1n, pk(1));
    expect(c.has("t1", 1n, pk(1))).toBe(false);
    expect(c.seenTx("t1")).toBe(false);
    expect(c.has("t2", 1n, pk(1))).toBe(true);
    expect(c.has("t3", 1n, pk(1))).toBe(true);
    expect(c.size).toBe(2);
  });
});

test("SignatureCache keeps exactly the newest txs' entries over many evictions", () => {
  const pk = (b: number) => new Uint8Array(33).fill(b & 0xff);
  const c = new SignatureCache(1000);
  for (let i = 0; i < 20_000; i++) {
    c.add(`t${i}`, 1n, pk(i));
    if (i % 3 === 0) c.add(`t${i}`, 2n, pk(i)); // a second signer of the same tx
  }
  expect(c.size).toBeLessThanOrEqual(1000);
  expect(c.size).toBeGreaterThan(998);
  // The newest txs are all there, the older ones all gone, in insertion order.
  for (let i = 19_999; i >= 19_300; i--) expect(c.has(`t${i}`, 1n, pk(i))).toBe(true);
  for (let i = 0; i < 19_000; i++) expect(c.seenTx(`t${i}`)).toBe(false);
  let kept = 0;
  for (let i = 0; i < 20_000; i++) if (c.seenTx(`t${i}`)) kept++;
  expect(kept).toBeGreaterThan(700);
});

test("SignatureCache.forget drops a tx's entries; adds past capacity afterwards skip the forgotten keys", () => {
  const pk = (b: number) => new Uint8Array(33).fill(b & 0xff);
  const c = new SignatureCache(10);
  for (let i = 0; i < 10; i++) c.add(`t${i}`, 1n, pk(i));
  c.add("t3", 2n, pk(99)); // a second signer: over capacity, t0 goes
  expect(c.seenTx("t0")).toBe(false);
  c.forget("t3");
  c.forget("t3");
  c.forget("never");
  expect(c.seenTx("t3")).toBe(false);
  expect(c.size).toBe(8);
  for (let i = 10; i < 15; i++) c.add(`t${i}`, 1n, pk(i));
  expect(c.size).toBe(10);
  // t1, t2 evicted; then t3's queued key is skipped without counting anything, and t4 goes.
  expect([1, 2, 3, 4].map((i) => c.seenTx(`t${i}`))).toEqual([false, false, false, false]);
  for (let i = 5; i < 15; i++) expect(c.has(`t${i}`, 1n, pk(i))).toBe(true);
});

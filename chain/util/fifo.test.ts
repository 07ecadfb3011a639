import { FifoMap, KeyQueue } from "./fifo";

test("KeyQueue is FIFO across its compactions", () => {
  const q = new KeyQueue<number>();
  let next = 0;
  let expectOut = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 300; i++) q.push(next++);
    for (let i = 0; i < 250; i++) expect(q.shift()).toBe(expectOut++);
  }
  expect(q.length).toBe(next - expectOut);
  while (q.length > 0) expect(q.shift()).toBe(expectOut++);
  expect(q.shift()).toBeUndefined();
  expect(expectOut).toBe(next);
});

test("FifoMap holds at most max keys, evicts the oldest inserted, and a re-set key keeps its place", () => {
  const m = new FifoMap<string, number>(3);
  m.set("a", 1);
  m.set("b", 2);
  m.set("c", 3);
  m.set("a", 10); // existing key: no eviction, insertion order unchanged
  expect(m.size).toBe(3);
  expect(m.get("a")).toBe(10);
  m.set("d", 4); // evicts "a", the oldest inserted
  expect(m.get("a")).toBeUndefined();
  expect([m.get("b"), m.get("c"), m.get("d")]).toEqual([2, 3, 4]);
  for (let i = 0; i < 10_000; i++) m.set(`k${i}`, i);
  expect(m.size).toBe(3);
  expect([m.get("k9997"), m.get("k9998"), m.get("k9999"), m.get("k9996")]).toEqual([9997, 9998, 9999, undefined]);
});

test("FifoMap.delete: deleted keys are skipped at eviction, a re-set key is held again, the queue stays bounded", () => {
  const m = new FifoMap<number, number>(4);
  for (let i = 0; i < 4; i++) m.set(i, i);
  expect(m.delete(1)).toBe(true);
  expect(m.delete(1)).toBe(false);
  expect(m.size).toBe(3);
  m.set(4, 4); // room left by the delete: nothing evicted
  expect([0, 2, 3, 4].map((k) => m.get(k))).toEqual([0, 2, 3, 4]);
  m.set(5, 5); // full: evicts 0, the oldest (1's queued key is skipped on the way when reached)
  expect(m.get(0)).toBeUndefined();
  m.set(6, 6); // the stale key 1 is shifted and skipped, then 2 goes
  expect(m.get(2)).toBeUndefined();
  expect([3, 4, 5, 6].map((k) => m.get(k))).toEqual([3, 4, 5, 6]);
  expect(m.size).toBe(4);
  // A cache that deletes nearly everything it holds (a node dropping committed txs): the queue of
  // keys is compacted, so memory follows the live entries, not the keys ever inserted.
  const n = new FifoMap<number, number>(1_000_000);
  for (let i = 0; i < 200_000; i++) {
    n.set(i, i);
    if (i >= 10) n.delete(i - 10);
  }
  expect(n.size).toBe(10);
  const queued = (n as unknown as { order: KeyQueue<number> }).order.length;
  expect(queued).toBeLessThanOrEqual(2 * 10 + 1024 + 1);
  // Deleted then re-set: held, and a later eviction order still holds the newest max keys.
  const r = new FifoMap<string, number>(2);
  r.set("a", 1);
  r.delete("a");
  r.set("a", 2);
  r.set("b", 3);
  expect([r.get("a"), r.get("b")]).toEqual([2, 3]);
  r.set("c", 4);
  expect(r.size).toBe(2);
  expect(r.get("c")).toBe(4);
});

test("KeyQueue.compact keeps live keys once each, newest occurrence, in order", () => {
  const q = new KeyQueue<string>();
  for (const k of ["a", "b", "c", "a", "d", "b"]) q.push(k);
  q.shift(); // "a" (the first occurrence) leaves
  q.compact((k) => k !== "c");
  const out: string[] = [];
  for (let k = q.shift(); k !== undefined; k = q.shift()) out.push(k);
  expect(out).toEqual(["a", "d", "b"]);
});

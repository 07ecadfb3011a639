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

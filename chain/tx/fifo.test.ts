import { KeyQueue } from "./fifo";
import { SignatureCache } from "./sigcache";

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

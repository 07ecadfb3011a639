/**
 * The gas meter counts in numbers while it can and in bigints past 2^53 - 1; the gas-metered store
 * charges through that number path. Both must give exactly the bigint figures and errors.
 */
import { BasicGasMeter, DEFAULT_STORE_GAS, GasKVStore } from "./context";
import type { GasMeter } from "./types";
import { sdkErrors } from "./errors";
import { MemStore, newMemDisk } from "../../test/helpers/memStore";
import { openMultiStore } from "../store/multistore";
import { toHex } from "../store/encoding";
import { BytesOnly, tempDir } from "../store/testutil";

const kv = () => new MemStore(["s"], newMemDisk()).branch().getStore("s");

/** The reference: the plain bigint meter this one replaced. */
class BigMeter implements GasMeter {
  used = 0n;
  readonly log: [string, bigint][] = [];
  constructor(readonly limit: bigint) {}
  consumed(): bigint {
    return this.used;
  }
  consume(amount: bigint, descriptor: string): void {
    if (amount < 0n) throw sdkErrors.Logic.wrap(`negative gas ${amount} for ${descriptor}`);
    this.log.push([descriptor, amount]);
    this.used += amount;
    if (this.limit > 0n && this.used > this.limit) {
      throw sdkErrors.OutOfGas.wrap(`out of gas in location: ${descriptor}; gasWanted: ${this.limit}, gasUsed: ${this.used}`);
    }
  }
}

/** Records what reaches the number path too (still a BasicGasMeter, so GasKVStore takes that path). */
class LoggingMeter extends BasicGasMeter {
  readonly log: [string, bigint][] = [];
  override consumeNum(amount: number, descriptor: string): void {
    this.log.push([descriptor, BigInt(amount)]);
    super.consumeNum(amount, descriptor);
  }
}

function run(m: GasMeter, amounts: readonly bigint[]): { used: bigint; error?: string; at: number } {
  for (let i = 0; i < amounts.length; i++) {
    try {
      m.consume(amounts[i], `step${i}`);
    } catch (e) {
      return { used: m.consumed(), error: (e as Error).message, at: i };
    }
  }
  return { used: m.consumed(), at: -1 };
}

describe("BasicGasMeter", () => {
  const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
  const cases: [string, bigint, bigint[]][] = [
    ["small, no limit", 0n, [1000n, 3n, 2000n, 0n, 30n]],
    ["out of gas at the exact step", 5000n, [1000n, 3000n, 1000n, 1n, 7n]],
    ["exactly the limit is fine", 4000n, [1000n, 3000n]],
    ["crosses 2^53 without a limit", 0n, [SAFE - 5n, 3n, 3n, 10n ** 18n, 1n]],
    ["crosses 2^53 under an int64 limit", 9_223_372_036_854_775_807n, [SAFE, 1n, 2n, 9_000_000_000_000_000_000n, 10n ** 18n]],
    ["limit just above 2^53", SAFE + 2n, [SAFE, 1n, 1n, 1n]],
    ["one huge amount", 0n, [2n ** 70n, 5n]],
    ["negative amount", 0n, [5n, -1n]],
  ];
  test.each(cases)("%s: same totals and errors as the bigint meter", (_n, limit, amounts) => {
    const want = run(new BigMeter(limit), amounts);
    const got = run(new BasicGasMeter(limit), amounts);
    expect(got).toEqual(want);
  });

  test("consumeNum = consume for safe integers", () => {
    const a = new BasicGasMeter(10_000n);
    const b = new BigMeter(10_000n);
    for (const x of [1000, 87, 2000, 1230]) {
      a.consumeNum(x, "x");
      b.consume(BigInt(x), "x");
    }
    expect(a.consumed()).toBe(b.consumed());
    expect(() => a.consumeNum(6000, "big")).toThrow("out of gas in location: big; gasWanted: 10000, gasUsed: 10317");
  });
});

describe("GasKVStore", () => {
  test("the number path charges the same amounts, descriptors and order as the bigint path", () => {
    const ops = (s: GasKVStore) => {
      s.set(new Uint8Array([1, 2, 3]), new Uint8Array(40).fill(7));
      s.get(new Uint8Array([1, 2, 3]));
      s.get(new Uint8Array([9]));
      s.has(new Uint8Array([1, 2, 3]));
      s.chargeRead(21, 77);
      s.delete(new Uint8Array([1, 2, 3]));
      s.set(new Uint8Array(30).fill(1), new Uint8Array(1000).fill(2));
    };
    const big = new BigMeter(0n);
    const num = new LoggingMeter(0n);
    ops(new GasKVStore(kv(), big, DEFAULT_STORE_GAS));
    ops(new GasKVStore(kv(), num, DEFAULT_STORE_GAS));
    expect(num.log).toEqual(big.log);
    expect(num.consumed()).toBe(big.consumed());
  });

  test("costs too large for numbers take the bigint path with the same results", () => {
    const cfg = { ...DEFAULT_STORE_GAS, readCostPerByte: 2n ** 40n };
    const big = new BigMeter(0n);
    const num = new LoggingMeter(0n);
    for (const m of [big, num]) {
      const s = new GasKVStore(kv(), m, cfg);
      s.set(new Uint8Array([1]), new Uint8Array([2]));
      s.get(new Uint8Array([1]));
    }
    expect(num.consumed()).toBe(big.consumed());
  });

  test("over store branches (latin1 read path) it charges and returns exactly what the byte path does", async () => {
    const { dir, cleanup } = tempDir("hg-gaskv-");
    try {
      const cms = await openMultiStore({ dir, storeNames: ["s"] });
      cms.getStore("s").set(new Uint8Array([5]), new Uint8Array(70).fill(3));
      cms.workingHash();
      await cms.commit();
      const block = cms.branch();
      block.getStore("s").set(new Uint8Array([6]), new Uint8Array([1, 2]));
      const tx = block.branch();
      const results = (s: GasKVStore, m: LoggingMeter) => {
        const out: unknown[] = [];
        const step = (f: () => unknown) => {
          try {
            const r = f();
            out.push(r instanceof Uint8Array ? toHex(r) : r);
          } catch (e) {
            out.push(`error: ${(e as Error).message}`);
          }
        };
        step(() => s.get(new Uint8Array([5]))); // committed (fast index, then value cache)
        step(() => s.get(new Uint8Array([5])));
        step(() => s.get(new Uint8Array([6]))); // block branch
        step(() => s.get(new Uint8Array([7]))); // absent
        step(() => s.has(new Uint8Array([6])));
        step(() => s.has(new Uint8Array([7])));
        step(() => s.set(new Uint8Array([7]), new Uint8Array([9])));
        step(() => s.get(new Uint8Array([7]))); // own branch
        step(() => s.get(new Uint8Array(0))); // bad key: ReadFlat charged, then the store error
        step(() => s.has(new Uint8Array(0)));
        return { out, log: m.log, used: m.consumed() };
      };
      const fastM = new LoggingMeter(0n);
      const fast = new GasKVStore(tx.branch().getStore("s"), fastM, DEFAULT_STORE_GAS);
      const slowM = new LoggingMeter(0n);
      const slow = new GasKVStore(new BytesOnly(tx.branch().getStore("s")), slowM, DEFAULT_STORE_GAS);
      const want = results(slow, slowM);
      expect(want.out).toContain("error: empty key");
      expect(results(fast, fastM)).toEqual(want);
      await cms.close();
    } finally {
      cleanup();
    }
  });
});


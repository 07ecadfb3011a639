/**
 * Seeded PRNG for the simulation (never Math.random): sfc32 (Chris Doty-Humphrey's Small Fast
 * Counter, 32-bit), seeded from sha256(seed). Pure 32-bit integer arithmetic, so the stream is
 * identical on every platform and Node version. Integer helpers use rejection sampling (no
 * floating point anywhere, no modulo bias).
 */
import { createHash } from "node:crypto";

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    const h = createHash("sha256").update(`hashgrid-sim-rng/${seed}`).digest();
    this.a = h.readUInt32BE(0);
    this.b = h.readUInt32BE(4);
    this.c = h.readUInt32BE(8);
    this.d = h.readUInt32BE(12) | 1;
    for (let i = 0; i < 16; i++) this.u32(); // warm up
  }

  /** Next uniformly distributed uint32. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform integer in [0, n), 1 ≤ n ≤ 2^32. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0x100000000) throw new Error(`Rng.int: bad bound ${n}`);
    const limit = 0x100000000 - (0x100000000 % n); // largest multiple of n ≤ 2^32
    for (;;) {
      const x = this.u32();
      if (x < limit) return x % n;
    }
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** Uniform bigint in [0, max] (inclusive). */
  bigint(max: bigint): bigint {
    if (max < 0n) throw new Error("Rng.bigint: negative bound");
    if (max === 0n) return 0n;
    const bits = max.toString(2).length;
    const words = Math.ceil(bits / 32);
    const mask = (1n << BigInt(bits)) - 1n;
    for (;;) {
      let x = 0n;
      for (let i = 0; i < words; i++) x = (x << 32n) | BigInt(this.u32());
      x &= mask;
      if (x <= max) return x;
    }
  }

  /** True with probability num/den. */
  chance(num: number, den: number): boolean {
    return this.int(den) < num;
  }

  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error("Rng.pick: empty list");
    return xs[this.int(xs.length)]!;
  }

  /** Picks a key with probability proportional to its (non-negative integer) weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>, order: readonly K[]): K {
    let total = 0;
    for (const k of order) total += weights[k];
    let x = this.int(total);
    for (const k of order) {
      if (x < weights[k]) return k;
      x -= weights[k];
    }
    throw new Error("unreachable");
  }
}

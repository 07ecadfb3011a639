import { compareBytes } from "../store/encoding";
import { fromUtf8, lengthPrefixed, readU64BE, splitLengthPrefixed, storeKey, u64BE, utf8 } from "./keys";

describe("store key helpers", () => {
  test("u64BE: byte order equals numeric order, round trips, rejects out of range", () => {
    const values = [0n, 1n, 255n, 256n, 65535n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 64n - 1n];
    for (let i = 0; i < values.length; i++) {
      expect(readU64BE(u64BE(values[i]))).toBe(values[i]);
      for (let j = 0; j < values.length; j++) {
        expect(Math.sign(compareBytes(u64BE(values[i]), u64BE(values[j])))).toBe(i < j ? -1 : i > j ? 1 : 0);
      }
    }
    expect(() => u64BE(-1n)).toThrow(RangeError);
    expect(() => u64BE(2n ** 64n)).toThrow(RangeError);
    expect(() => readU64BE(new Uint8Array(7))).toThrow(RangeError);
  });

  test("length-prefixed parts make one address's keys a byte prefix of no other address's keys", () => {
    const a = new Uint8Array([1, 2]);
    const ab = new Uint8Array([1, 2, 3]);
    const kA = storeKey(0x02, lengthPrefixed(a), utf8("ugrid"));
    const prefixAB = storeKey(0x02, lengthPrefixed(ab));
    expect(Buffer.from(kA.subarray(0, prefixAB.length)).equals(Buffer.from(prefixAB))).toBe(false);
    expect(Array.from(storeKey(0x02, lengthPrefixed(a)))).toEqual([0x02, 2, 1, 2]);
    const split = splitLengthPrefixed(kA.subarray(1))!;
    expect(Array.from(split.part)).toEqual([1, 2]);
    expect(fromUtf8(split.rest)).toBe("ugrid");
  });

  test("malformed length prefixes are refused, not misread", () => {
    expect(splitLengthPrefixed(new Uint8Array([]))).toBeUndefined();
    expect(splitLengthPrefixed(new Uint8Array([0]))).toBeUndefined();
    expect(splitLengthPrefixed(new Uint8Array([3, 1, 2]))).toBeUndefined();
    expect(() => lengthPrefixed(new Uint8Array(0))).toThrow(RangeError);
    expect(() => lengthPrefixed(new Uint8Array(256))).toThrow(RangeError);
    expect(() => fromUtf8(new Uint8Array([0xff]))).toThrow();
  });
});

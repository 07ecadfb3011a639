import { compareBytes } from "../store/encoding";
import { fromUtf8, lengthPrefixed, prefixedAddressKey, prefixedAddressStringKey, readU64BE, splitLengthPrefixed, storeKey, u64BE, utf8 } from "./keys";
import { decodeAmount, encodeAmount } from "../../modules/bank/keys";

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

  test("one-allocation key builders equal storeKey(prefix, lengthPrefixed(addr), utf8(s))", () => {
    for (const n of [1, 20, 32, 255]) {
      const addr = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      expect(Array.from(prefixedAddressKey(0x05, addr))).toEqual(Array.from(storeKey(0x05, lengthPrefixed(addr))));
      for (const s of ["", "ugrid", "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2", "é€😀", "a\u0000b", "\ud800x"]) {
        expect(Array.from(prefixedAddressStringKey(0x02, addr, s))).toEqual(Array.from(storeKey(0x02, lengthPrefixed(addr), utf8(s))));
      }
    }
    for (const n of [0, 256]) {
      expect(() => prefixedAddressKey(1, new Uint8Array(n))).toThrow(RangeError);
      expect(() => prefixedAddressStringKey(1, new Uint8Array(n), "x")).toThrow(RangeError);
    }
  });

  test("balance amounts: fast encode/decode equal the utf-8 decimal definition", () => {
    const values = [0n, 1n, 9n, 10n, 999_999_999_999_999n, 10n ** 15n, 2n ** 53n, 2n ** 64n, 2n ** 256n - 1n];
    for (const v of values) {
      expect(Array.from(encodeAmount(v))).toEqual(Array.from(utf8(v.toString())));
      expect(decodeAmount(utf8(v.toString()))).toBe(v);
    }
    for (const s of ["007", "0", " 12", "12 ", "1_0", "", "１２"]) {
      let want: bigint | string;
      try {
        want = BigInt(fromUtf8(utf8(s)));
      } catch (e) {
        want = (e as Error).constructor.name;
      }
      let got: bigint | string;
      try {
        got = decodeAmount(utf8(s));
      } catch (e) {
        got = (e as Error).constructor.name;
      }
      expect(got).toBe(want);
    }
  });
});

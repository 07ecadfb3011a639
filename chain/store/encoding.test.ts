/** Byte helpers: Go binary.PutVarint/PutUvarint semantics, BE64 and byte order. */
import { compareBytes, encodeUvarint, encodeVarint, prefixEnd, readBE64, readUvarint, readVarint, toHex, writeBE64 } from "./encoding";

describe("encoding", () => {
  test("zigzag varints match Go binary.PutVarint", () => {
    // Expected bytes computed by hand from Go's definition: uvarint(n<<1 ^ n>>63).
    expect(toHex(encodeVarint(0))).toBe("00");
    expect(toHex(encodeVarint(1))).toBe("02");
    expect(toHex(encodeVarint(-1))).toBe("01");
    expect(toHex(encodeVarint(63))).toBe("7e");
    expect(toHex(encodeVarint(64))).toBe("8001");
    expect(toHex(encodeVarint(2 ** 31))).toBe("8080808010");
    expect(toHex(encodeUvarint(300))).toBe("ac02");
    for (const n of [0, 1, 63, 64, 127, 128, 300, 2 ** 31, 2 ** 40 + 7, Math.floor(Number.MAX_SAFE_INTEGER / 4)]) {
      expect(readVarint(encodeVarint(n), 0)).toEqual([n, encodeVarint(n).length]);
      expect(readVarint(encodeVarint(-n), 0)[0]).toBe(-n || 0);
      expect(readUvarint(encodeUvarint(n), 0)).toEqual([n, encodeUvarint(n).length]);
    }
    expect(() => readUvarint(new Uint8Array([0x80]), 0)).toThrow(RangeError);
  });

  test("BE64 round trip", () => {
    const b = new Uint8Array(8);
    for (const n of [0, 1, 255, 256, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 12345, Number.MAX_SAFE_INTEGER]) {
      writeBE64(b, 0, n);
      expect(Buffer.from(b).readBigUInt64BE(0)).toBe(BigInt(n));
      expect(readBE64(b, 0)).toBe(n);
    }
  });

  test("byte order and prefix ends", () => {
    const h = (s: string) => Buffer.from(s, "hex");
    expect(compareBytes(h("01"), h("0100"))).toBe(-1);
    expect(compareBytes(h("ff"), h("0100"))).toBe(1);
    expect(compareBytes(h("7f"), h("80"))).toBe(-1);
    expect(compareBytes(h("abcd"), h("abcd"))).toBe(0);
    expect(toHex(prefixEnd(h("01ff"))!)).toBe("02");
    expect(toHex(prefixEnd(h("0101"))!)).toBe("0102");
    expect(prefixEnd(h("ffff"))).toBeUndefined();
  });
});

import { StoreKeys } from "./nodedb";

describe("StoreKeys.fastTmp", () => {
  it("gives fast(key)'s bytes for latin1 keys of any length, across scratch growth and reuse", () => {
    const k = new StoreKeys("bank");
    const keys = ["", "a", "\x00\xff\x80z", "x".repeat(300), "k".repeat(32), "\x01".repeat(1000), "short"];
    for (const key of keys) {
      const want = k.fast(Uint8Array.from(key, (c) => c.charCodeAt(0)));
      const got = k.fastTmp(key);
      expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
      expect(got).toBeInstanceOf(Uint8Array);
    }
    // A shorter key after a longer one must not see the longer key's tail.
    const a = Buffer.from(k.fastTmp("abcdef"));
    const b = Buffer.from(k.fastTmp("xy"));
    expect(a.equals(Buffer.from(k.fast(Buffer.from("abcdef", "latin1"))))).toBe(true);
    expect(b.equals(Buffer.from(k.fast(Buffer.from("xy", "latin1"))))).toBe(true);
  });
});

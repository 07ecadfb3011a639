/** Both secp256k1 verifiers (libsecp256k1 native and @noble/curves) on the same vectors; addresses vs CosmJS. */
import { Secp256k1, sha256 as cosmSha256 } from "@cosmjs/crypto";
import { rawSecp256k1PubkeyToRawAddress } from "@cosmjs/amino";
import { toBech32 as cosmToBech32 } from "@cosmjs/encoding";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { createHash } from "node:crypto";
import { fromBech32, moduleAddress, pubkeyToAddress, toBech32 } from "./address";
import { ripemd160, sha256 } from "./hash";
import { CURVE_N, HALF_N, availableVerifiers, getVerifier, isCanonicalLowS, isCanonicalLowSBigint, keyCacheSize } from "./secp256k1";

function vec(i: number) {
  const priv = new Uint8Array(createHash("sha256").update(`vector-${i}`).digest());
  const pub = secp256k1.getPublicKey(priv, true);
  const digest = new Uint8Array(createHash("sha256").update(`message-${i}`).digest());
  const sig = secp256k1.sign(digest, priv, { prehash: false, lowS: true, format: "compact" });
  return { priv, pub, digest, sig };
}

function highS(sig: Uint8Array): Uint8Array {
  const s = BigInt("0x" + Buffer.from(sig.subarray(32)).toString("hex"));
  return Uint8Array.from([...sig.subarray(0, 32), ...Buffer.from((CURVE_N - s).toString(16).padStart(64, "0"), "hex")]);
}

describe("secp256k1 verifiers", () => {
  test("the native binding is available on this machine (the fast path)", () => {
    expect(getVerifier().name).toBe("native");
    expect(availableVerifiers().map((v) => v.name)).toEqual(["native", "noble"]);
  });

  const vectors = Array.from({ length: 50 }, (_, i) => vec(i));
  for (const v of availableVerifiers()) {
    test(`${v.name}: valid, high-S, wrong digest, wrong key, bad lengths, off-curve key`, () => {
      for (const [i, t] of vectors.entries()) {
        expect(v.verify(t.sig, t.digest, t.pub)).toBe(true);
        expect(v.verify(highS(t.sig), t.digest, t.pub)).toBe(false); // malleated: rejected
        const other = vectors[(i + 1) % vectors.length];
        expect(v.verify(t.sig, other.digest, t.pub)).toBe(false);
        expect(v.verify(t.sig, t.digest, other.pub)).toBe(false);
        expect(v.verify(Uint8Array.from([...t.sig, 1]), t.digest, t.pub)).toBe(false); // 65 bytes
        expect(v.verify(t.sig.subarray(0, 63), t.digest, t.pub)).toBe(false);
        expect(v.verify(t.sig, t.digest, secp256k1.getPublicKey(t.priv, false))).toBe(false); // uncompressed key
      }
      const offCurve = new Uint8Array(33).fill(0xff);
      offCurve[0] = 0x02;
      expect(v.verify(vectors[0].sig, vectors[0].digest, offCurve)).toBe(false);
      expect(v.verify(new Uint8Array(64), vectors[0].digest, vectors[0].pub)).toBe(false); // r = s = 0
    });
  }

  test("both verifiers agree with CosmJS's own signer (cosmjs signs low-S)", async () => {
    for (let i = 0; i < 10; i++) {
      const { priv, pub, digest } = vec(100 + i);
      const sig = (await Secp256k1.createSignature(digest, priv)).toFixedLength().subarray(0, 64);
      for (const v of availableVerifiers()) expect(v.verify(sig, digest, pub)).toBe(true);
    }
  });

  test("native: the decompressed-key cache never changes an answer (across slabs, off-curve keys never cached)", () => {
    const native = getVerifier("native");
    const noble = getVerifier("noble");
    // 600 keys: more than one 512-key slab of cached 65-byte keys.
    const many = Array.from({ length: 600 }, (_, i) => vec(1000 + i));
    const before = keyCacheSize();
    for (let round = 0; round < 2; round++) {
      for (const [i, t] of many.entries()) {
        const other = many[(i + 1) % many.length];
        expect(native.verify(t.sig, t.digest, t.pub)).toBe(true);
        expect(native.verify(t.sig, other.digest, t.pub)).toBe(false);
        expect(native.verify(other.sig, other.digest, t.pub)).toBe(false); // someone else's signature under a cached key
        expect(native.verify(highS(t.sig), t.digest, t.pub)).toBe(false);
      }
    }
    expect(keyCacheSize()).toBeGreaterThanOrEqual(Math.min(before + 600, 65_536));
    for (const t of many.slice(0, 20)) expect(noble.verify(t.sig, t.digest, t.pub)).toBe(true);
    // A key whose x is not on the curve: rejected every time and never cached.
    const offCurve = new Uint8Array(33).fill(0xff);
    offCurve[0] = 0x03;
    const size = keyCacheSize();
    for (let i = 0; i < 3; i++) expect(native.verify(many[0].sig, many[0].digest, offCurve)).toBe(false);
    expect(keyCacheSize()).toBe(size);
    // The cache is keyed by the key's bytes, not the array: a copy or a view at an offset hits the same entry.
    const t = many[7];
    const padded = new Uint8Array(40);
    padded.set(t.pub, 5);
    expect(native.verify(t.sig, t.digest, padded.subarray(5, 38))).toBe(true);
    expect(native.verify(t.sig, t.digest, Uint8Array.from(t.pub))).toBe(true);
    expect(keyCacheSize()).toBe(size);
  });

  test("isCanonicalLowS boundaries", () => {
    const sig = (s: bigint) => Uint8Array.from([...new Uint8Array(31), 1, ...Buffer.from(s.toString(16).padStart(64, "0"), "hex")]);
    expect(isCanonicalLowS(sig(HALF_N))).toBe(true);
    expect(isCanonicalLowS(sig(HALF_N + 1n))).toBe(false);
    expect(isCanonicalLowS(sig(0n))).toBe(false);
  });
});

describe("addresses and hashes", () => {
  test("address = ripemd160(sha256(pubkey)) matches CosmJS; bech32 round trip with prefix grid", () => {
    for (let i = 0; i < 20; i++) {
      const { pub } = vec(i);
      const ours = pubkeyToAddress(pub);
      expect(Buffer.from(ours)).toEqual(Buffer.from(rawSecp256k1PubkeyToRawAddress(pub)));
      const s = toBech32(ours);
      expect(s).toBe(cosmToBech32("grid", rawSecp256k1PubkeyToRawAddress(pub)));
      expect(Buffer.from(fromBech32(s))).toEqual(Buffer.from(ours));
    }
    expect(Buffer.from(sha256(new Uint8Array([1, 2, 3])))).toEqual(Buffer.from(cosmSha256(new Uint8Array([1, 2, 3]))));
    expect(ripemd160(new Uint8Array()).length).toBe(20);
  });

  test("fromBech32 rejects other prefixes, bad checksums, mixed case, wrong lengths with clear messages", () => {
    const good = toBech32(moduleAddress("fee_collector"));
    expect(() => fromBech32(cosmToBech32("cosmos", moduleAddress("x")), "to_address")).toThrow(/to_address .* has prefix "cosmos", expected "grid"/);
    expect(() => fromBech32(good.slice(0, -1) + (good.endsWith("q") ? "p" : "q"))).toThrow(/not valid bech32/);
    expect(() => fromBech32(good.toUpperCase())).toThrow(/lower-case/);
    expect(() => fromBech32(cosmToBech32("grid", new Uint8Array(10)))).toThrow(/must be 20 or 32 bytes, got 10/);
    expect(() => fromBech32("")).toThrow(/is empty/);
  });
});

test("isCanonicalLowS (byte compare) equals the bigint definition around every boundary", () => {
  const be = (v: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((v >> BigInt(8 * (31 - i))) & 0xffn));
  const edges = [0n, 1n, 2n, 255n, 256n, HALF_N - 1n, HALF_N, HALF_N + 1n, CURVE_N - 1n, CURVE_N, CURVE_N + 1n, 2n ** 256n - 1n, 2n ** 255n];
  for (const r of edges) {
    for (const s of edges) {
      const sig = new Uint8Array([...be(r), ...be(s)]);
      expect(isCanonicalLowS(sig)).toBe(isCanonicalLowSBigint(sig));
    }
  }
  expect(isCanonicalLowS(new Uint8Array(63))).toBe(false);
});

test("memoized bech32 conversions hand out fresh bytes and still validate", () => {
  const addr = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
  const s = toBech32(addr);
  expect(toBech32(addr)).toBe(s);
  const a = fromBech32(s);
  a[0] = 99; // a caller mutating its copy must not change what the next caller gets
  expect(Array.from(fromBech32(s))).toEqual(Array.from(addr));
  expect(() => fromBech32(s.toUpperCase())).toThrow(/lower-case/);
  expect(() => fromBech32(s, "addr", "cosmos")).toThrow(/prefix/);
});

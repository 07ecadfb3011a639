/** The hand-written hot-path encoders are byte-identical to cosmjs-types. */
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { SignDoc } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { Any } from "cosmjs-types/google/protobuf/any";
import { createHash } from "node:crypto";
import { toBech32 } from "../crypto/address";
import { decodeAccount, encodeAccount } from "../../modules/auth/account";
import { encodeSignDoc, encodeTxMsgData } from "./pb";
import { directSignDigest } from "./signing";

const bytes = (seed: string, n: number) => Uint8Array.from({ length: n }, (_, i) => createHash("sha256").update(`${seed}/${i >> 5}`).digest()[i & 31]);
// (2^31 itself is left out of the cross-check: cosmjs-types 0.11 encodes it as 00 00 00 00 00, a bug of
// its own; see the dedicated test below for the correct bytes.)
const u64s = [0n, 1n, 127n, 128n, 300n, 2n ** 31n - 1n, 2n ** 32n + 5n, 2n ** 53n + 1n, 2n ** 64n - 1n];

test("SignDoc", () => {
  for (const [i, n] of u64s.entries()) {
    for (const len of [0, 1, 127, 128, 1000]) {
      const b = bytes(`b${i}`, len);
      const a = bytes(`a${i}`, (len * 7) % 300);
      const chainId = i % 2 ? "hashgrid-1" : "";
      expect(Buffer.from(encodeSignDoc(b, a, chainId, n))).toEqual(Buffer.from(SignDoc.encode({ bodyBytes: b, authInfoBytes: a, chainId, accountNumber: n }).finish()));
    }
  }
});

test("sign doc digest (reused buffer): sha256 of the canonical SignDoc, across sizes, chain ids and buffer growth", () => {
  for (const [i, n] of u64s.entries()) {
    for (const len of [0, 1, 127, 128, 1000, 5000]) {
      const b = bytes(`b${i}`, len);
      const a = bytes(`a${i}`, (len * 7) % 300);
      for (const chainId of ["hashgrid-1", "", "other-chain-é"]) {
        const want = createHash("sha256").update(SignDoc.encode({ bodyBytes: b, authInfoBytes: a, chainId, accountNumber: n }).finish()).digest();
        expect(Buffer.from(directSignDigest(b, a, chainId, n))).toEqual(want);
      }
    }
  }
});

test("BaseAccount in Any, with and without pubkey; decode round trip", () => {
  for (const [i, n] of u64s.entries()) {
    const addr = bytes(`addr${i}`, 20);
    const pk = i % 2 ? Uint8Array.from([2, ...bytes(`pk${i}`, 32)]) : undefined;
    const expected = Any.encode({
      typeUrl: "/cosmos.auth.v1beta1.BaseAccount",
      value: BaseAccount.encode({
        address: toBech32(addr),
        pubKey: pk ? { typeUrl: "/cosmos.crypto.secp256k1.PubKey", value: PubKey.encode({ key: pk }).finish() } : undefined,
        accountNumber: n,
        sequence: u64s[(i + 3) % u64s.length],
      }).finish(),
    }).finish();
    const acc = { address: addr, pubKey: pk, accountNumber: n, sequence: u64s[(i + 3) % u64s.length] };
    expect(Buffer.from(encodeAccount(acc))).toEqual(Buffer.from(expected));
    expect(decodeAccount(expected)).toEqual(acc);
  }
});

test("TxMsgData", () => {
  const rs = [
    { typeUrl: "/cosmos.bank.v1beta1.MsgSendResponse", value: new Uint8Array() },
    { typeUrl: "/hashgrid.market.v1.MsgBuyResponse", value: bytes("r", 40) },
  ];
  expect(Buffer.from(encodeTxMsgData(rs))).toEqual(Buffer.from(TxMsgData.encode({ data: [], msgResponses: rs }).finish()));
  expect(encodeTxMsgData([]).length).toBe(0);
  // One empty response (memoized per type URL): same bytes, and a fresh array every time.
  for (const r of [rs[0], { typeUrl: "/x.y.MsgZResponse", value: new Uint8Array() }]) {
    const a = encodeTxMsgData([r]);
    expect(Buffer.from(a)).toEqual(Buffer.from(TxMsgData.encode({ data: [], msgResponses: [r] }).finish()));
    a.fill(0);
    expect(Buffer.from(encodeTxMsgData([r]))).toEqual(Buffer.from(TxMsgData.encode({ data: [], msgResponses: [r] }).finish()));
  }
});

test("uint64 2^31 is encoded as the varint 80 80 80 80 08 (as Go does)", () => {
  expect(Buffer.from(encodeSignDoc(new Uint8Array(), new Uint8Array(), "", 2n ** 31n)).toString("hex")).toBe("208080808008");
});

test("patched BinaryReader.string: ASCII fast path and the original decoder agree", () => {
  // Non-ASCII, empty, long and ASCII strings; a non-minimal length varint; a truncated string.
  const { BinaryReader } = require("cosmjs-types/binary") as typeof import("cosmjs-types/binary");
  const { utf8Read } = require("cosmjs-types/utf8") as { utf8Read: (b: Uint8Array, s: number, e: number) => string };
  for (const s of ["", "ugrid", "grid1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v", "é€😀 memo", "x".repeat(1500), "a".repeat(1024) + "é"]) {
    const b = Buffer.from(s, "utf8");
    const enc = new Uint8Array([...Buffer.from(encodeVarint(b.length)), ...b]);
    expect(new BinaryReader(enc).string()).toBe(utf8Read(b, 0, b.length));
  }
  const nonMinimal = new Uint8Array([0x83, 0x00, 0x61, 0x62, 0x63, 0x7a]); // len 3 encoded in 2 bytes
  const r = new BinaryReader(nonMinimal);
  expect(r.string()).toBe("abc");
  expect(r.pos).toBe(5);
  const nonAscii = new Uint8Array([0x82, 0x00, 0xc3, 0xa9]);
  expect(new BinaryReader(nonAscii).string()).toBe("é");
  expect(() => new BinaryReader(new Uint8Array([5, 0x61])).string()).toThrow(RangeError);
});

function encodeVarint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

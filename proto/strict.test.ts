import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { hashgridMsgs } from "./gen/hashgrid";
import { MsgSubmitProposal } from "./gen/hashgrid/council/v1/tx";
import { MsgBuy, MsgSuspendProvider } from "./gen/hashgrid/market/v1/tx";
import { sampleMsg } from "../client/testing/samples";
import { StrictDecodeError, checkStrict, strictDecode } from "./strict";

const concat = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};
const extra = (fn: (w: BinaryWriter) => void) => {
  const w = new BinaryWriter();
  fn(w);
  return w.finish();
};

test.each(hashgridMsgs.map((m) => [m.typeUrl, m] as const))("%s: a fully populated message passes", (_url, m) => {
  const bytes = m.type.encode(m.type.fromPartial(sampleMsg(m))).finish();
  expect(strictDecode(m, bytes)).toEqual(m.type.decode(bytes));
});

describe("rejections", () => {
  const buy = MsgBuy.encode(MsgBuy.fromPartial({ buyer: "grid1x", listingId: 3n, units: 1, maxTotal: { denom: "ugrid", amount: "5" } })).finish();

  test("unknown field", () => {
    const bad = concat(buy, extra((w) => w.uint32((99 << 3) | 0).uint64(1n)));
    expect(() => checkStrict("hashgrid.market.v1.MsgBuy", bad)).toThrow(new StrictDecodeError("unknown field 99 in hashgrid.market.v1.MsgBuy"));
  });

  test("non-critical field only when allowed (ADR-020)", () => {
    const nc = concat(buy, extra((w) => w.uint32((1025 << 3) | 2).string("x")));
    expect(() => checkStrict("hashgrid.market.v1.MsgBuy", nc)).toThrow(/unknown field 1025/);
    expect(() => checkStrict("hashgrid.market.v1.MsgBuy", nc, { allowNonCritical: true })).not.toThrow();
  });

  test("wire type mismatch", () => {
    const bad = concat(buy, extra((w) => w.uint32((2 << 3) | 2).string("7")));
    expect(() => checkStrict("hashgrid.market.v1.MsgBuy", bad)).toThrow(/wire type 2 does not match field hashgrid.market.v1.MsgBuy.listing_id/);
  });

  test("unknown field inside a nested Coin", () => {
    const coin = extra((w) => w.uint32((1 << 3) | 2).string("ugrid").uint32((3 << 3) | 0).uint64(1n));
    const bad = concat(buy, extra((w) => w.uint32((5 << 3) | 2).bytes(coin)));
    expect(() => checkStrict("hashgrid.market.v1.MsgBuy", bad)).toThrow(/unknown field 3 in cosmos.base.v1beta1.Coin/);
  });

  test("truncated input and invalid UTF-8", () => {
    expect(() => checkStrict("hashgrid.market.v1.MsgBuy", buy.subarray(0, buy.length - 1))).toThrow(StrictDecodeError);
    const badUtf8 = extra((w) => w.uint32((1 << 3) | 2).bytes(new Uint8Array([0xff, 0xfe])));
    expect(() => checkStrict("hashgrid.market.v1.MsgBuy", badUtf8)).toThrow(/invalid UTF-8/);
  });

  test("Anys: unknown type URL and unknown fields inside a known inner message", () => {
    const inner = MsgSuspendProvider.encode(MsgSuspendProvider.fromPartial({ authority: "grid1c", provider: "grid1p" })).finish();
    const ok = MsgSubmitProposal.encode(
      MsgSubmitProposal.fromPartial({ proposer: "grid1m", messages: [{ typeUrl: "/hashgrid.market.v1.MsgSuspendProvider", value: Buffer.from(inner) }] }),
    ).finish();
    expect(() => checkStrict("hashgrid.council.v1.MsgSubmitProposal", ok)).not.toThrow();
    const unknownUrl = MsgSubmitProposal.encode(
      MsgSubmitProposal.fromPartial({ proposer: "grid1m", messages: [{ typeUrl: "/evil.v1.MsgSteal", value: Buffer.from(inner) }] }),
    ).finish();
    expect(() => checkStrict("hashgrid.council.v1.MsgSubmitProposal", unknownUrl)).toThrow(/unregistered Any type URL "\/evil.v1.MsgSteal"/);
    const badInner = MsgSubmitProposal.encode(
      MsgSubmitProposal.fromPartial({
        proposer: "grid1m",
        messages: [{ typeUrl: "/hashgrid.market.v1.MsgSuspendProvider", value: Buffer.from(concat(inner, extra((w) => w.uint32((9 << 3) | 0).uint32(1)))) }],
      }),
    ).finish();
    expect(() => checkStrict("hashgrid.council.v1.MsgSubmitProposal", badInner)).toThrow(/unknown field 9 in hashgrid.market.v1.MsgSuspendProvider/);
  });
});

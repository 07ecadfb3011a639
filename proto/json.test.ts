import { hashgridMsgs } from "./gen/hashgrid";
import { MsgSubmitProposal } from "./gen/hashgrid/council/v1/tx";
import { MsgSuspendProvider, MsgSubmitReceipt } from "./gen/hashgrid/market/v1/tx";
import { QueryParamsResponse } from "./gen/hashgrid/market/v1/query";
import { sampleMsg } from "../client/testing/samples";
import { defaultMarketParams } from "./defaults";
import { durationToJson, fromSdkJson, timestampToJson, toSdkJson } from "./json";

test.each(hashgridMsgs.map((m) => [m.typeUrl, m] as const))("%s round-trips through SDK JSON", (url, m) => {
  const msg = m.type.fromPartial(sampleMsg(m));
  const json = toSdkJson(m.type, url.slice(1), msg);
  expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  expect(fromSdkJson(m.type, url.slice(1), json)).toEqual(msg);
});

test("well-known types use the SDK gateway forms", () => {
  expect(timestampToJson({ seconds: 1767225600n, nanos: 0 })).toBe("2026-01-01T00:00:00Z");
  expect(timestampToJson({ seconds: 1767225600n, nanos: 120_000_000 })).toBe("2026-01-01T00:00:00.120Z");
  expect(timestampToJson({ seconds: 1767225600n, nanos: 1 })).toBe("2026-01-01T00:00:00.000000001Z");
  expect(durationToJson({ seconds: 1_209_600n, nanos: 0 })).toBe("1209600s");
  expect(durationToJson({ seconds: 1n, nanos: 500_000_000 })).toBe("1.500s");

  const params = toSdkJson(QueryParamsResponse, "hashgrid.market.v1.QueryParamsResponse", { params: defaultMarketParams() }) as any;
  expect(params.params.collateral_unbonding).toBe("1209600s");
  expect(params.params.channel_fee).toBe("0.050000000000000000");
  expect(params.params.default_resolution_action).toBe("DEFAULT_ACTION_REFUND_AND_SLASH");
  expect(params.params.max_bids_per_order).toBe(20);

  const receipt = MsgSubmitReceipt.fromPartial({ provider: "grid1p", startedAt: { seconds: 1767225600n, nanos: 5 } });
  const rj = toSdkJson(MsgSubmitReceipt, "hashgrid.market.v1.MsgSubmitReceipt", receipt) as any;
  expect(rj.started_at).toBe("2026-01-01T00:00:00.000000005Z");
  expect(rj.listing_id).toBe("0"); // defaults emitted, uint64 as string
  expect(fromSdkJson(MsgSubmitReceipt, "hashgrid.market.v1.MsgSubmitReceipt", rj)).toEqual(receipt);

  const inner = MsgSuspendProvider.fromPartial({ authority: "grid1c", provider: "grid1p", reason: "r" });
  const prop = MsgSubmitProposal.fromPartial({
    proposer: "grid1m",
    messages: [{ typeUrl: "/hashgrid.market.v1.MsgSuspendProvider", value: Buffer.from(MsgSuspendProvider.encode(inner).finish()) }],
  });
  const pj = toSdkJson(MsgSubmitProposal, "hashgrid.council.v1.MsgSubmitProposal", prop) as any;
  expect(pj.messages[0]).toEqual({ "@type": "/hashgrid.market.v1.MsgSuspendProvider", authority: "grid1c", provider: "grid1p", reason: "r" });
  expect(fromSdkJson(MsgSubmitProposal, "hashgrid.council.v1.MsgSubmitProposal", pj)).toEqual(prop);
});

import { hashgridMsgs } from "./gen/hashgrid";
import { messageFields } from "./gen/hashgrid/fields";
import { dec, defaultParams } from "./defaults";

const sum18 = (xs: string[]) => xs.reduce((a, x) => a + BigInt(x.replace(".", "")), 0n);

test.each(Object.entries(defaultParams))("default %s params set every field and round-trip", (mod, make) => {
  const p = make() as unknown as Record<string, unknown>;
  const fields = messageFields[`hashgrid.${mod}.v1.Params`]!;
  for (const f of fields) {
    // every field has an explicit default (empty lists only where documented as empty)
    if (f.name === "ibc_allowed_channels") continue;
    const v = p[f.key];
    expect(`${f.name}=${v === undefined || v === "" || (Array.isArray(v) && v.length === 0) ? "unset" : "set"}`).toBe(`${f.name}=set`);
    if (f.scalar === "cosmos.Dec") expect(v).toMatch(/^\d+\.\d{18}$/);
  }
  // the default params are accepted by MsgUpdateParams' codec
  const info = hashgridMsgs.find((m) => m.typeUrl === `/hashgrid.${mod}.v1.MsgUpdateParams`)!;
  const msg = info.type.fromPartial({ authority: "grid1gov", params: p });
  expect(info.type.decode(info.type.encode(msg).finish())).toEqual(msg);
});

test("market fee split sums to 1 and the emission schedule fits the 50M GRID reserve", () => {
  const m = defaultParams.market();
  const s = m.feeSplit!;
  expect(sum18([s.insurance, s.communityPool, s.burn, s.activityRewards])).toBe(10n ** 18n);
  const e = defaultParams.emission();
  const total = 2n * e.halvingInterval * BigInt(e.initialBlockReward);
  expect(total).toBeLessThanOrEqual(50_000_000n * 1_000_000n);
  expect(total).toBeGreaterThan(49_999_000n * 1_000_000n);
  expect(dec("0.05")).toBe("0.050000000000000000");
});

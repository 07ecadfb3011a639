import { hashgridEvents } from "./gen/hashgrid";
import { EventPositionMinted } from "./gen/hashgrid/market/v1/events";
import { parseTypedEvent, typedEvent } from "./events";

test("typed events follow the SDK encoding and round-trip", () => {
  const ev = EventPositionMinted.fromPartial({ positionId: 12n, listingId: 3n, owner: "grid1owner", escrowId: 12n, pricePaid: { denom: "ugrid", amount: "100" } });
  const abci = typedEvent("hashgrid.market.v1.EventPositionMinted", ev);
  expect(abci.attributes).toEqual([
    ["escrow_id", '"12"'],
    ["listing_id", '"3"'],
    ["owner", '"grid1owner"'],
    ["position_id", '"12"'],
    ["price_paid", '{"denom":"ugrid","amount":"100"}'],
  ]);
  const back = parseTypedEvent("hashgrid.market.v1.EventPositionMinted", [...abci.attributes.map(([key, value]) => ({ key, value })), { key: "msg_index", value: "0" }]);
  expect(back).toEqual(ev);
});

test("every event type is named Event* and round-trips from its defaults", () => {
  const types = hashgridEvents.map((e) => e.type);
  expect(new Set(types).size).toBe(types.length);
  for (const e of hashgridEvents) {
    expect(e.type).toMatch(/^hashgrid\.[a-z]+\.v1\.Event[A-Za-z]+$/);
    const v = e.codec.fromPartial({});
    const abci = typedEvent(e.type, v);
    expect(parseTypedEvent(e.type, abci.attributes.map(([key, value]) => ({ key, value })))).toEqual(v);
  }
});

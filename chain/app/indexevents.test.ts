import { checkIndexEvents, DEFAULT_INDEX_EVENTS, indexPolicy } from "./indexevents";

describe("indexEvents policy", () => {
  test("the default set covers what CosmJS searchTx and our e2e tests query", () => {
    const p = indexPolicy(DEFAULT_INDEX_EVENTS)!;
    for (const k of ["message.sender", "message.action", "transfer.recipient", "transfer.sender", "tx.acc_seq", "tx.signature"]) expect(p(...(k.split(".") as [string, string]))).toBe(true);
    for (const k of ["coin_spent.amount", "transfer.amount", "message.msg_index", "tx.fee"]) expect(p(...(k.split(".") as [string, string]))).toBe(false);
  });

  test("undefined keeps the emitters' flags, [] indexes all", () => {
    expect(indexPolicy(undefined)).toBeUndefined();
    expect(indexPolicy([])!("anything", "at_all")).toBe(true);
  });

  test("configured lists are validated", () => {
    expect(checkIndexEvents(["a.b", "transfer.recipient"])).toEqual(["a.b", "transfer.recipient"]);
    expect(() => checkIndexEvents("message.sender")).toThrow(/list/);
    expect(() => checkIndexEvents(["nodot"])).toThrow(/eventType\.attributeKey/);
    expect(() => checkIndexEvents([1])).toThrow();
  });
});

test("a key with dots matches only its own type", () => {
  const p = indexPolicy(["wasm.a.b", "x.y"])!;
  expect([p("wasm", "a.b"), p("wasm.a", "b"), p("x", "y"), p("x", "z"), p("y", "x")]).toEqual([true, false, true, false, false]);
});

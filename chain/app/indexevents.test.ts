import { checkIndexEvents, DEFAULT_INDEX_EVENTS, indexPolicy } from "./indexevents";
import { toAbciEvents } from "./app";

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

test("toAbciEvents (shares unchanged objects) equals a field-by-field copy under every policy", () => {
  const types = ["message", "transfer", "tx", "coin_spent"];
  const keys = ["sender", "recipient", "amount", "action", "acc_seq", "msg_index"];
  let seed = 7;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const shared = { key: "msg_index", value: "0", index: true };
  const events = Array.from({ length: 60 }, () => ({
    type: types[rnd(types.length)],
    attributes: Array.from({ length: rnd(5) }, () => (rnd(6) === 0 ? shared : { key: keys[rnd(keys.length)], value: String(rnd(1000)), index: rnd(2) === 1 })),
  }));
  const before = JSON.stringify(events);
  for (const list of [undefined, [], DEFAULT_INDEX_EVENTS, ["coin_spent.amount"]]) {
    const p = indexPolicy(list);
    const want = events.map((e) => ({ type: e.type, attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: p ? p(e.type, a.key) : a.index })) }));
    expect(JSON.parse(JSON.stringify(toAbciEvents(events, p)))).toEqual(want);
  }
  expect(JSON.stringify(events)).toBe(before); // the inputs are never modified
});

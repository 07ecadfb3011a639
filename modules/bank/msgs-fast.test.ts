/** MsgSend's one-pass decode must accept only what the strict generic decode accepts, with the same object. */
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { strictDecode } from "../../chain/tx/wire";
import { MsgSendSchema, decodeMsgSendFast } from "./msgs";

const generic = (b: Uint8Array): { ok: MsgSend } | { err: string } => {
  try {
    return { ok: strictDecode(b, MsgSendSchema, MsgSend.decode) };
  } catch (e) {
    return { err: (e as Error).message };
  }
};

function same(b: Uint8Array): boolean {
  const f = decodeMsgSendFast(b);
  if (f === undefined) return false;
  const g = generic(b);
  expect(g).toStrictEqual({ ok: f });
  return true;
}

const a = "grid1dfa2ytgt2ngg6m8zkc985c4q5h4cenjaweprxz";
const c = "grid10j4f95td4k7azxwna5qnq80zd9tx4as5pzrwaa";
const corpus = [
  MsgSend.encode({ fromAddress: a, toAddress: c, amount: [{ denom: "ugrid", amount: "1" }] }).finish(),
  MsgSend.encode({ fromAddress: a, toAddress: c, amount: [{ denom: "uatom", amount: "12345678901234567890" }, { denom: "ugrid", amount: "7" }] }).finish(),
  MsgSend.encode({ fromAddress: a, toAddress: "", amount: [] }).finish(),
  MsgSend.encode({ fromAddress: "", toAddress: c, amount: [{ denom: "", amount: "" }] }).finish(),
  new Uint8Array(0),
];

test("the common shapes decode in one pass to the generic result", () => {
  for (const b of corpus) expect(same(b)).toBe(true);
});

test("other shapes are declined (the generic path decides)", () => {
  const dup = Uint8Array.from([...corpus[0], 0x0a, 0x01, 0x61]); // from_address twice: generic takes the last
  const unknown = Uint8Array.from([...corpus[0], 0x20, 0x01]);
  const nonAscii = MsgSend.encode({ fromAddress: "é", toAddress: c, amount: [] }).finish();
  const long = MsgSend.encode({ fromAddress: "x".repeat(200), toAddress: c, amount: [] }).finish();
  for (const b of [dup, unknown, nonAscii, long]) expect(decodeMsgSendFast(b)).toBeUndefined();
  expect("ok" in generic(dup)).toBe(true);
});

test("every single-byte mutation, deletion and truncation: the fast result, when there is one, is the generic one", () => {
  let fast = 0;
  for (const b of corpus.slice(0, 2)) {
    for (let i = 0; i < b.length; i++) {
      for (const v of [0x00, 0x08, 0x0a, 0x12, 0x1a, 0x7f, 0x80, 0xff, (b[i] + 1) & 0xff]) {
        const m = Uint8Array.from(b);
        m[i] = v;
        if (same(m)) fast++;
      }
      if (same(Uint8Array.from([...b.subarray(0, i), ...b.subarray(i + 1)]))) fast++;
      same(b.subarray(0, i));
    }
  }
  expect(fast).toBeGreaterThan(100);
});

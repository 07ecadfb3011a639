import { Request, Response, type ExecTxResult, type ResponseCheckTx } from "cosmjs-types/tendermint/abci/types";
import { decodeCheckTxRequest, encodeResponseFrame, FLUSH_RESPONSE_FRAME, isFlushRequest } from "./codec";
import { encodeFrame } from "./framing";

const generic = (res: Response): Buffer => encodeFrame(Response.encode(res).finish());

function txResult(i: number): ResponseCheckTx & ExecTxResult {
  const long = "x".repeat(100 + i * 37); // bodies crossing the 128-byte length boundaries
  return {
    code: i % 3 === 0 ? 0 : i * 1000 + 5,
    data: i % 2 ? new Uint8Array(i * 50).fill(i) : new Uint8Array(),
    log: i % 4 === 1 ? `failed: ${long} ünïcödé ✓ 🚀 \ud800 lone` : "",
    info: i === 5 ? "info" : "",
    gasWanted: [0n, 1n, 127n, 128n, 100_000n, 2n ** 53n + 1n, 9_223_372_036_854_775_807n, -1n][i % 8]!,
    gasUsed: [0n, 300n, 16_384n, -5n][i % 4]!,
    events: Array.from({ length: i % 5 }, (_, e) => ({
      type: e === 2 ? "" : `event${e}`,
      attributes: Array.from({ length: e + 1 }, (_, a) => ({
        key: a === 1 ? "" : `key${a}`,
        value: a === 2 ? long : a === 3 ? "" : `v${a}é`,
        index: a % 2 === 0,
      })),
    })),
    codespace: i % 3 === 0 ? "" : "sdk",
  };
}

describe("fast ABCI codec: byte-identical to cosmjs-types", () => {
  test("ResponseCheckTx frames", () => {
    for (let i = 0; i < 40; i++) {
      const res: Response = { checkTx: txResult(i) };
      expect(encodeResponseFrame(res).toString("hex")).toBe(generic(res).toString("hex"));
    }
  });

  test("ResponseFinalizeBlock frames (events, many results, validator updates, params, app hash)", () => {
    for (const n of [0, 1, 3, 200]) {
      const res: Response = {
        finalizeBlock: {
          events: txResult(4).events,
          txResults: Array.from({ length: n }, (_, i) => txResult(i)),
          validatorUpdates: n === 3 ? [{ pubKey: { ed25519: new Uint8Array(32).fill(7) }, power: 10n }] : [],
          consensusParamUpdates: n === 3 ? { block: { maxBytes: 22020096n, maxGas: -1n } } : undefined,
          appHash: n === 0 ? new Uint8Array() : new Uint8Array(32).fill(9),
        },
      };
      expect(encodeResponseFrame(res).toString("hex")).toBe(generic(res).toString("hex"));
    }
  });

  test("a 5 MB response grows the scratch buffer and stays correct; later small ones too", () => {
    const big: Response = { checkTx: { ...txResult(1), data: new Uint8Array(5 * 1024 * 1024).fill(3) } };
    expect(encodeResponseFrame(big).equals(generic(big))).toBe(true);
    const small: Response = { checkTx: txResult(2) };
    expect(encodeResponseFrame(small).equals(generic(small))).toBe(true);
  });

  test("other responses take the generic path", () => {
    for (const res of [{ flush: {} }, { echo: { message: "hi" } }, { commit: { retainHeight: 5n } }, { exception: { error: "boom" } }] as Response[]) {
      expect(encodeResponseFrame(res).equals(generic(res))).toBe(true);
    }
    expect(FLUSH_RESPONSE_FRAME.equals(generic({ flush: {} }))).toBe(true);
  });

  test("Flush request detection", () => {
    expect(isFlushRequest(Request.encode({ flush: {} }).finish())).toBe(true);
    expect(isFlushRequest(Request.encode({ echo: { message: "" } }).finish())).toBe(false);
    expect(isFlushRequest(Request.encode({ commit: {} }).finish())).toBe(false);
  });

  test("CheckTx request fast decode agrees with the generic decoder, and declines anything unusual", () => {
    for (const req of [
      { tx: new Uint8Array([1, 2, 3]), type: 0 },
      { tx: new Uint8Array([1, 2, 3]), type: 1 },
      { tx: new Uint8Array(300).fill(5), type: 1 },
      { tx: new Uint8Array(), type: 0 },
      { tx: new Uint8Array(), type: 1 },
    ]) {
      const body = Request.encode({ checkTx: req }).finish();
      const fast = decodeCheckTxRequest(body);
      expect(fast).toEqual(Request.decode(body).checkTx);
    }
    // not CheckTx, extra fields, truncated, duplicated fields, trailing bytes
    expect(decodeCheckTxRequest(Request.encode({ flush: {} }).finish())).toBeUndefined();
    expect(decodeCheckTxRequest(Buffer.from("4205 0a0101 1801".replace(/ /g, ""), "hex"))).toBeUndefined();
    expect(decodeCheckTxRequest(Buffer.from("4205 0a0301".replace(/ /g, ""), "hex"))).toBeUndefined();
    expect(decodeCheckTxRequest(Buffer.from("4206 0a0101 0a0102".replace(/ /g, ""), "hex"))).toBeUndefined();
    expect(decodeCheckTxRequest(Buffer.from("4203 0a0101 12".replace(/ /g, ""), "hex"))).toBeUndefined();
    expect(decodeCheckTxRequest(Buffer.from("42", "hex"))).toBeUndefined();
  });
});

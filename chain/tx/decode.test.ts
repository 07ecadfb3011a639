/** Strict decoding (ADR-020/027): unknown fields, non-critical extensions, wire types, limits. */
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { AuthKeeper } from "../../modules/auth/keeper";
import { BankKeeper } from "../../modules/bank/keeper";
import { msgMultiSendHandler, msgSendHandler } from "../../modules/bank/msgs";
import type { MsgHandler } from "../app/types";
import { decodeTx } from "./decode";
import { DEFAULT_TX_LIMITS } from "./limits";
import { buildSignedTx, keyFromSeed, msgSend } from "../../test/helpers/txkit";

const bank = new BankKeeper(new AuthKeeper());
const handlers = new Map<string, MsgHandler<unknown>>([msgSendHandler(bank), msgMultiSendHandler(bank)].map((h) => [h.typeUrl, h as MsgHandler<unknown>]));
const lookup = (u: string) => handlers.get(u);
const alice = keyFromSeed("a");
const bob = keyFromSeed("b");

const decode = (b: Uint8Array) => decodeTx(b, lookup, DEFAULT_TX_LIMITS);
const base = () => ({ key: alice, msgs: [msgSend(alice.address, bob.address, 1n)], chainId: "c", accountNumber: 0n, sequence: 0n });
const cat = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe("decodeTx", () => {
  test("a well-formed tx decodes", () => {
    const d = decode(buildSignedTx(base()).bytes);
    expect(d.msgs[0].typeUrl).toBe("/cosmos.bank.v1beta1.MsgSend");
    expect((d.msgs[0].msg as MsgSend).toAddress).toBe(bob.address);
    expect(d.pubkeys[0]?.length).toBe(33);
  });

  test.each([
    ["TxRaw", (t: ReturnType<typeof buildSignedTx>) => cat(t.bytes, [0x20, 0x01]), /TxRaw: unknown field number 4/],
    ["AuthInfo", (t: ReturnType<typeof buildSignedTx>) => TxRaw.encode({ bodyBytes: t.bodyBytes, authInfoBytes: cat(t.authInfoBytes, [0x38, 0x00]), signatures: [t.signature] }).finish(), /AuthInfo: unknown field number 7/],
    [
      "SignerInfo",
      (t: ReturnType<typeof buildSignedTx>) => {
        const ai = AuthInfo.decode(t.authInfoBytes);
        const si = AuthInfo.encode({ ...ai, signerInfos: [] }).finish();
        const signer = cat(AuthInfo.encode({ signerInfos: ai.signerInfos, fee: undefined }).finish().subarray(2), [0x20, 0x05]);
        return TxRaw.encode({ bodyBytes: t.bodyBytes, authInfoBytes: cat([0x0a, signer.length], signer, si), signatures: [t.signature] }).finish();
      },
      /\(cosmos.tx.v1beta1.SignerInfo\): unknown field number 4/,
    ],
    [
      "Fee",
      (t: ReturnType<typeof buildSignedTx>) => {
        const ai = AuthInfo.decode(t.authInfoBytes);
        const fee = cat(AuthInfo.encode({ signerInfos: [], fee: ai.fee }).finish().subarray(2), [0x28, 0x01]);
        const rest = AuthInfo.encode({ ...ai, fee: undefined }).finish();
        return TxRaw.encode({ bodyBytes: t.bodyBytes, authInfoBytes: cat(rest, [0x12, fee.length], fee), signatures: [t.signature] }).finish();
      },
      /\(cosmos.tx.v1beta1.Fee\): unknown field number 5/,
    ],
    ["TxBody (critical, < 1024)", (t: ReturnType<typeof buildSignedTx>) => TxRaw.encode({ bodyBytes: cat(t.bodyBytes, [0x30, 0x01]), authInfoBytes: t.authInfoBytes, signatures: [t.signature] }).finish(), /TxBody: unknown field number 6/],
    [
      "MsgSend",
      (t: ReturnType<typeof buildSignedTx>) => {
        const v = cat(MsgSend.encode({ fromAddress: alice.address, toAddress: bob.address, amount: [{ denom: "ugrid", amount: "1" }] }).finish(), [0x20, 0x01]);
        const body = TxBody.encode(TxBody.fromPartial({ messages: [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: v }] })).finish();
        return TxRaw.encode({ bodyBytes: body, authInfoBytes: t.authInfoBytes, signatures: [t.signature] }).finish();
      },
      /MsgSend: unknown field number 4/,
    ],
    [
      "Coin inside MsgSend",
      (t: ReturnType<typeof buildSignedTx>) => {
        const coin = [0x0a, 0x05, ...Buffer.from("ugrid"), 0x12, 0x01, 0x31, 0x18, 0x01];
        const v = cat(MsgSend.encode({ fromAddress: alice.address, toAddress: bob.address, amount: [] }).finish(), [0x1a, coin.length], coin);
        const body = TxBody.encode(TxBody.fromPartial({ messages: [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: v }] })).finish();
        return TxRaw.encode({ bodyBytes: body, authInfoBytes: t.authInfoBytes, signatures: [t.signature] }).finish();
      },
      /\(cosmos.base.v1beta1.Coin\): unknown field number 3/,
    ],
    ["wire-type mismatch (memo as varint)", (t: ReturnType<typeof buildSignedTx>) => TxRaw.encode({ bodyBytes: cat(t.bodyBytes, [0x10, 0x01]), authInfoBytes: t.authInfoBytes, signatures: [t.signature] }).finish(), /memo: wire type 0 does not match/],
    ["group wire type", (t: ReturnType<typeof buildSignedTx>) => TxRaw.encode({ bodyBytes: cat(t.bodyBytes, [0x33]), authInfoBytes: t.authInfoBytes, signatures: [t.signature] }).finish(), /group wire type/],
    ["truncated", (t: ReturnType<typeof buildSignedTx>) => t.bytes.subarray(0, t.bytes.length - 3), /truncated/],
    ["duplicate body (ADR-027)", (t: ReturnType<typeof buildSignedTx>) => cat(t.bytes, TxRaw.encode({ bodyBytes: t.bodyBytes, authInfoBytes: new Uint8Array(), signatures: [] }).finish()), /ascending order/],
    ["unknown message type", (t: ReturnType<typeof buildSignedTx>) => TxRaw.encode({ bodyBytes: TxBody.encode(TxBody.fromPartial({ messages: [{ typeUrl: "/x.y.MsgZ", value: new Uint8Array() }] })).finish(), authInfoBytes: t.authInfoBytes, signatures: [t.signature] }).finish(), /unable to resolve type URL "\/x.y.MsgZ"/],
    ["extension option", (t: ReturnType<typeof buildSignedTx>) => TxRaw.encode({ bodyBytes: TxBody.encode(TxBody.fromPartial({ ...TxBody.decode(t.bodyBytes), extensionOptions: [{ typeUrl: "/x", value: new Uint8Array() }] })).finish(), authInfoBytes: t.authInfoBytes, signatures: [t.signature] }).finish(), /extension option "\/x" is not supported/],
  ])("rejects an unknown field / malformed data in %s", (_name, mutate, err) => {
    const t = buildSignedTx(base());
    expect(() => decode(mutate(t))).toThrow(err);
    try {
      decode(mutate(t));
    } catch (e) {
      expect((e as { codespace: string }).codespace).toBe("sdk");
    }
  });

  test("TxBody non-critical extension fields (1024-2047) are ignored (ADR-020)", () => {
    const t = buildSignedTx(base());
    // field 1500 varint: tag = 1500<<3|0 = 12000 → varint e0 5d
    const body = cat(t.bodyBytes, [0xe0, 0x5d, 0x01]);
    expect(() => decode(TxRaw.encode({ bodyBytes: body, authInfoBytes: t.authInfoBytes, signatures: [t.signature] }).finish())).not.toThrow();
    // but not in AuthInfo
    const ai = cat(t.authInfoBytes, [0xe0, 0x5d, 0x01]);
    expect(() => decode(TxRaw.encode({ bodyBytes: t.bodyBytes, authInfoBytes: ai, signatures: [t.signature] }).finish())).toThrow(/AuthInfo: unknown field number 1500/);
  });

  test("limits: size, message count", () => {
    const many = buildSignedTx({ ...base(), msgs: Array.from({ length: 33 }, () => msgSend(alice.address, bob.address, 1n)) });
    expect(() => decode(many.bytes)).toThrow(/33 messages; at most 32/);
    const big = buildSignedTx({ ...base(), memo: "m".repeat(DEFAULT_TX_LIMITS.maxTxBytes) });
    expect(() => decode(big.bytes)).toThrow(/the limit is 65536 bytes: tx too large/);
  });

  test("invalid UTF-8 in a string field is rejected", () => {
    const t = buildSignedTx(base());
    const body = cat(t.bodyBytes, [0x12, 0x02, 0xc3, 0x28]);
    expect(() => decode(TxRaw.encode({ bodyBytes: body, authInfoBytes: t.authInfoBytes, signatures: [t.signature] }).finish())).toThrow(/invalid UTF-8/);
  });
});

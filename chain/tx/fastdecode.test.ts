/**
 * The fast decode path (fastdecode.ts) must accept only txs the generic strict path accepts and
 * build exactly the same DecodedTx; every other input must be left to the generic path, so
 * decodeTx's results and errors are those of the generic path for every input.
 */
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { MsgMultiSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { AuthKeeper } from "../../modules/auth/keeper";
import { BankKeeper } from "../../modules/bank/keeper";
import { msgMultiSendHandler, msgSendHandler } from "../../modules/bank/msgs";
import type { MsgHandler } from "../app/types";
import { decodeTx, decodeTxGeneric, type DecodedTx } from "./decode";
import { fastDecodeTx } from "./fastdecode";
import { DEFAULT_TX_LIMITS } from "./limits";
import { buildSignedTx, keyFromSeed, msgSend } from "../../test/helpers/txkit";

const bank = new BankKeeper(new AuthKeeper());
const handlers = new Map<string, MsgHandler<unknown>>([msgSendHandler(bank), msgMultiSendHandler(bank)].map((h) => [h.typeUrl, h as MsgHandler<unknown>]));
const lookup = (u: string) => handlers.get(u);
const limits = DEFAULT_TX_LIMITS;
const alice = keyFromSeed("fa");
const bob = keyFromSeed("fb");
const base = { key: alice, msgs: [msgSend(alice.address, bob.address, 1n)], chainId: "c", accountNumber: 3n, sequence: 7n };

type Outcome = { ok: DecodedTx } | { err: string };
function generic(b: Uint8Array): Outcome {
  try {
    return { ok: decodeTxGeneric(b, lookup, limits) };
  } catch (e) {
    return { err: (e as Error).message };
  }
}
/** Plain data of a DecodedTx (handlers are functions: compared by identity separately). */
function plain(d: DecodedTx): unknown {
  return { ...d, msgs: d.msgs.map((m) => ({ typeUrl: m.typeUrl, msg: m.msg })) };
}

/** Fast result (if any) equals the generic one; decodeTx agrees with the generic path. */
function checkSame(b: Uint8Array): "fast" | "generic" {
  const g = generic(b);
  const f = fastDecodeTx(b, lookup, limits);
  if (f !== undefined) {
    expect("ok" in g).toBe(true);
    const gd = (g as { ok: DecodedTx }).ok;
    expect(plain(f)).toStrictEqual(plain(gd));
    f.msgs.forEach((m, i) => expect(m.handler).toBe(gd.msgs[i].handler));
  }
  let d: Outcome;
  try {
    d = { ok: decodeTx(b, lookup, limits) };
  } catch (e) {
    d = { err: (e as Error).message };
  }
  if ("err" in g) expect(d).toEqual(g);
  else expect(plain((d as { ok: DecodedTx }).ok)).toStrictEqual(plain(g.ok));
  return f !== undefined ? "fast" : "generic";
}

const cat = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const multiSend = {
  typeUrl: "/cosmos.bank.v1beta1.MsgMultiSend",
  value: MsgMultiSend.encode({ inputs: [{ address: alice.address, coins: [{ denom: "ugrid", amount: "2" }] }], outputs: [{ address: bob.address, coins: [{ denom: "ugrid", amount: "2" }] }] }).finish(),
};

/** Txs the fast path takes. */
const common: [string, Uint8Array][] = [
  ["MsgSend", buildSignedTx(base).bytes],
  ["memo + timeout height", buildSignedTx({ ...base, memo: "hello memo", timeoutHeight: 123_456_789n }).bytes],
  ["three messages", buildSignedTx({ ...base, msgs: [base.msgs[0], multiSend, msgSend(alice.address, bob.address, 99n, "uatom")] }).bytes],
  ["no fee coins, zero gas", buildSignedTx({ ...base, fee: { amount: [], gasLimit: 0n } }).bytes],
  ["two fee coins", buildSignedTx({ ...base, fee: { amount: [{ denom: "uatom", amount: "1" }, { denom: "ugrid", amount: "5" }], gasLimit: 2n ** 40n } }).bytes],
  ["no public key", buildSignedTx({ ...base, includePubkey: false }).bytes],
  ["sequence 0, sign mode 127", buildSignedTx({ ...base, sequence: 0n, signMode: 127 }).bytes],
  ["sign mode 0 (empty single)", buildSignedTx({ ...base, signMode: 0 }).bytes],
  ["a 65-byte key (the ante rejects it, decoding does not)", buildSignedTx({ ...base, mutateAuthInfo: (b) => { const a = AuthInfo.decode(b); a.signerInfos[0].publicKey!.value = PubKey.encode({ key: new Uint8Array(65).fill(4) }).finish(); return AuthInfo.encode(a).finish(); } }).bytes],
  ["no signatures (the ante rejects it)", TxRaw.encode({ ...TxRaw.decode(buildSignedTx(base).bytes), signatures: [] }).finish()],
  ["big sequence", buildSignedTx({ ...base, sequence: 2n ** 48n + 5n }).bytes],
];

/** Valid or invalid txs the fast path leaves to the generic path. */
const declined: [string, Uint8Array][] = [
  ["non-ASCII memo", buildSignedTx({ ...base, memo: "héllo" }).bytes],
  ["timeout height ≥ 2^49", buildSignedTx({ ...base, timeoutHeight: 2n ** 60n }).bytes],
  ["non-critical extension field", buildSignedTx({ ...base, mutateBody: (b) => cat(b, [0x82, 0x40, 0x00]) }).bytes], // field 1024 varint 0
  ["unknown AuthInfo field", buildSignedTx({ ...base, mutateAuthInfo: (b) => cat(b, [0x38, 0x00]) }).bytes],
  ["empty", new Uint8Array(0)],
  ["unknown message type", buildSignedTx({ ...base, msgs: [{ typeUrl: "/x.Y", value: new Uint8Array([8, 1]) }] }).bytes],
  ["no messages", buildSignedTx({ ...base, msgs: [] }).bytes],
  ["a second public key type", buildSignedTx({ ...base, mutateAuthInfo: (b) => { const a = AuthInfo.decode(b); a.signerInfos[0].publicKey!.typeUrl = "/cosmos.crypto.ed25519.PubKey"; return AuthInfo.encode(a).finish(); } }).bytes],
  ["fields out of order (body)", buildSignedTx({ ...base, memo: "m", mutateBody: (b) => { const t = TxBody.decode(b); const memo = TxBody.encode({ ...TxBody.fromPartial({}), memo: t.memo }).finish(); const msgs = TxBody.encode({ ...TxBody.fromPartial({}), messages: t.messages }).finish(); return cat(memo, msgs); } }).bytes],
];

describe("fastDecodeTx", () => {
  test.each(common)("takes the common shape and equals the generic decode: %s", (_n, b) => {
    expect(checkSame(b)).toBe("fast");
  });

  test.each(declined)("leaves to the generic path: %s", (_n, b) => {
    checkSame(b);
    expect(fastDecodeTx(b, lookup, limits)).toBeUndefined();
  });

  test("every single-byte mutation, deletion and truncation of common txs: same outcome as the generic path", () => {
    let fast = 0;
    let total = 0;
    for (const [, tx] of common.slice(0, 3)) {
      for (let i = 0; i < tx.length; i++) {
        for (const v of [0x00, 0x80, 0xff, (tx[i] + 1) & 0xff, tx[i] ^ 0x08]) {
          const m = Uint8Array.from(tx);
          m[i] = v;
          if (checkSame(m) === "fast") fast++;
          total++;
        }
        if (checkSame(cat(tx.subarray(0, i), tx.subarray(i + 1))) === "fast") fast++;
        checkSame(tx.subarray(0, i));
        total += 2;
      }
    }
    expect(total).toBeGreaterThan(1000);
    expect(fast).toBeGreaterThan(0); // mutations inside strings and signatures still decode
  });

  test("a Buffer input: the same Buffer views and plain Uint8Array values as the generic path", () => {
    const b = Buffer.from(common[0][1]);
    const f = fastDecodeTx(b, lookup, limits)!;
    expect(Buffer.isBuffer(f.bodyBytes)).toBe(true);
    expect(Buffer.isBuffer(f.signatures[0])).toBe(true);
    expect(Buffer.isBuffer(f.pubkeys[0])).toBe(false);
    expect(Buffer.isBuffer(f.body.messages[0].value)).toBe(false);
    expect(plain(f)).toStrictEqual(plain(decodeTxGeneric(b, lookup, limits)));
  });
});

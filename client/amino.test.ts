import { Secp256k1HdWallet, makeSignDoc as makeSignDocAmino, serializeSignDoc } from "@cosmjs/amino";
import { Secp256k1, Secp256k1Signature, sha256 } from "@cosmjs/crypto";
import { fromBase64 } from "@cosmjs/encoding";
import { encodePubkey, makeAuthInfoBytes } from "@cosmjs/proto-signing";
import { AminoTypes, createDefaultAminoConverters } from "@cosmjs/stargate";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { decodeTxRaw } from "@cosmjs/proto-signing";
import { createHashgridAminoConverters, objectToAmino } from "./amino";
import { createHashgridRegistry, hashgridMsgs } from "./registry";
import { sampleMsg } from "./testing/samples";
import { MsgBuy } from "../proto/gen/hashgrid/market/v1/tx";
import { MsgSubmitProposal } from "../proto/gen/hashgrid/council/v1/tx";
import { MsgSuspendProvider } from "../proto/gen/hashgrid/market/v1/tx";

const MNEMONIC =
  "surround miss nominee dream gap cross assault thank captain prosper drop duty group candy wealth weather scale put";
const aminoTypes = new AminoTypes({ ...createDefaultAminoConverters(), ...createHashgridAminoConverters() });

test.each(hashgridMsgs.map((m) => [m.typeUrl, m] as const))("%s round-trips through amino JSON", (typeUrl, m) => {
  const value = sampleMsg(m);
  const amino = aminoTypes.toAmino({ typeUrl, value });
  expect(amino.type).toBe(m.aminoType);
  expect(JSON.parse(JSON.stringify(amino))).toEqual(amino); // plain JSON, no bigint/Uint8Array
  const back = aminoTypes.fromAmino(amino);
  expect(back.typeUrl).toBe(typeUrl);
  expect(back.value).toEqual(m.type.fromPartial(value));
});

test("amino JSON of MsgBuy follows the SDK rules", () => {
  const msg = MsgBuy.fromPartial({ buyer: "grid1abc", listingId: 7n, units: 2, termsVersion: 0n, maxTotal: { denom: "ugrid", amount: "1050" } });
  expect(aminoTypes.toAmino({ typeUrl: "/hashgrid.market.v1.MsgBuy", value: msg })).toEqual({
    type: "hashgrid/market/MsgBuy",
    value: { buyer: "grid1abc", listing_id: "7", units: 2, max_total: { denom: "ugrid", amount: "1050" } }, // terms_version 0 omitted
  });
});

test("timestamps, durations, enums and Any follow the SDK amino encoding", () => {
  const t = objectToAmino("hashgrid.market.v1.MsgSubmitReceipt", {
    provider: "grid1p",
    startedAt: { seconds: 1767225600n, nanos: 0 },
    finishedAt: { seconds: 1767225600n, nanos: 120_000_000 },
  });
  expect(t).toEqual({ provider: "grid1p", started_at: "2026-01-01T00:00:00Z", finished_at: "2026-01-01T00:00:00.12Z" });
  const d = objectToAmino("hashgrid.market.v1.MsgCreateOrder", { buyer: "grid1b", duration: { seconds: 3600n, nanos: 0 }, autoSelect: true });
  // max_price_per_hour and deposit are dont_omitempty Coins: written even when unset
  expect(d).toEqual({ buyer: "grid1b", max_price_per_hour: {}, duration: "3600000000000", deposit: {}, auto_select: true });
  const inner = MsgSuspendProvider.fromPartial({ authority: "grid1council", provider: "grid1p", reason: "outage" });
  const p = MsgSubmitProposal.fromPartial({
    proposer: "grid1m",
    title: "t",
    messages: [{ typeUrl: "/hashgrid.market.v1.MsgSuspendProvider", value: Buffer.from(MsgSuspendProvider.encode(inner).finish()) }],
  });
  expect(objectToAmino("hashgrid.council.v1.MsgSubmitProposal", p)).toEqual({
    proposer: "grid1m",
    messages: [{ type: "hashgrid/market/MsgSuspendProvider", value: { authority: "grid1council", provider: "grid1p", reason: "outage" } }],
    title: "t",
  });
  const vote = aminoTypes.toAmino({ typeUrl: "/hashgrid.council.v1.MsgVote", value: { voter: "grid1m", proposalId: 1n, option: 1 } });
  expect(vote.value).toEqual({ voter: "grid1m", proposal_id: "1", option: 1 });
});

test("every Msg is signed in SIGN_MODE_LEGACY_AMINO_JSON and the node can rebuild the sign bytes", async () => {
  const wallet = await Secp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "grid" });
  const [account] = await wallet.getAccounts();
  const address = account!.address;
  const registry = createHashgridRegistry();
  const msgs = hashgridMsgs.map((m) => aminoTypes.toAmino({ typeUrl: m.typeUrl, value: sampleMsg(m, address) }));
  const fee = { amount: [{ denom: "ugrid", amount: "5000" }], gas: "2000000" };
  const signDoc = makeSignDocAmino(msgs, fee, "hashgrid-devnet-1", "amino test", 7, 3);
  const { signed, signature } = await wallet.signAmino(address, signDoc);

  // Client: body from the signed amino msgs, auth info with mode 127.
  const bodyBytes = registry.encodeTxBody({ messages: signed.msgs.map((a) => aminoTypes.fromAmino(a)), memo: signed.memo });
  const authInfoBytes = makeAuthInfoBytes(
    [{ pubkey: encodePubkey(encodeSecp256k1Pubkey(account!.pubkey)), sequence: 3 }],
    signed.fee.amount,
    Number(signed.fee.gas),
    undefined,
    undefined,
    SignMode.SIGN_MODE_LEGACY_AMINO_JSON,
  );
  const txBytes = TxRaw.encode(TxRaw.fromPartial({ bodyBytes, authInfoBytes, signatures: [fromBase64(signature.signature)] })).finish();

  // Node: decode, convert every message back to amino JSON, rebuild the StdSignDoc, verify.
  const tx = decodeTxRaw(txBytes);
  const rebuiltMsgs = tx.body.messages.map((any) => aminoTypes.toAmino({ typeUrl: any.typeUrl, value: registry.decode(any) }));
  expect(rebuiltMsgs).toEqual(msgs);
  const rebuilt = makeSignDocAmino(rebuiltMsgs, fee, "hashgrid-devnet-1", tx.body.memo, 7, 3);
  const bytes = serializeSignDoc(rebuilt);
  expect(bytes).toEqual(serializeSignDoc(signed));
  const ok = await Secp256k1.verifySignature(
    Secp256k1Signature.fromFixedLength(tx.signatures[0]!),
    sha256(bytes),
    account!.pubkey,
  );
  expect(ok).toBe(true);
});

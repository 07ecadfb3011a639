/**
 * End to end through CosmJS's own signing path, offline (no node): SigningStargateClient.offline
 * with the Hashgrid registry and amino types signs every Hashgrid Msg in SIGN_MODE_DIRECT and in
 * SIGN_MODE_LEGACY_AMINO_JSON; the TxRaw decodes back to the same messages.
 */
import { Secp256k1HdWallet } from "@cosmjs/amino";
import { DirectSecp256k1HdWallet, decodeTxRaw } from "@cosmjs/proto-signing";
import { SigningStargateClient } from "@cosmjs/stargate";
import { AuthInfo } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { createHashgridAminoTypes } from "./amino";
import { createHashgridRegistry, hashgridMsgs } from "./registry";
import { sampleMsg } from "./testing/samples";

const MNEMONIC =
  "surround miss nominee dream gap cross assault thank captain prosper drop duty group candy wealth weather scale put";
const fee = { amount: [{ denom: "ugrid", amount: "5000" }], gas: "3000000" };
const signerData = { accountNumber: 7n, sequence: 3, chainId: "hashgrid-devnet-1" };

test.each([
  ["direct", SignMode.SIGN_MODE_DIRECT],
  ["amino", SignMode.SIGN_MODE_LEGACY_AMINO_JSON],
] as const)("SigningStargateClient.offline signs every Hashgrid Msg (%s)", async (kind, mode) => {
  const wallet =
    kind === "direct"
      ? await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "grid" })
      : await Secp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "grid" });
  const [account] = await wallet.getAccounts();
  const registry = createHashgridRegistry();
  const client = await SigningStargateClient.offline(wallet, { registry, aminoTypes: createHashgridAminoTypes() });
  const messages = hashgridMsgs.map((m) => ({ typeUrl: m.typeUrl, value: sampleMsg(m, account!.address) }));
  const txRaw = await client.sign(account!.address, messages, fee, "offline", signerData);
  const tx = decodeTxRaw(TxRaw.encode(txRaw).finish());
  expect(AuthInfo.decode(txRaw.authInfoBytes).signerInfos[0]!.modeInfo!.single!.mode).toBe(mode);
  expect(tx.body.messages.map((a) => a.typeUrl)).toEqual(hashgridMsgs.map((m) => m.typeUrl));
  tx.body.messages.forEach((any, i) => expect(registry.decode(any)).toEqual(hashgridMsgs[i]!.type.fromPartial(messages[i]!.value)));
  expect(tx.signatures[0]).toHaveLength(64);
});

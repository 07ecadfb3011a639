/**
 * The CosmJS Registry of every message a Hashgrid transaction may carry:
 * CosmJS's default Cosmos SDK types (bank, staking, distribution, gov v1 + v1beta1, authz,
 * feegrant, group, vesting, IBC transfer), the SDK messages Hashgrid needs that CosmJS does not
 * register by default (slashing MsgUnjail, the authority-gated MsgUpdateParams of the standard
 * modules, MsgCommunityPoolSpend, gov v1 MsgCancelProposal), and every hashgrid.<module>.v1 Msg.
 *
 *   import { createHashgridRegistry } from "./client/registry";
 *   import { createHashgridAminoTypes } from "./client/amino";
 *   const client = await SigningStargateClient.connectWithSigner(rpc, wallet, {
 *     registry: createHashgridRegistry(), aminoTypes: createHashgridAminoTypes(), gasPrice,
 *   });
 *   await client.signAndBroadcast(addr, [{ typeUrl: "/hashgrid.market.v1.MsgBuy", value }], "auto");
 */
import { type GeneratedType, Registry } from "@cosmjs/proto-signing";
import { defaultRegistryTypes } from "@cosmjs/stargate";
import { MsgUpdateParams as AuthMsgUpdateParams } from "cosmjs-types/cosmos/auth/v1beta1/tx";
import { MsgUpdateParams as BankMsgUpdateParams } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import {
  MsgCommunityPoolSpend,
  MsgDepositValidatorRewardsPool,
  MsgUpdateParams as DistributionMsgUpdateParams,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { MsgCancelProposal, MsgExecLegacyContent } from "cosmjs-types/cosmos/gov/v1/tx";
import { MsgUnjail, MsgUpdateParams as SlashingMsgUpdateParams } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { MsgUpdateParams as StakingMsgUpdateParams } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { hashgridMsgs } from "../proto/gen/hashgrid";

/** Cosmos SDK messages Hashgrid uses that are not in CosmJS's defaultRegistryTypes. */
export const cosmosExtraRegistryTypes: ReadonlyArray<[string, GeneratedType]> = [
  ["/cosmos.slashing.v1beta1.MsgUnjail", MsgUnjail],
  ["/cosmos.slashing.v1beta1.MsgUpdateParams", SlashingMsgUpdateParams],
  ["/cosmos.staking.v1beta1.MsgUpdateParams", StakingMsgUpdateParams],
  ["/cosmos.distribution.v1beta1.MsgUpdateParams", DistributionMsgUpdateParams],
  ["/cosmos.distribution.v1beta1.MsgCommunityPoolSpend", MsgCommunityPoolSpend],
  ["/cosmos.distribution.v1beta1.MsgDepositValidatorRewardsPool", MsgDepositValidatorRewardsPool],
  ["/cosmos.gov.v1.MsgCancelProposal", MsgCancelProposal],
  ["/cosmos.gov.v1.MsgExecLegacyContent", MsgExecLegacyContent],
  ["/cosmos.bank.v1beta1.MsgUpdateParams", BankMsgUpdateParams],
  ["/cosmos.auth.v1beta1.MsgUpdateParams", AuthMsgUpdateParams],
];

/** Every hashgrid.<module>.v1 Msg as [type URL, ts-proto codec]. */
export const hashgridRegistryTypes: ReadonlyArray<[string, GeneratedType]> = hashgridMsgs.map(
  (m) => [m.typeUrl, m.type as unknown as GeneratedType] as [string, GeneratedType],
);

/** Every Hashgrid Msg response as [type URL, codec], for decoding TxMsgData.msg_responses. */
export const hashgridResponseTypes: ReadonlyArray<[string, GeneratedType]> = hashgridMsgs.map(
  (m) => [m.responseTypeUrl, m.responseType as unknown as GeneratedType] as [string, GeneratedType],
);

/** All registry entries: CosmJS defaults + SDK extras + Hashgrid. */
export const allRegistryTypes: ReadonlyArray<[string, GeneratedType]> = [
  ...defaultRegistryTypes,
  ...cosmosExtraRegistryTypes,
  ...hashgridRegistryTypes,
];

/** A new Registry with every message type (plus Msg responses when `withResponses`). */
export function createHashgridRegistry(options: { withResponses?: boolean } = {}): Registry {
  return new Registry(options.withResponses ? [...allRegistryTypes, ...hashgridResponseTypes] : allRegistryTypes);
}

export { hashgridMsgs, hashgridQueries } from "../proto/gen/hashgrid";

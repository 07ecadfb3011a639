/**
 * Default parameters of every Hashgrid module (SPEC.md numbers; the same values are documented
 * in each Params field comment and in docs/api/). Modules' DefaultGenesis and genesis.json
 * assembly should use these instead of re-typing the numbers.
 *
 * Decimals are canonical 18-digit strings; durations are google.protobuf.Duration objects.
 */
import { Params as CouncilParams } from "./gen/hashgrid/council/v1/types";
import { Params as EmissionParams } from "./gen/hashgrid/emission/v1/types";
import { Params as EscrowParams } from "./gen/hashgrid/escrow/v1/types";
import { Params as InsuranceParams } from "./gen/hashgrid/insurance/v1/types";
import { Params as LendingParams } from "./gen/hashgrid/lending/v1/types";
import { DefaultAction, Params as MarketParams } from "./gen/hashgrid/market/v1/types";
import { HashrateUnit, Params as OracleParams } from "./gen/hashgrid/oracle/v1/types";

const DAY = 86_400n;
const days = (n: bigint) => ({ seconds: n * DAY, nanos: 0 });
const seconds = (n: bigint) => ({ seconds: n, nanos: 0 });
const ugrid = (amount: string) => ({ denom: "ugrid", amount });
/** "0.05" -> "0.050000000000000000" (canonical 18-digit decimal). */
export function dec(s: string): string {
  const [i, f = ""] = s.split(".");
  if (f.length > 18) throw new Error(`more than 18 decimals: ${s}`);
  return `${i}.${f.padEnd(18, "0")}`;
}

export const defaultMarketParams = (): MarketParams =>
  MarketParams.fromPartial({
    channelFee: dec("0.05"),
    tradingFee: dec("0.02"),
    feeSplit: { insurance: dec("0.4"), communityPool: dec("0.2"), burn: dec("0.2"), activityRewards: dec("0.2") },
    acceptedDenoms: [{ denom: "ugrid", collateralRate: dec("1") }],
    collateralDays: 30,
    collateralUnbonding: days(14n),
    supervisorStake: ugrid("10000000000"),
    maxMissedDays: 7,
    minYieldRatio: dec("0.8"),
    maxLowDays: 7,
    defaultSlashFraction: dec("1"),
    resolutionWindow: days(7n),
    defaultResolutionAction: DefaultAction.DEFAULT_ACTION_REFUND_AND_SLASH,
    maxBidsPerOrder: 20,
    bidDeposit: ugrid("5000000"),
    minBidWindow: seconds(60n),
    maxBidWindow: days(7n),
    maxUnitsPerListing: 1000,
    minTermDays: 1,
    maxTermDays: 1095,
    maxSettlementsPerBlock: 100,
    disputeDeposit: ugrid("10000000"),
    disputeResponseWindow: days(3n),
    disputeResolutionWindow: days(7n),
    ibcAllowedChannels: [],
    reputationDisputeWeight: dec("5"),
    reputationDefaultWeight: dec("30"),
    newProviderScore: dec("0.5"),
    maxClaimPositions: 100,
    deliveryGraceDays: 1,
  });

export const defaultEscrowParams = (): EscrowParams =>
  EscrowParams.fromPartial({ payoutInterval: days(1n), maxPayoutsPerBlock: 100, maxCompletionsPerBlock: 200 });

export const defaultOracleParams = (): OracleParams =>
  OracleParams.fromPartial({
    algorithms: [
      { algorithm: "sha256", unit: HashrateUnit.HASHRATE_UNIT_TH },
      { algorithm: "scrypt", unit: HashrateUnit.HASHRATE_UNIT_GH },
      { algorithm: "kheavyhash", unit: HashrateUnit.HASHRATE_UNIT_TH },
      { algorithm: "etchash", unit: HashrateUnit.HASHRATE_UNIT_GH },
    ],
    quoteDenoms: ["ugrid"],
    minReports: 3,
    reportWindowDays: 2,
    maxFinalizationsPerBlock: 100,
    reportRetentionDays: 30,
  });

export const defaultInsuranceParams = (): InsuranceParams =>
  InsuranceParams.fromPartial({
    withdrawalCooldown: days(21n),
    minDeposit: ugrid("1000000"),
    insuranceCoverage: dec("1"),
    maxPayoutFraction: dec("0.1"),
    maxWithdrawalsPerBlock: 100,
  });

export const defaultLendingParams = (): LendingParams =>
  LendingParams.fromPartial({
    minDuration: days(1n),
    maxDuration: days(365n),
    maxOpenOffersPerLender: 100,
    requireTermCover: true,
    maxExpirationsPerBlock: 100,
  });

/** Default council threshold (of the default 7 members set in genesis.json). */
export const DEFAULT_COUNCIL_THRESHOLD = 4;

export const defaultCouncilParams = (): CouncilParams =>
  CouncilParams.fromPartial({
    votingPeriod: days(3n),
    allowedMsgTypeUrls: [
      "/hashgrid.market.v1.MsgSuspendProvider",
      "/hashgrid.market.v1.MsgResolveDefault",
      "/hashgrid.escrow.v1.MsgPauseEscrows",
      "/hashgrid.escrow.v1.MsgResumeEscrows",
      "/hashgrid.escrow.v1.MsgHaltEscrows",
    ],
    maxMessagesPerProposal: 10,
    maxExpirationsPerBlock: 100,
  });

export const defaultEmissionParams = (): EmissionParams =>
  EmissionParams.fromPartial({
    initialBlockReward: "1981861",
    halvingInterval: 12_614_400n,
    stakingShare: dec("0.8"),
    feeBurnFraction: dec("0.1"),
    feeCommunityFraction: dec("0.02"),
    activityEpochBlocks: 17_280n,
    maxClaimEpochs: 100,
  });

/** All defaults by module name. */
export const defaultParams = {
  market: defaultMarketParams,
  escrow: defaultEscrowParams,
  oracle: defaultOracleParams,
  insurance: defaultInsuranceParams,
  lending: defaultLendingParams,
  council: defaultCouncilParams,
  emission: defaultEmissionParams,
} as const;

/**
 * Error codes of Hashgrid's own modules: the (codespace, code) pairs every module must
 * register with `registerError(codespace, code, description)` from chain/app/errors.ts, and the
 * codes the API reference (docs/api/) and the proto comments ("Errors: market/10
 * ErrListingNotFound") refer to.
 *
 * Rules: codespace = module name; code >= 2 (1 is reserved for internal errors); codes are
 * never reused or renumbered once released (append only). Generic failures use the SDK root
 * errors already registered in chain/app/errors.ts (codespace "sdk": ErrInvalidRequest 18,
 * ErrInvalidAddress 7, ErrInsufficientFunds 5, ErrInvalidCoins 10, ErrUnauthorized 4, ...).
 *
 * A module implements them as, e.g.:
 *
 *   import { registerError } from "../../chain/app/errors";
 *   import { hashgridErrors } from "../../proto/errors";
 *   export const marketErrors = Object.fromEntries(
 *     hashgridErrors.market.map((e) => [e.name, registerError("market", e.code, e.description)]),
 *   );
 *
 * This file is data only (no imports) so that the docs generator and tests can read it.
 */

export interface ErrorSpec {
  /** Code within the module's codespace; >= 2. */
  readonly code: number;
  /** Identifier used in docs and code, e.g. "ErrListingNotFound". */
  readonly name: string;
  /** Stable description; the ABCI log is "<detail>: <description>". */
  readonly description: string;
}

const e = (code: number, name: string, description: string): ErrorSpec => ({ code, name, description });

export const hashgridErrors = {
  market: [
    e(2, "ErrProviderNotFound", "provider not found"),
    e(3, "ErrProviderExists", "provider already registered"),
    e(4, "ErrProviderNotActive", "provider is not active"),
    e(5, "ErrInvalidStatusTransition", "status does not allow this action"),
    e(6, "ErrInsufficientCollateral", "insufficient free collateral"),
    e(7, "ErrProviderHasLiveListings", "provider has live listings or open bids"),
    e(8, "ErrSupervisorNotFound", "supervisor not found or not active"),
    e(9, "ErrSupervisorExists", "supervisor already registered"),
    e(10, "ErrListingNotFound", "listing not found"),
    e(11, "ErrListingNotOpen", "listing is not on sale"),
    e(12, "ErrTermsVersionMismatch", "listing terms changed"),
    e(13, "ErrInsufficientUnits", "not enough units left"),
    e(14, "ErrMaxTotalExceeded", "price exceeds the buyer's maximum"),
    e(15, "ErrDenomNotAccepted", "denom not accepted"),
    e(16, "ErrInvalidSale", "invalid sale terms"),
    e(17, "ErrBidTooLow", "auction bid too low"),
    e(18, "ErrPositionNotFound", "position not found"),
    e(19, "ErrNotOwner", "signer is not the owner"),
    e(20, "ErrPositionLocked", "position is locked, listed or not active"),
    e(21, "ErrPositionNotListed", "position is not listed"),
    e(22, "ErrOrderNotFound", "order not found"),
    e(23, "ErrOrderNotOpen", "order is not open"),
    e(24, "ErrTooManyBids", "too many bids on this order"),
    e(25, "ErrBidNotFound", "bid not found"),
    e(26, "ErrBidNotOpen", "bid is not open"),
    e(27, "ErrBidPriceTooHigh", "bid price exceeds the order's maximum"),
    e(28, "ErrLeaseNotFound", "lease not found"),
    e(29, "ErrReceiptNotFound", "receipt not found"),
    e(30, "ErrDisputeNotFound", "dispute not found"),
    e(31, "ErrDisputeNotOpen", "dispute does not accept this action"),
    e(32, "ErrYieldAlreadyPaid", "yield for this day already paid"),
    e(33, "ErrInvalidDay", "day outside the term or in the future"),
    e(34, "ErrNotAtRisk", "listing has no unresolved default"),
    e(35, "ErrInvalidAuthority", "invalid authority"),
    e(36, "ErrIbcChannelNotAllowed", "IBC channel may not send market actions"),
    e(37, "ErrListingNotEditable", "listing can no longer be edited"),
    e(38, "ErrInvalidSpec", "invalid capacity spec"),
    e(39, "ErrWrongListingKind", "operation not valid for this listing kind"),
    e(40, "ErrInvalidParams", "invalid params"),
    e(41, "ErrInvalidTerm", "invalid term"),
    e(42, "ErrConflictOfInterest", "resolver is a party to the dispute"),
    e(43, "ErrLeaseNotActive", "lease is not active"),
    e(44, "ErrInvalidIbcAction", "invalid IBC market action"),
  ],
  escrow: [
    e(2, "ErrEscrowNotFound", "escrow not found"),
    e(3, "ErrInvalidStatus", "escrow status does not allow this action"),
    e(4, "ErrListingAtRisk", "listing is at risk; resolve the default instead"),
    e(5, "ErrInvalidAuthority", "invalid authority"),
    e(6, "ErrInvalidParams", "invalid params"),
    e(7, "ErrInvalidSchedule", "invalid escrow schedule"),
  ],
  oracle: [
    e(2, "ErrFeederNotFound", "feeder not found"),
    e(3, "ErrFeederExists", "feeder already approved"),
    e(4, "ErrUnknownAlgorithm", "unknown algorithm"),
    e(5, "ErrDenomNotAccepted", "quote denom not accepted"),
    e(6, "ErrDayOutOfWindow", "day outside the report window"),
    e(7, "ErrInvalidHashprice", "invalid hashprice"),
    e(8, "ErrDayFinalized", "day already finalized"),
    e(9, "ErrInvalidAuthority", "invalid authority"),
    e(10, "ErrInvalidParams", "invalid params"),
    e(11, "ErrHashpriceNotFound", "no hashprice for this day"),
  ],
  insurance: [
    e(2, "ErrDepositTooSmall", "deposit below the minimum"),
    e(3, "ErrInvalidDenom", "invalid denom; the pool holds ugrid"),
    e(4, "ErrInsufficientShares", "insufficient shares"),
    e(5, "ErrWithdrawalNotFound", "withdrawal not found"),
    e(6, "ErrNotOwner", "signer is not the owner"),
    e(7, "ErrInvalidAuthority", "invalid authority"),
    e(8, "ErrPayoutTooLarge", "payout exceeds the allowed fraction of the pool"),
    e(9, "ErrInvalidParams", "invalid params"),
  ],
  lending: [
    e(2, "ErrInvalidTerms", "invalid loan terms"),
    e(3, "ErrDenomNotAccepted", "denom not accepted"),
    e(4, "ErrTooManyOffers", "too many open offers"),
    e(5, "ErrOfferNotFound", "loan offer not found"),
    e(6, "ErrNotOwner", "signer is not the owner"),
    e(7, "ErrOfferNotOpen", "loan offer is not open"),
    e(8, "ErrCollateralNotAccepted", "position not accepted as collateral by this offer"),
    e(9, "ErrPositionUnavailable", "position cannot be used as collateral"),
    e(10, "ErrLoanNotFound", "loan not found"),
    e(11, "ErrLoanNotActive", "loan is not active"),
    e(12, "ErrLoanOverdue", "loan is past its due time"),
    e(13, "ErrLoanNotDue", "loan is not yet due"),
    e(14, "ErrInvalidAuthority", "invalid authority"),
    e(15, "ErrInvalidParams", "invalid params"),
  ],
  council: [
    e(2, "ErrNotMember", "signer is not a council member"),
    e(3, "ErrMsgNotAllowed", "message not allowed for the council"),
    e(4, "ErrTooManyMessages", "too many messages in proposal"),
    e(5, "ErrProposalNotFound", "proposal not found"),
    e(6, "ErrProposalClosed", "proposal is not open for voting"),
    e(7, "ErrNotProposer", "signer is not the proposer"),
    e(8, "ErrInvalidAuthority", "invalid authority"),
    e(9, "ErrInvalidMembers", "invalid members or threshold"),
    e(10, "ErrInvalidParams", "invalid params"),
  ],
  emission: [
    e(2, "ErrNothingToClaim", "nothing to claim"),
    e(3, "ErrEpochNotClosed", "epoch not closed"),
    e(4, "ErrInvalidAuthority", "invalid authority"),
    e(5, "ErrInvalidParams", "invalid params"),
  ],
} as const satisfies Record<string, readonly ErrorSpec[]>;

export type HashgridModule = keyof typeof hashgridErrors;

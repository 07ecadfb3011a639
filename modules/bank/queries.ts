/** cosmos.bank.v1beta1.Query over ABCI. */
import {
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryBalanceRequest,
  QueryBalanceResponse,
  QueryDenomMetadataRequest,
  QueryDenomMetadataResponse,
  QueryDenomsMetadataRequest,
  QueryDenomsMetadataResponse,
  QueryParamsResponse,
  QuerySpendableBalanceByDenomRequest,
  QuerySpendableBalanceByDenomResponse,
  QuerySpendableBalancesRequest,
  QuerySpendableBalancesResponse,
  QuerySupplyOfRequest,
  QuerySupplyOfResponse,
  QueryTotalSupplyRequest,
  QueryTotalSupplyResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import { Metadata } from "cosmjs-types/cosmos/bank/v1beta1/bank";
import type { Coin } from "cosmjs-types/cosmos/base/v1beta1/coin";
import { sdkErrors } from "../../chain/app/errors";
import type { QueryHandler } from "../../chain/app/types";
import { paginate } from "../../chain/tx/pagination";
import { decodeRequest, notFound, queryAddress } from "../auth/queries";
import { isValidDenom } from "./coins";
import type { BankKeeper } from "./keeper";
import { DENOM_METADATA_PREFIX, STORE_NAME, SUPPLY_PREFIX, accountBalancesPrefix, decodeAmount, decodeDenom } from "./keys";

function queryDenom(d: string): string {
  if (!isValidDenom(d)) throw sdkErrors.InvalidCoins.wrap(`rpc error: code = InvalidArgument desc = invalid denom ${JSON.stringify(String(d).slice(0, 140))}`);
  return d;
}

export function bankQueries(keeper: BankKeeper): Record<string, QueryHandler> {
  const allBalances: QueryHandler = (ctx, req) => {
    const r = decodeRequest(QueryAllBalancesRequest.decode, req, "QueryAllBalancesRequest");
    const addr = queryAddress(r.address);
    const balances: Coin[] = [];
    const pagination = paginate(ctx.store(STORE_NAME), accountBalancesPrefix(addr), r.pagination, (k, v) => {
      balances.push({ denom: decodeDenom(k), amount: decodeAmount(v).toString() });
    });
    return QueryAllBalancesResponse.encode({ balances, pagination }).finish();
  };
  return {
    "/cosmos.bank.v1beta1.Query/Balance": (ctx, req) => {
      const r = decodeRequest(QueryBalanceRequest.decode, req, "QueryBalanceRequest");
      const addr = queryAddress(r.address);
      const denom = queryDenom(r.denom);
      return QueryBalanceResponse.encode({ balance: { denom, amount: keeper.getBalance(ctx, addr, denom).toString() } }).finish();
    },
    "/cosmos.bank.v1beta1.Query/AllBalances": allBalances,
    // No vesting or locked coins yet: spendable = all balances.
    "/cosmos.bank.v1beta1.Query/SpendableBalances": (ctx, req) => {
      const r = decodeRequest(QuerySpendableBalancesRequest.decode, req, "QuerySpendableBalancesRequest");
      const out = QueryAllBalancesResponse.decode(allBalances(ctx, QueryAllBalancesRequest.encode({ address: r.address, pagination: r.pagination, resolveDenom: false }).finish()));
      return QuerySpendableBalancesResponse.encode({ balances: out.balances, pagination: out.pagination }).finish();
    },
    "/cosmos.bank.v1beta1.Query/SpendableBalanceByDenom": (ctx, req) => {
      const r = decodeRequest(QuerySpendableBalanceByDenomRequest.decode, req, "QuerySpendableBalanceByDenomRequest");
      const addr = queryAddress(r.address);
      const denom = queryDenom(r.denom);
      return QuerySpendableBalanceByDenomResponse.encode({ balance: { denom, amount: keeper.getBalance(ctx, addr, denom).toString() } }).finish();
    },
    "/cosmos.bank.v1beta1.Query/TotalSupply": (ctx, req) => {
      const r = decodeRequest(QueryTotalSupplyRequest.decode, req, "QueryTotalSupplyRequest");
      const supply: Coin[] = [];
      const pagination = paginate(ctx.store(STORE_NAME), SUPPLY_PREFIX, r.pagination, (k, v) => {
        supply.push({ denom: decodeDenom(k), amount: decodeAmount(v).toString() });
      });
      return QueryTotalSupplyResponse.encode({ supply, pagination }).finish();
    },
    "/cosmos.bank.v1beta1.Query/SupplyOf": (ctx, req) => {
      const r = decodeRequest(QuerySupplyOfRequest.decode, req, "QuerySupplyOfRequest");
      const denom = queryDenom(r.denom);
      return QuerySupplyOfResponse.encode({ amount: { denom, amount: keeper.getSupply(ctx, denom).toString() } }).finish();
    },
    "/cosmos.bank.v1beta1.Query/Params": (ctx) => QueryParamsResponse.encode({ params: keeper.getParams(ctx) }).finish(),
    "/cosmos.bank.v1beta1.Query/DenomMetadata": (ctx, req) => {
      const r = decodeRequest(QueryDenomMetadataRequest.decode, req, "QueryDenomMetadataRequest");
      const denom = queryDenom(r.denom);
      const m = keeper.getDenomMetadata(ctx, denom);
      if (!m) throw notFound(`client metadata for denom ${denom}`);
      return QueryDenomMetadataResponse.encode({ metadata: m }).finish();
    },
    "/cosmos.bank.v1beta1.Query/DenomsMetadata": (ctx, req) => {
      const r = decodeRequest(QueryDenomsMetadataRequest.decode, req, "QueryDenomsMetadataRequest");
      const metadatas: Metadata[] = [];
      const pagination = paginate(ctx.store(STORE_NAME), DENOM_METADATA_PREFIX, r.pagination, (_k, v) => {
        metadatas.push(Metadata.decode(v));
      });
      return QueryDenomsMetadataResponse.encode({ metadatas, pagination }).finish();
    },
  };
}

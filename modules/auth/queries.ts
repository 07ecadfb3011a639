/**
 * cosmos.auth.v1beta1.Query over ABCI (protobuf in, protobuf out). Not-found errors use the SDK's
 * gRPC text ("rpc error: code = NotFound desc = account X not found: key not found") that CosmJS
 * maps to `null` in getAccount.
 */
import {
  Bech32PrefixResponse,
  QueryAccountRequest,
  QueryAccountResponse,
  QueryAccountsRequest,
  QueryAccountsResponse,
  QueryModuleAccountByNameRequest,
  QueryModuleAccountByNameResponse,
  QueryModuleAccountsResponse,
  QueryParamsResponse,
} from "cosmjs-types/cosmos/auth/v1beta1/query";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { Any as AnyCodec } from "cosmjs-types/google/protobuf/any";
import { sdkErrors } from "../../chain/app/errors";
import type { QueryHandler } from "../../chain/app/types";
import { BECH32_PREFIX, fromBech32 } from "../../chain/crypto/address";
import { paginate } from "../../chain/tx/pagination";
import { accountToAny } from "./account";
import type { AuthKeeper } from "./keeper";
import { ACCOUNT_PREFIX, MODULE_ACCOUNT_PREFIX, STORE_NAME } from "./keys";

/** Decodes a query request, mapping protobuf errors to InvalidRequest. */
export function decodeRequest<T>(decode: (b: Uint8Array) => T, bytes: Uint8Array, name: string): T {
  try {
    return decode(bytes);
  } catch (e) {
    throw sdkErrors.InvalidRequest.wrap(`cannot decode ${name}: ${(e as Error).message}`);
  }
}

/** The SDK's gRPC NotFound text, recognised by CosmJS and Keplr. */
export function notFound(what: string): Error {
  return sdkErrors.KeyNotFound.wrap(`rpc error: code = NotFound desc = ${what} not found`);
}

/** Address argument of a query: gRPC InvalidArgument text on failure. */
export function queryAddress(s: string, field = "address"): Uint8Array {
  if (!s) throw sdkErrors.InvalidAddress.wrap(`rpc error: code = InvalidArgument desc = ${field} cannot be empty`);
  try {
    return fromBech32(s, field);
  } catch (e) {
    throw sdkErrors.InvalidAddress.wrap(`rpc error: code = InvalidArgument desc = ${(e as Error).message}`);
  }
}

export function authQueries(keeper: AuthKeeper): Record<string, QueryHandler> {
  return {
    "/cosmos.auth.v1beta1.Query/Account": (ctx, req) => {
      const r = decodeRequest(QueryAccountRequest.decode, req, "QueryAccountRequest");
      const addr = queryAddress(r.address);
      const acc = keeper.getAccount(ctx, addr);
      if (!acc) throw notFound(`account ${r.address}`);
      return QueryAccountResponse.encode({ account: accountToAny(acc) }).finish();
    },
    "/cosmos.auth.v1beta1.Query/Accounts": (ctx, req) => {
      const r = decodeRequest(QueryAccountsRequest.decode, req, "QueryAccountsRequest");
      const accounts: Any[] = [];
      const pagination = paginate(ctx.store(STORE_NAME), ACCOUNT_PREFIX, r.pagination, (_k, v) => {
        accounts.push(AnyCodec.decode(v));
      });
      return QueryAccountsResponse.encode({ accounts, pagination }).finish();
    },
    "/cosmos.auth.v1beta1.Query/Params": (ctx) => QueryParamsResponse.encode({ params: keeper.getParams(ctx) }).finish(),
    "/cosmos.auth.v1beta1.Query/ModuleAccounts": (ctx) => {
      const accounts: Any[] = [];
      // Bounded: module accounts are created by code, not by users.
      for (const [, addr] of ctx.store(STORE_NAME).prefixIterator(MODULE_ACCOUNT_PREFIX)) {
        const acc = keeper.getAccount(ctx, addr);
        if (acc) accounts.push(accountToAny(acc));
      }
      return QueryModuleAccountsResponse.encode({ accounts }).finish();
    },
    "/cosmos.auth.v1beta1.Query/ModuleAccountByName": (ctx, req) => {
      const r = decodeRequest(QueryModuleAccountByNameRequest.decode, req, "QueryModuleAccountByNameRequest");
      if (!r.name) throw sdkErrors.InvalidRequest.wrap("rpc error: code = InvalidArgument desc = module name is empty");
      const acc = keeper.getModuleAccount(ctx, r.name);
      if (!acc) throw notFound(`account ${r.name}`);
      return QueryModuleAccountByNameResponse.encode({ account: accountToAny(acc) }).finish();
    },
    "/cosmos.auth.v1beta1.Query/Bech32Prefix": () => Bech32PrefixResponse.encode({ bech32Prefix: BECH32_PREFIX }).finish(),
  };
}

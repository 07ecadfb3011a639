/**
 * The auth module: accounts (BaseAccount, ModuleAccount), account numbers, public keys recorded
 * on first use, params. The ante pipeline (chain/tx/ante.ts) does the per-tx work with AuthKeeper.
 */
import type { Module } from "../../chain/app/types";
import { authGenesis } from "./genesis";
import { AuthKeeper } from "./keeper";
import { MODULE_NAME, STORE_NAME } from "./keys";
import { authQueries } from "./queries";

export { AuthKeeper } from "./keeper";
export * from "./account";
export { DEFAULT_PARAMS as DEFAULT_AUTH_PARAMS } from "./params";
export { DEFAULT_MODULE_ACCOUNTS, defaultAuthGenesis, type AuthGenesisJSON } from "./genesis";
export { MODULE_NAME as AUTH_MODULE_NAME, STORE_NAME as AUTH_STORE_NAME } from "./keys";

export type AuthModule = Module & { readonly keeper: AuthKeeper };

export function createAuthModule(keeper: AuthKeeper = new AuthKeeper()): AuthModule {
  return {
    keeper,
    name: MODULE_NAME,
    stores: [STORE_NAME],
    genesis: authGenesis(keeper),
    queries: authQueries(keeper),
  };
}

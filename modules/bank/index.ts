/** The bank module: balances, total supply, MsgSend/MsgMultiSend, denom metadata, send flags. */
import type { Module } from "../../chain/app/types";
import type { AccountKeeperForBank } from "./expected";
import { bankGenesis } from "./genesis";
import { nonNegativeInvariant, totalSupplyInvariant } from "./invariants";
import { BankKeeper } from "./keeper";
import { MODULE_NAME, STORE_NAME } from "./keys";
import { msgMultiSendHandler, msgSendHandler } from "./msgs";
import { bankQueries } from "./queries";

export { BankKeeper, type BankReader, type BankWriter } from "./keeper";
export * from "./coins";
export { BASE_DENOM, DECIMALS, GENESIS_SUPPLY, GRID_METADATA, allocateGenesisAccounts, defaultBankGenesis, type BankGenesisJSON } from "./genesis";
export { MSG_MULTI_SEND, MSG_SEND } from "./msgs";
export { MODULE_NAME as BANK_MODULE_NAME, STORE_NAME as BANK_STORE_NAME } from "./keys";
export type { AccountKeeperForBank } from "./expected";

export type BankModule = Module & { readonly keeper: BankKeeper };

export function createBankModule(keeper: BankKeeper): BankModule {
  return {
    keeper,
    name: MODULE_NAME,
    stores: [STORE_NAME],
    genesis: bankGenesis(keeper),
    msgs: [msgSendHandler(keeper), msgMultiSendHandler(keeper)],
    queries: bankQueries(keeper),
    invariants: [totalSupplyInvariant, nonNegativeInvariant],
  };
}

export function newBankKeeper(accounts: AccountKeeperForBank): BankKeeper {
  return new BankKeeper(accounts);
}

/**
 * THE wiring file: which modules the app runs, in which order, and which tx pipeline executes
 * transactions. chain/app/app.ts only sees what these functions return.
 *
 * Owners: the tx engineer wired chain/tx's pipeline and auth/bank; each new module is added to
 * `buildModules` (see chain/app/README.md). Modules that move coins take `bank.keeper` (through
 * their own expected-keeper interface) and `auth.keeper`.
 */
import { createAuthModule, type AuthModule } from "../../modules/auth";
import { createBankModule, newBankKeeper, type BankModule } from "../../modules/bank";
import { TxPipeline } from "../tx/runner";
import { nodeInfoQuery } from "../tx/service";
import { DEFAULT_MIN_GAS_PRICES } from "../tx/fees";
import type { ModuleOrder, MsgRouter } from "./manager";
import type { Logger, Module, TxRunner } from "./types";

export interface WiringOptions {
  readonly logger: Logger;
  /** Node-local minimum gas prices for CheckTx ("0.0025ugrid" default; HASHGRID_MIN_GAS_PRICES overrides; "" = none). */
  readonly minGasPrices?: string;
  readonly moniker?: string;
}

export interface Wiring {
  readonly modules: readonly Module[];
  readonly order?: ModuleOrder;
}

/** Store-less module serving the tx layer's node-info query (Simulate is routed by the App itself). */
function txServiceModule(o: WiringOptions): Module {
  return {
    name: "tx",
    stores: [],
    queries: { "/cosmos.base.tendermint.v1beta1.Service/GetNodeInfo": nodeInfoQuery({ moniker: o.moniker }) },
  };
}

/** The modules of a Hashgrid node (init-genesis / hook order = list order unless `order` says otherwise). */
export function buildModules(opts: WiringOptions): Wiring {
  const auth = createAuthModule();
  const bank = createBankModule(newBankKeeper(auth.keeper));
  // auth first: bank's genesis creates accounts for funded addresses.
  return { modules: [auth, bank, txServiceModule(opts)] };
}

export interface TxRunnerDeps {
  readonly router: MsgRouter;
  readonly modules: readonly Module[];
  readonly logger: Logger;
  readonly minGasPrices?: string;
}

/**
 * Contract for the runner (see TxRunner in types.ts), as the app uses it:
 * - mode "check" | "recheck": decode + ante only (like the SDK, messages are not executed); any
 *   code != 0 keeps the tx out of (or evicts it from) the mempool. Prepare/ProcessProposal run no
 *   mode: like the SDK's defaults they only decode (`gasLimit(tx)`).
 * - mode "finalize": full execution; the app keeps whatever the runner left in env.store.
 * - mode "simulate": full execution on a throwaway branch (the /cosmos.tx.v1beta1.Service/Simulate query).
 */
export function buildTxRunner(deps: TxRunnerDeps): TxRunner {
  const auth = deps.modules.find((m) => m.name === "auth") as AuthModule | undefined;
  const bank = deps.modules.find((m) => m.name === "bank") as BankModule | undefined;
  if (!auth?.keeper || !bank?.keeper) throw new Error("wiring: the auth and bank modules (from buildModules) are required by the tx pipeline");
  return new TxPipeline({
    modules: deps.modules,
    auth: auth.keeper,
    bank: bank.keeper,
    minGasPrices: deps.minGasPrices ?? process.env.HASHGRID_MIN_GAS_PRICES ?? DEFAULT_MIN_GAS_PRICES,
  });
}

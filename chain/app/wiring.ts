/**
 * THE wiring file: which modules the app runs, in which order, and which tx pipeline executes
 * transactions. chain/app/app.ts only sees what these functions return.
 *
 * Owners: the tx engineer replaces `buildTxRunner` with chain/tx's runner and adds auth/bank;
 * each new module is added to `buildModules` (see chain/app/README.md).
 */
import { sdkErrors } from "./errors";
import type { ModuleOrder, MsgRouter } from "./manager";
import type { Logger, Module, TxEnv, TxResult, TxRunner } from "./types";

export interface WiringOptions {
  readonly logger: Logger;
}

export interface Wiring {
  readonly modules: readonly Module[];
  readonly order?: ModuleOrder;
}

/** The modules of a Hashgrid node (init-genesis / hook order = list order unless `order` says otherwise). */
export function buildModules(_opts: WiringOptions): Wiring {
  return { modules: [] };
}

export interface TxRunnerDeps {
  readonly router: MsgRouter;
  readonly modules: readonly Module[];
  readonly logger: Logger;
}

/**
 * Contract for the runner (see TxRunner in types.ts), as the app uses it:
 * - mode "check" | "recheck" | "prepare" | "process": decode + ante only (like the SDK, messages
 *   are not executed); any code != 0 means "this tx must not be in a block" — PrepareProposal
 *   drops it, ProcessProposal rejects the block.
 * - mode "finalize": full execution; the app keeps whatever the runner left in env.store.
 * - mode "simulate": full execution on a throwaway branch (the /cosmos.tx.v1beta1.Service/Simulate query).
 */
export function buildTxRunner(_deps: TxRunnerDeps): TxRunner {
  return new NoTxPipeline();
}

/** Placeholder until chain/tx lands: every tx is rejected with a clear reason. */
export class NoTxPipeline implements TxRunner {
  run(_env: TxEnv, _tx: Uint8Array): TxResult {
    return {
      code: sdkErrors.NotSupported.code,
      codespace: sdkErrors.NotSupported.codespace,
      log: "no tx pipeline wired: this node cannot execute transactions yet (chain/app/wiring.ts buildTxRunner)",
      data: new Uint8Array(),
      gasWanted: 0n,
      gasUsed: 0n,
      events: [],
    };
  }
}

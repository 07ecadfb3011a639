/** What bank needs from auth (declared by the consumer, like x/bank/types/expected_keepers.go). */
import type { Context, QueryContext } from "../../chain/app/types";

export interface AccountKeeperForBank {
  hasAccount(ctx: Pick<Context, "store"> | QueryContext, addr: Uint8Array): boolean;
  /** Creates a BaseAccount with a fresh number when missing (first receipt of funds). */
  ensureAccount(ctx: Pick<Context, "store">, addr: Uint8Array): unknown;
  /** The same, checking existence only (no decode). */
  ensureAccountExists(ctx: Pick<Context, "store">, addr: Uint8Array): void;
  isModuleAccount(ctx: Pick<Context, "store"> | QueryContext, addr: Uint8Array): boolean;
  getModuleAddress(name: string): Uint8Array;
  getModuleAccount(
    ctx: Pick<Context, "store"> | QueryContext,
    name: string,
  ): { readonly module?: { readonly permissions: readonly string[] } } | undefined;
}

/**
 * auth state accessors. Handlers and the ante pipeline go through these, never raw KV.
 * All reads/writes go through `ctx.store("auth")`, so they are gas-metered and branch-scoped.
 */
import { Params } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import type { Context, QueryContext } from "../../chain/app/types";
import { ScopedReadCache, chargeRepeatedRead, getLatin1Value } from "../../chain/app/context";
import { moduleAddress } from "../../chain/crypto/address";
import { bytesEqual } from "../../chain/crypto/hash";
import type { KVRead, KVStore } from "../../chain/store/types";
import { decodeAccount, decodeAccountLatin1, encodeAccount, encodeAccountScratch, type Account } from "./account";
import { authErrors } from "./errors";
import {
  NEXT_ACCOUNT_NUMBER_KEY,
  PARAMS_KEY,
  STORE_NAME,
  accountKey,
  accountKeyLength,
  decodeU64,
  encodeU64,
  moduleAccountKey,
  moduleAddressMarkerKey,
} from "./keys";

const MARKER = new Uint8Array([1]);
const FEE_COLLECTOR_ADDRESS = moduleAddress("fee_collector");
const FEE_COLLECTOR_ACCOUNT_KEY = accountKey(FEE_COLLECTOR_ADDRESS);
import { DEFAULT_PARAMS } from "./params";

type AnyCtx = Pick<Context, "store"> | QueryContext;

function store(ctx: AnyCtx): KVStore {
  return ctx.store(STORE_NAME);
}

/** Read-only view (queries, other modules' expected keepers). */
export interface AuthReader {
  getAccount(ctx: AnyCtx, addr: Uint8Array): Account | undefined;
  hasAccount(ctx: AnyCtx, addr: Uint8Array): boolean;
  getParams(ctx: AnyCtx): Params;
  getModuleAddress(name: string): Uint8Array;
  getModuleAccount(ctx: AnyCtx, name: string): Account | undefined;
}

const decodeParams = (v: Uint8Array | undefined): Params => (v ? Object.freeze(Params.decode(v)) : DEFAULT_PARAMS);

export class AuthKeeper implements AuthReader {
  /** Read by every tx's ante, written only by genesis/governance. */
  private readonly paramsCache = new ScopedReadCache<Params>(STORE_NAME);
  /**
   * Every tx's fee transfer asks whether the fee collector's account exists (it does from genesis
   * on, and accounts are never deleted): answered per scope with the Has gas, invalidated by any
   * write of that account.
   */
  private readonly feeCollectorExists = new ScopedReadCache<boolean>(STORE_NAME);

  getAccount(ctx: AnyCtx, addr: Uint8Array): Account | undefined {
    // Decoded from the value's characters (no Buffer for the value under a gas store).
    const l = getLatin1Value(store(ctx), accountKey(addr));
    return l === null ? undefined : decodeAccountLatin1(l, addr);
  }

  /** getAccount plus the stored value's length (for chargeAccountReread). */
  getAccountSized(ctx: AnyCtx, addr: Uint8Array): { account: Account; size: number } | undefined {
    const l = getLatin1Value(store(ctx), accountKey(addr));
    return l === null ? undefined : { account: decodeAccountLatin1(l, addr), size: l.length };
  }

  /**
   * Charges the gas of getAccount(addr) again without reading, when the caller holds the account
   * read earlier in the same branch and nothing wrote it since; false = do the real read.
   */
  chargeAccountReread(ctx: AnyCtx, addr: Uint8Array, size: number): boolean {
    return chargeRepeatedRead(store(ctx), accountKeyLength(addr), size);
  }

  hasAccount(ctx: AnyCtx, addr: Uint8Array): boolean {
    if (bytesEqual(addr, FEE_COLLECTOR_ADDRESS)) return this.feeCollectorExists.has(ctx, FEE_COLLECTOR_ACCOUNT_KEY, "");
    return store(ctx).has(accountKey(addr));
  }

  /** `bech32`, when the caller holds it, must be toBech32(acc.address) (saves the lookup). */
  setAccount(ctx: Pick<Context, "store">, acc: Account, bech32?: string): void {
    if (bytesEqual(acc.address, FEE_COLLECTOR_ADDRESS)) this.feeCollectorExists.invalidate(ctx);
    // Base accounts are encoded into a shared buffer: every KVStore copies the value on set().
    store(ctx).set(accountKey(acc.address), acc.module ? encodeAccount(acc) : encodeAccountScratch(acc, bech32));
    if (acc.module) store(ctx).set(moduleAddressMarkerKey(acc.address), MARKER);
  }

  /** The next account number, incremented (SDK NextAccountNumber). */
  nextAccountNumber(ctx: Pick<Context, "store">): bigint {
    const s = store(ctx);
    const v = s.get(NEXT_ACCOUNT_NUMBER_KEY);
    const n = v ? decodeU64(v) : 0n;
    s.set(NEXT_ACCOUNT_NUMBER_KEY, encodeU64(n + 1n));
    return n;
  }

  /** Peeks the next account number without consuming it (genesis export). */
  peekNextAccountNumber(ctx: AnyCtx): bigint {
    const v = store(ctx).get(NEXT_ACCOUNT_NUMBER_KEY);
    return v ? decodeU64(v) : 0n;
  }

  setNextAccountNumber(ctx: Pick<Context, "store">, n: bigint): void {
    store(ctx).set(NEXT_ACCOUNT_NUMBER_KEY, encodeU64(n));
  }

  /** Creates a BaseAccount with a fresh account number; throws if one exists. */
  newAccount(ctx: Pick<Context, "store">, addr: Uint8Array): Account {
    if (this.hasAccount(ctx, addr)) throw authErrors.AccountExists.wrap(`account ${Buffer.from(addr).toString("hex")}`);
    const acc: Account = { address: addr, accountNumber: this.nextAccountNumber(ctx), sequence: 0n };
    this.setAccount(ctx, acc);
    return acc;
  }

  /** Returns the account at `addr`, creating it (SDK: on first receipt of funds) when missing. */
  ensureAccount(ctx: Pick<Context, "store">, addr: Uint8Array): Account {
    return this.getAccount(ctx, addr) ?? this.newAccount(ctx, addr);
  }

  /** Like ensureAccount but only checks existence (a cheaper Has instead of a read + decode). */
  ensureAccountExists(ctx: Pick<Context, "store">, addr: Uint8Array): void {
    if (!this.hasAccount(ctx, addr)) this.newAccount(ctx, addr);
  }

  /** The params (a shared object: do not mutate). */
  getParams(ctx: AnyCtx): Params {
    return this.paramsCache.get(ctx, PARAMS_KEY, "", decodeParams);
  }

  setParams(ctx: Pick<Context, "store">, p: Params): void {
    this.paramsCache.invalidate(ctx);
    store(ctx).set(PARAMS_KEY, Params.encode(p).finish());
  }

  getModuleAddress(name: string): Uint8Array {
    return moduleAddress(name);
  }

  getModuleAccount(ctx: AnyCtx, name: string): Account | undefined {
    const addr = store(ctx).get(moduleAccountKey(name));
    return addr ? this.getAccount(ctx, addr) : undefined;
  }

  /** Creates (or returns) the module account `name` with `permissions`. */
  ensureModuleAccount(ctx: Pick<Context, "store">, name: string, permissions: readonly string[] = []): Account {
    const existing = this.getModuleAccount(ctx, name);
    if (existing) return existing;
    const addr = moduleAddress(name);
    const prior = this.getAccount(ctx, addr);
    // A plain account may exist at the module address if someone sent funds there first (SDK keeps its number).
    const acc: Account = {
      address: addr,
      accountNumber: prior ? prior.accountNumber : this.nextAccountNumber(ctx),
      sequence: 0n,
      module: { name, permissions: [...permissions].sort() },
    };
    this.setAccount(ctx, acc);
    store(ctx).set(moduleAccountKey(name), addr);
    return acc;
  }

  /** True when `addr` holds a module account (those cannot receive plain sends). */
  isModuleAccount(ctx: AnyCtx, addr: Uint8Array): boolean {
    return store(ctx).has(moduleAddressMarkerKey(addr));
  }

  /** Iterates every account in address order (genesis export, invariants). */
  *iterateAccounts(s: KVRead): IterableIterator<Account> {
    for (const [, v] of s.prefixIterator(new Uint8Array([0x01]))) yield decodeAccount(v);
  }
}

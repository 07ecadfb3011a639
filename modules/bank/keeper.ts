/**
 * bank state accessors: balances, supply, denom metadata, send flags, and the coin movements other
 * modules use (send, module transfers, mint, burn). Reads are separated (BankReader) from writes.
 *
 * Every movement emits the SDK's events: coin_spent {spender, amount}, coin_received
 * {receiver, amount}, transfer {recipient, sender, amount}; mint/burn add coinbase/burn.
 */
import { Metadata } from "cosmjs-types/cosmos/bank/v1beta1/bank";
import { sdkErrors } from "../../chain/app/errors";
import type { Context, QueryContext } from "../../chain/app/types";
import { ScopedReadCache, getLatin1Value, setLatin1Value } from "../../chain/app/context";
import { toBech32 } from "../../chain/crypto/address";
import type { KVStore } from "../../chain/store/types";
import { coinsToString, MAX_AMOUNT, type BigCoin } from "./coins";
import { bankErrors } from "./errors";
import type { AccountKeeperForBank } from "./expected";
import {
  PARAMS_KEY,
  STORE_NAME,
  accountBalancesPrefix,
  balanceKey,
  decodeAmount,
  decodeAmountLatin1,
  decodeDenom,
  denomMetadataKey,
  encodeAmount,
  sendEnabledKey,
  supplyKey,
} from "./keys";
import { DEFAULT_PARAMS, Params } from "./params";

type ReadCtx = Pick<Context, "store"> | QueryContext;

function store(ctx: ReadCtx): KVStore {
  return ctx.store(STORE_NAME);
}

export interface BankReader {
  getBalance(ctx: ReadCtx, addr: Uint8Array, denom: string): bigint;
  getAllBalances(ctx: ReadCtx, addr: Uint8Array): BigCoin[];
  getSupply(ctx: ReadCtx, denom: string): bigint;
}

/** The narrow interface other modules (escrow, market, staking, ...) should declare and depend on. */
export interface BankWriter extends BankReader {
  sendCoins(ctx: Context, from: Uint8Array, to: Uint8Array, coins: readonly BigCoin[]): void;
  sendCoinsFromAccountToModule(ctx: Context, from: Uint8Array, module: string, coins: readonly BigCoin[]): void;
  sendCoinsFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, coins: readonly BigCoin[]): void;
  sendCoinsFromModuleToModule(ctx: Context, from: string, to: string, coins: readonly BigCoin[]): void;
  mintCoins(ctx: Context, module: string, coins: readonly BigCoin[]): void;
  burnCoins(ctx: Context, module: string, coins: readonly BigCoin[]): void;
}

const decodeParams = (v: Uint8Array | undefined): Params => (v ? Object.freeze(Params.decode(v)) : DEFAULT_PARAMS);
/** undefined: no per-denom flag (the default applies). */
const decodeSendFlag = (v: Uint8Array | undefined): boolean | undefined => (v ? v[0] === 1 : undefined);

export class BankKeeper implements BankWriter {
  /** Params and send flags are read by every send and written only by genesis/governance. */
  private readonly paramsCache = new ScopedReadCache<Params>(STORE_NAME);
  private readonly sendFlagCache = new ScopedReadCache<boolean | undefined>(STORE_NAME);

  constructor(readonly accounts: AccountKeeperForBank) {}

  getBalance(ctx: ReadCtx, addr: Uint8Array, denom: string): bigint {
    // The amount is decoded from the value's characters (no Buffer under a gas store).
    const l = getLatin1Value(store(ctx), balanceKey(addr, denom));
    return l === null ? 0n : decodeAmountLatin1(l);
  }

  getAllBalances(ctx: ReadCtx, addr: Uint8Array): BigCoin[] {
    const prefix = accountBalancesPrefix(addr);
    const out: BigCoin[] = [];
    for (const [k, v] of store(ctx).prefixIterator(prefix)) {
      out.push({ denom: decodeDenom(k.subarray(prefix.length)), amount: decodeAmount(v) });
    }
    return out;
  }

  private setBalance(ctx: Pick<Context, "store">, addr: Uint8Array, denom: string, amount: bigint): void {
    const s = store(ctx);
    const k = balanceKey(addr, denom);
    if (amount === 0n) s.delete(k);
    // encodeAmount's bytes are the ASCII characters of amount.toString(): written as that string.
    else setLatin1Value(s, k, amount.toString());
  }

  getSupply(ctx: ReadCtx, denom: string): bigint {
    const v = store(ctx).get(supplyKey(denom));
    return v ? decodeAmount(v) : 0n;
  }

  setSupply(ctx: Pick<Context, "store">, denom: string, amount: bigint): void {
    if (amount === 0n) store(ctx).delete(supplyKey(denom));
    else store(ctx).set(supplyKey(denom), encodeAmount(amount));
  }

  /** The params (a shared object: do not mutate). */
  getParams(ctx: ReadCtx): Params {
    return this.paramsCache.get(ctx, PARAMS_KEY, "", decodeParams);
  }

  setParams(ctx: Pick<Context, "store">, p: Params): void {
    this.paramsCache.invalidate(ctx);
    store(ctx).set(PARAMS_KEY, encodeParamsValue(p.defaultSendEnabled));
  }

  /** sendEnabledKey per denom (every send asks; the store never keeps or changes a key it is given). */
  private readonly sendKeys = new Map<string, Uint8Array>();

  isSendEnabled(ctx: ReadCtx, denom: string): boolean {
    let key = this.sendKeys.get(denom);
    if (key === undefined) {
      key = sendEnabledKey(denom);
      if (this.sendKeys.size >= 1024) this.sendKeys.clear();
      this.sendKeys.set(denom, key);
    }
    const flag = this.sendFlagCache.get(ctx, key, denom, decodeSendFlag);
    if (flag !== undefined) return flag;
    return this.getParams(ctx).defaultSendEnabled;
  }

  setSendEnabled(ctx: Pick<Context, "store">, denom: string, enabled: boolean): void {
    this.sendFlagCache.invalidate(ctx);
    store(ctx).set(sendEnabledKey(denom), new Uint8Array([enabled ? 1 : 0]));
  }

  getDenomMetadata(ctx: ReadCtx, denom: string): Metadata | undefined {
    const v = store(ctx).get(denomMetadataKey(denom));
    return v ? Metadata.decode(v) : undefined;
  }

  setDenomMetadata(ctx: Pick<Context, "store">, m: Metadata): void {
    store(ctx).set(denomMetadataKey(m.base), Metadata.encode(m).finish());
  }

  /** Subtracts coins; fails with InsufficientFunds naming the shortfall. Emits coin_spent. */
  subtractCoins(ctx: Context, addr: Uint8Array, coins: readonly BigCoin[]): void {
    if (coins.length > 0) this.subtract(ctx, addr, toBech32(addr), coins, coinsToString(coins));
  }

  private subtract(ctx: Context, addr: Uint8Array, addrStr: string, coins: readonly BigCoin[], amount: string): void {
    for (const c of coins) {
      const have = this.getBalance(ctx, addr, c.denom);
      if (have < c.amount) {
        throw sdkErrors.InsufficientFunds.wrap(`spendable balance ${have}${c.denom} is smaller than ${c.amount}${c.denom}`);
      }
      this.setBalance(ctx, addr, c.denom, have - c.amount);
    }
    if (coins.length > 0) ctx.events.emit("coin_spent", [["spender", addrStr], ["amount", amount]]);
  }

  /** Adds coins. Emits coin_received. */
  addCoins(ctx: Context, addr: Uint8Array, coins: readonly BigCoin[]): void {
    if (coins.length > 0) this.add(ctx, addr, toBech32(addr), coins, coinsToString(coins));
  }

  private add(ctx: Context, addr: Uint8Array, addrStr: string, coins: readonly BigCoin[], amount: string): void {
    for (const c of coins) {
      const next = this.getBalance(ctx, addr, c.denom) + c.amount;
      if (next > MAX_AMOUNT) throw sdkErrors.InvalidCoins.wrap(`balance of ${c.denom} would overflow`);
      this.setBalance(ctx, addr, c.denom, next);
    }
    if (coins.length > 0) ctx.events.emit("coin_received", [["receiver", addrStr], ["amount", amount]]);
  }

  /** Moves coins between accounts, creating the recipient account on first receipt. */
  sendCoins(ctx: Context, from: Uint8Array, to: Uint8Array, coins: readonly BigCoin[]): void {
    this.sendCoinsKnown(ctx, from, toBech32(from), to, toBech32(to), coins, coinsToString(coins));
  }

  /**
   * sendCoins for callers that already hold the canonical bech32 strings of both addresses and
   * coinsToString(coins) (a validated message, the ante's fee): same effects and events, without
   * re-encoding them on the hot path.
   */
  sendCoinsKnown(ctx: Context, from: Uint8Array, fromStr: string, to: Uint8Array, toStr: string, coins: readonly BigCoin[], amount: string): void {
    if (coins.length > 0) {
      this.subtract(ctx, from, fromStr, coins, amount);
      this.add(ctx, to, toStr, coins, amount);
    }
    this.accounts.ensureAccountExists(ctx, to);
    ctx.events.emit("transfer", [
      ["recipient", toStr],
      ["sender", fromStr],
      ["amount", amount],
    ]);
  }

  private moduleAddr(ctx: Context, name: string, need?: string): Uint8Array {
    const acc = this.accounts.getModuleAccount(ctx, name);
    if (!acc) throw sdkErrors.UnknownAddress.wrap(`module account ${name} does not exist`);
    if (need && !acc.module?.permissions.includes(need)) {
      throw sdkErrors.Unauthorized.wrap(`module account ${name} does not have permissions to ${need === "minter" ? "mint" : "burn"} tokens`);
    }
    return this.accounts.getModuleAddress(name);
  }

  sendCoinsFromAccountToModule(ctx: Context, from: Uint8Array, module: string, coins: readonly BigCoin[]): void {
    this.sendCoins(ctx, from, this.moduleAddr(ctx, module), coins);
  }

  sendCoinsFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, coins: readonly BigCoin[]): void {
    this.sendCoins(ctx, this.moduleAddr(ctx, module), to, coins);
  }

  sendCoinsFromModuleToModule(ctx: Context, from: string, to: string, coins: readonly BigCoin[]): void {
    this.sendCoins(ctx, this.moduleAddr(ctx, from), this.moduleAddr(ctx, to), coins);
  }

  mintCoins(ctx: Context, module: string, coins: readonly BigCoin[]): void {
    const addr = this.moduleAddr(ctx, module, "minter");
    this.addCoins(ctx, addr, coins);
    for (const c of coins) this.setSupply(ctx, c.denom, this.getSupply(ctx, c.denom) + c.amount);
    ctx.events.emit("coinbase", [["minter", toBech32(addr)], ["amount", coinsToString(coins)]]);
  }

  burnCoins(ctx: Context, module: string, coins: readonly BigCoin[]): void {
    const addr = this.moduleAddr(ctx, module, "burner");
    this.subtractCoins(ctx, addr, coins);
    for (const c of coins) this.setSupply(ctx, c.denom, this.getSupply(ctx, c.denom) - c.amount);
    ctx.events.emit("burn", [["burner", toBech32(addr)], ["amount", coinsToString(coins)]]);
  }

  /** Recipient check for user-initiated sends: module accounts are blocked (SDK BlockedAddr). */
  assertNotBlocked(ctx: ReadCtx, to: Uint8Array, toStr: string): void {
    if (this.accounts.isModuleAccount(ctx, to)) {
      throw bankErrors.BlockedRecipient.wrap(`${toStr} is not allowed to receive funds`);
    }
  }
}

/**
 * Params{default_send_enabled: false} encodes to zero bytes, and the store (like ICS-23 proofs)
 * refuses empty values. Write the field explicitly then (`10 00`): any protobuf decoder, the SDK's
 * and CosmJS's included, reads it back as false.
 */
export function encodeParamsValue(defaultSendEnabled: boolean): Uint8Array {
  const b = Params.encode({ sendEnabled: [], defaultSendEnabled }).finish();
  return b.length > 0 ? b : EXPLICIT_SEND_DISABLED;
}
const EXPLICIT_SEND_DISABLED = new Uint8Array([0x10, 0x00]);

/**
 * The execution context handed to handlers: header, branched store, gas meter, events, logger.
 * Gas is charged per store access with the Cosmos SDK's default KVGasConfig so that gas numbers
 * look familiar to wallets (and are deterministic: no cache-dependent charging).
 */
import type { Bytes, KVPair, KVStore, MultiStoreView } from "../store/types";
import { CacheKV, isLatin1Read, Latin1Read, latin1ToBytes, validateKey, validateLatin1Value } from "../store/cachekv";
import { bytesToKey, keyToBytes } from "../store/encoding";
import { sdkErrors } from "./errors";
import type {
  BlockHeader,
  BlockInfo,
  Context,
  Event,
  EventAttribute,
  EventManager,
  ExecMode,
  GasMeter,
  Logger,
} from "./types";

/** Store gas costs (cosmos-sdk store/types/gas.go KVGasConfig defaults). */
export interface StoreGasConfig {
  readonly hasCost: bigint;
  readonly deleteCost: bigint;
  readonly readCostFlat: bigint;
  readonly readCostPerByte: bigint;
  readonly writeCostFlat: bigint;
  readonly writeCostPerByte: bigint;
  readonly iterNextCostFlat: bigint;
}

export const DEFAULT_STORE_GAS: StoreGasConfig = {
  hasCost: 1000n,
  deleteCost: 1000n,
  readCostFlat: 1000n,
  readCostPerByte: 3n,
  writeCostFlat: 2000n,
  writeCostPerByte: 30n,
  iterNextCostFlat: 30n,
};

const SAFE = Number.MAX_SAFE_INTEGER;
const SAFE_BIG = BigInt(SAFE);

/**
 * A gas meter; limit 0n means "infinite" (genesis, begin/end block, queries).
 *
 * Gas is counted in a plain number while it stays a safe integer (≤ 2^53 - 1; every real tx does)
 * and in a bigint from then on: the same figures and errors, without a bigint allocation per store
 * access (`consumeNum`, used by the gas-metered store).
 */
export class BasicGasMeter implements GasMeter {
  private usedNum = 0;
  /** Set once the total would leave the safe-integer range; authoritative from then on. */
  private usedBig: bigint | undefined;
  /** The limit as a number; Infinity when there is none or it is beyond what usedNum can reach. */
  private readonly limitNum: number;

  constructor(readonly limit: bigint) {
    this.limitNum = limit > 0n && limit <= SAFE_BIG ? Number(limit) : Infinity;
  }

  consumed(): bigint {
    return this.usedBig ?? BigInt(this.usedNum);
  }

  consume(amount: bigint, descriptor: string): void {
    if (amount < 0n) throw sdkErrors.Logic.wrap(`negative gas ${amount} for ${descriptor}`);
    if (this.usedBig === undefined && amount <= SAFE_BIG) this.consumeNum(Number(amount), descriptor);
    else this.consumeBig(amount, descriptor);
  }

  /** consume() for an amount the caller knows is a non-negative safe integer. */
  consumeNum(amount: number, descriptor: string): void {
    if (this.usedBig === undefined) {
      const u = this.usedNum + amount;
      if (u <= SAFE) {
        this.usedNum = u;
        if (u > this.limitNum) throw this.outOfGas(descriptor);
        return;
      }
    }
    this.consumeBig(BigInt(amount), descriptor);
  }

  private consumeBig(amount: bigint, descriptor: string): void {
    const u = (this.usedBig ?? BigInt(this.usedNum)) + amount;
    this.usedBig = u;
    if (this.limit > 0n && u > this.limit) throw this.outOfGas(descriptor);
  }

  private outOfGas(descriptor: string): Error {
    return sdkErrors.OutOfGas.wrap(`out of gas in location: ${descriptor}; gasWanted: ${this.limit}, gasUsed: ${this.consumed()}`);
  }
}

/** A per-access cost as a number when every charge it can produce is a safe integer, else undefined. */
function smallCost(c: bigint): number | undefined {
  return c >= 0n && c <= 1n << 24n ? Number(c) : undefined;
}

/** Most bytes a per-byte charge may count in number arithmetic: 2^24 × 2^28 < 2^53. */
const SMALL_BYTES = 1 << 28;

export class BasicEventManager implements EventManager {
  /** `list`: where events go (a caller may share one list between managers). */
  constructor(protected readonly list: Event[] = []) {}

  emit(type: string, attributes: ReadonlyArray<readonly [string, string]>, index = true): void {
    const attrs: EventAttribute[] = new Array(attributes.length);
    for (let i = 0; i < attributes.length; i++) attrs[i] = { key: attributes[i][0], value: attributes[i][1], index };
    this.list.push({ type, attributes: attrs });
  }

  /** Appends events collected elsewhere (a successful nested branch). */
  append(events: readonly Event[]): void {
    for (const e of events) this.list.push(e);
  }

  events(): readonly Event[] {
    return this.list;
  }
}

/**
 * The events of message `msgIndex` of a tx: every event emitted or appended gets the SDK's
 * trailing msg_index attribute as it is recorded (no copy of the message's events afterwards).
 */
export class MsgEventManager extends BasicEventManager {
  private readonly idx: EventAttribute;
  /** Where this message's events start in the shared list (messages run one after another). */
  private readonly start: number;

  constructor(list: Event[], msgIndex: number) {
    super(list);
    this.idx = { key: "msg_index", value: String(msgIndex), index: true };
    this.start = list.length;
  }

  /** This message's events only. */
  override events(): readonly Event[] {
    return this.list.slice(this.start);
  }

  override emit(type: string, attributes: ReadonlyArray<readonly [string, string]>, index = true): void {
    const n = attributes.length;
    const attrs: EventAttribute[] = new Array(n + 1);
    for (let i = 0; i < n; i++) attrs[i] = { key: attributes[i][0], value: attributes[i][1], index };
    attrs[n] = this.idx;
    this.list.push({ type, attributes: attrs });
  }

  override append(events: readonly Event[]): void {
    for (const e of events) this.list.push({ type: e.type, attributes: [...e.attributes, this.idx] });
  }
}

/**
 * Number forms of a StoreGasConfig for BasicGasMeter.consumeNum (undefined: some cost is too large
 * for exact number arithmetic; the bigint path is used). Computed once per config object.
 */
interface SmallGas {
  readonly has: number;
  readonly del: number;
  readonly readFlat: number;
  readonly readPerByte: number;
  readonly writeFlat: number;
  readonly writePerByte: number;
}
const smallGasOf = new WeakMap<StoreGasConfig, SmallGas | null>();
function smallGas(cfg: StoreGasConfig): SmallGas | undefined {
  let g = smallGasOf.get(cfg);
  if (g === undefined) {
    const c = [cfg.hasCost, cfg.deleteCost, cfg.readCostFlat, cfg.readCostPerByte, cfg.writeCostFlat, cfg.writeCostPerByte].map(smallCost);
    g = c.every((x) => x !== undefined) ? { has: c[0]!, del: c[1]!, readFlat: c[2]!, readPerByte: c[3]!, writeFlat: c[4]!, writePerByte: c[5]! } : null;
    smallGasOf.set(cfg, g);
  }
  return g ?? undefined;
}

/**
 * Wraps a KVStore so every access charges gas (cosmos-sdk store/gaskv). With a BasicGasMeter and
 * the usual small costs it charges in numbers (same amounts, descriptors and order).
 */
export class GasKVStore implements KVStore {
  private readonly meter: BasicGasMeter | undefined;
  private readonly small: SmallGas | undefined;
  /** The parent's latin1 read path (store branches): the key is converted once, here. */
  private readonly up: Latin1Read | undefined;

  constructor(
    private readonly parent: KVStore,
    private readonly gas: GasMeter,
    private readonly cfg: StoreGasConfig,
  ) {
    this.small = gas instanceof BasicGasMeter ? smallGas(cfg) : undefined;
    this.meter = this.small ? (gas as BasicGasMeter) : undefined;
    this.up = isLatin1Read(parent) ? parent : undefined;
  }

  get(key: Bytes): Bytes | undefined {
    const m = this.meter;
    const up = this.up;
    if (m !== undefined && up !== undefined) return latin1ToBytes(this.meteredLatin1(m, up, key));
    if (m !== undefined) {
      const g = this.small!;
      m.consumeNum(g.readFlat, "ReadFlat");
      const v = this.parent.get(key);
      this.perByte(m, g.readPerByte, this.cfg.readCostPerByte, key.length + (v === undefined ? 0 : v.length), "ReadPerByte");
      return v;
    }
    this.gas.consume(this.cfg.readCostFlat, "ReadFlat");
    const v = this.parent.get(key);
    this.gas.consume(this.cfg.readCostPerByte * BigInt(key.length + (v?.length ?? 0)), "ReadPerByte");
    return v;
  }

  /**
   * The latin1 read path of get() and getLatin1Value(), with the same charges in the same order as
   * get()'s other paths: ReadFlat, then the read (which may throw for a bad key), then ReadPerByte
   * on the value's length (one char per byte).
   */
  private meteredLatin1(m: BasicGasMeter, up: Latin1Read, key: Bytes): string | null {
    const g = this.small!;
    m.consumeNum(g.readFlat, "ReadFlat");
    validateKey(key);
    const v = up.getLatin1(bytesToKey(key));
    this.perByte(m, g.readPerByte, this.cfg.readCostPerByte, key.length + (v === null ? 0 : v.length), "ReadPerByte");
    return v;
  }

  /**
   * get() with the value as a latin1 string (one char per byte, null = absent): the same gas in the
   * same steps, without the Buffer (for keepers that decode the value from its characters).
   */
  getLatin1Value(key: Bytes): string | null {
    const m = this.meter;
    const up = this.up;
    if (m !== undefined && up !== undefined) return this.meteredLatin1(m, up, key);
    const v = this.get(key);
    return v === undefined ? null : bytesToKey(v);
  }

  /**
   * set() of a value given as a latin1 string (every char ≤ 0xff: its bytes): the same gas, checks
   * and stored bytes, without building a Uint8Array the branch would turn back into this string.
   */
  setLatin1Value(key: Bytes, value: string): void {
    const parent = this.parent;
    if (!(parent instanceof CacheKV)) {
      this.set(key, keyToBytes(value));
      return;
    }
    this.chargeWrite(key.length + value.length);
    validateKey(key);
    validateLatin1Value(key, value);
    parent.setLatin1(bytesToKey(key), value);
  }

  /** Charges exactly what has() would, without asking the store (the caller knows the answer). */
  chargeHas(): void {
    if (this.meter !== undefined) this.meter.consumeNum(this.small!.has, "Has");
    else this.gas.consume(this.cfg.hasCost, "Has");
  }

  private perByte(m: BasicGasMeter, cost: number, costBig: bigint, bytes: number, descriptor: string): void {
    if (bytes <= SMALL_BYTES) m.consumeNum(cost * bytes, descriptor);
    else m.consume(costBig * BigInt(bytes), descriptor);
  }

  has(key: Bytes): boolean {
    this.chargeHas();
    const up = this.up;
    if (up !== undefined) {
      validateKey(key);
      return up.getLatin1(bytesToKey(key)) !== null;
    }
    return this.parent.has(key);
  }

  /**
   * Charges exactly what get() would for a read of `keyLength` bytes returning `valueLength` bytes
   * (0 = missing), without reading: for callers that know the value from an earlier identical read.
   */
  chargeRead(keyLength: number, valueLength: number): void {
    const m = this.meter;
    if (m !== undefined) {
      m.consumeNum(this.small!.readFlat, "ReadFlat");
      this.perByte(m, this.small!.readPerByte, this.cfg.readCostPerByte, keyLength + valueLength, "ReadPerByte");
      return;
    }
    this.gas.consume(this.cfg.readCostFlat, "ReadFlat");
    this.gas.consume(this.cfg.readCostPerByte * BigInt(keyLength + valueLength), "ReadPerByte");
  }

  /** WriteFlat, then WritePerByte on key + value length: what every write charges. */
  private chargeWrite(bytes: number): void {
    const m = this.meter;
    if (m !== undefined) {
      m.consumeNum(this.small!.writeFlat, "WriteFlat");
      this.perByte(m, this.small!.writePerByte, this.cfg.writeCostPerByte, bytes, "WritePerByte");
    } else {
      this.gas.consume(this.cfg.writeCostFlat, "WriteFlat");
      this.gas.consume(this.cfg.writeCostPerByte * BigInt(bytes), "WritePerByte");
    }
  }

  set(key: Bytes, value: Bytes): void {
    this.chargeWrite(key.length + value.length);
    this.parent.set(key, value);
  }

  delete(key: Bytes): void {
    if (this.meter !== undefined) this.meter.consumeNum(this.small!.del, "Delete");
    else this.gas.consume(this.cfg.deleteCost, "Delete");
    this.parent.delete(key);
  }

  iterator(start?: Bytes, end?: Bytes, reverse?: boolean): IterableIterator<KVPair> {
    return this.metered(this.parent.iterator(start, end, reverse));
  }

  prefixIterator(prefix: Bytes, reverse?: boolean): IterableIterator<KVPair> {
    return this.metered(this.parent.prefixIterator(prefix, reverse));
  }

  private *metered(it: IterableIterator<KVPair>): IterableIterator<KVPair> {
    for (const kv of it) {
      this.gas.consume(this.cfg.iterNextCostFlat, "IterNextFlat");
      this.gas.consume(this.cfg.readCostPerByte * BigInt(kv[0].length + kv[1].length), "ValuePerByte");
      yield kv;
    }
  }
}

export interface ContextOptions {
  readonly header: BlockHeader;
  readonly block?: BlockInfo;
  readonly mode: ExecMode;
  readonly store: MultiStoreView;
  readonly gas?: GasMeter;
  readonly events?: BasicEventManager;
  readonly logger: Logger;
  readonly storeGas?: StoreGasConfig;
}

const EMPTY_BLOCK: BlockInfo = { votes: [], misbehavior: [] };

/**
 * store.get() as a latin1 string (one char per byte; null = absent), for keepers that decode values
 * from their characters: a GasKVStore reads without a Buffer for the value (same gas, same steps);
 * any other store (queries) is read as usual and the value converted.
 */
export function getLatin1Value(store: KVStore, key: Bytes): string | null {
  if (store instanceof GasKVStore) return store.getLatin1Value(key);
  const v = store.get(key);
  return v === undefined ? null : bytesToKey(v);
}

/** store.set() of a value given as a latin1 string (GasKVStore: no Buffer for it; same gas). */
export function setLatin1Value(store: KVStore, key: Bytes, value: string): void {
  if (store instanceof GasKVStore) store.setLatin1Value(key, value);
  else store.set(key, keyToBytes(value));
}

/**
 * Charges the gas of a read whose result the caller already holds (same key, value unchanged since
 * it was read in this branch). Returns false when `store` is not gas-metered (queries): then the
 * caller must do the real read.
 */
export function chargeRepeatedRead(store: KVStore, keyLength: number, valueLength: number): boolean {
  if (!(store instanceof GasKVStore)) return false;
  store.chargeRead(keyLength, valueLength);
  return true;
}

class ContextImpl implements Context {
  readonly header: BlockHeader;
  readonly block: BlockInfo;
  readonly mode: ExecMode;
  readonly gas: GasMeter;
  readonly events: BasicEventManager;
  readonly logger: Logger;
  readonly multiStore: MultiStoreView;
  private readonly storeGas: StoreGasConfig;
  /** Gas-metered stores by name: one to three per context, so two arrays, no Map. */
  private readonly storeNames: string[] = [];
  private readonly storeList: KVStore[] = [];
  /** ScopedReadCache scope of this context (computed once). */
  cacheScope?: string | null;

  constructor(o: ContextOptions) {
    this.header = o.header;
    this.block = o.block ?? EMPTY_BLOCK;
    this.mode = o.mode;
    this.gas = o.gas ?? new BasicGasMeter(0n);
    this.events = o.events ?? new BasicEventManager();
    this.logger = o.logger;
    this.multiStore = o.store;
    this.storeGas = o.storeGas ?? DEFAULT_STORE_GAS;
  }

  store(name: string): KVStore {
    const names = this.storeNames;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return this.storeList[i];
    const s = new GasKVStore(this.multiStore.getStore(name), this.gas, this.storeGas);
    names.push(name);
    this.storeList.push(s);
    return s;
  }

  branch<T>(fn: (ctx: Context) => T): T {
    const cache = this.multiStore.branch();
    const child = new ContextImpl({
      header: this.header,
      block: this.block,
      mode: this.mode,
      store: cache,
      gas: this.gas, // one meter per tx: nested branches share it
      logger: this.logger,
      storeGas: this.storeGas,
    });
    const result = fn(child); // throws → cache and child events are dropped
    cache.write();
    this.events.append(child.events.events());
    return result;
  }
}

/**
 * Which cache scope a context reads in: the state it reads (before any write of the cached keys)
 * is the last committed state for every context of one scope. Mempool contexts (CheckTx and
 * ReCheckTx at height h) read state h-1; block contexts (PrepareProposal, ProcessProposal,
 * FinalizeBlock at height h) read state h-1 plus the block's own writes. Genesis, simulation
 * (historical views) and queries are not cached.
 */
function scopeOf(ctx: ContextImpl): string | null {
  if (ctx.cacheScope !== undefined) return ctx.cacheScope;
  const m = ctx.mode;
  let side: string | undefined;
  if (m === "check" || m === "recheck") side = "mempool";
  else if (m === "finalize") side = "block";
  ctx.cacheScope = side === undefined ? null : `${side}/${ctx.header.height}`;
  return ctx.cacheScope;
}

interface CachedRead<T> {
  readonly value: T;
  readonly valueLength: number;
}

/**
 * Read cache for keys that are read by every tx but almost never written (module params, per-denom
 * send flags): saves the store read and the decode, and charges exactly the gas of the read it
 * replaces (same descriptors, same amounts, same order), so gas never depends on a hit.
 *
 * Correctness: entries are per scope (see scopeOf), filled by a real read. The owner must call
 * `invalidate(ctx)` from every write of a cached key: it drops all entries and disables caching
 * for the writer's scope for good, because a value read after a write in a branch may be
 * discarded with that branch (a failed tx, a replayed block). Values are shared: never mutate them.
 */
export class ScopedReadCache<T> {
  private readonly scopes = new Map<string, Map<string, CachedRead<T>>>();
  private readonly disabled = new Set<string>();

  constructor(private readonly storeName: string) {}

  /** The decoded value at `key` (`id` names the key within this cache, e.g. its hex or a denom). */
  get(ctx: Pick<Context, "store">, key: Uint8Array, id: string, decode: (v: Bytes | undefined) => T): T {
    const s = ctx.store(this.storeName);
    const scope = ctx instanceof ContextImpl && s instanceof GasKVStore ? scopeOf(ctx) : null;
    if (scope === null || this.disabled.has(scope)) return decode(s.get(key));
    let entries = this.scopes.get(scope);
    if (entries === undefined) {
      if (this.scopes.size >= 8) this.scopes.clear(); // old heights are never read again
      entries = new Map();
      this.scopes.set(scope, entries);
    }
    const hit = entries.get(id);
    if (hit !== undefined) {
      (s as GasKVStore).chargeRead(key.length, hit.valueLength);
      return hit.value;
    }
    const v = s.get(key);
    const value = decode(v);
    entries.set(id, { value, valueLength: v?.length ?? 0 });
    return value;
  }

  /**
   * Whether `key` exists, for a ScopedReadCache<boolean> used for existence only: a hit charges
   * exactly the Has it replaces. Same scope and invalidation rules as get().
   */
  has(this: ScopedReadCache<boolean>, ctx: Pick<Context, "store">, key: Uint8Array, id: string): boolean {
    const s = ctx.store(this.storeName);
    const scope = ctx instanceof ContextImpl && s instanceof GasKVStore ? scopeOf(ctx) : null;
    if (scope === null || this.disabled.has(scope)) return s.has(key);
    let entries = this.scopes.get(scope);
    if (entries === undefined) {
      if (this.scopes.size >= 8) this.scopes.clear();
      entries = new Map();
      this.scopes.set(scope, entries);
    }
    const hit = entries.get(id);
    if (hit !== undefined) {
      (s as GasKVStore).chargeHas();
      return hit.value;
    }
    const v = s.has(key);
    entries.set(id, { value: v, valueLength: 0 });
    return v;
  }

  /** Call on every write of a cached key (before or after the write). */
  invalidate(ctx: unknown): void {
    this.scopes.clear();
    const scope = ctx instanceof ContextImpl ? scopeOf(ctx) : null;
    if (scope !== null) {
      if (this.disabled.size >= 64) this.disabled.clear(); // old heights are never read again
      this.disabled.add(scope);
    }
  }
}

/** Builds a Context; the app uses it for genesis, begin/end block and the tx pipeline for each tx. */
export function createContext(o: ContextOptions): Context & { readonly events: BasicEventManager } {
  return new ContextImpl(o);
}

/**
 * The execution context handed to handlers: header, branched store, gas meter, events, logger.
 * Gas is charged per store access with the Cosmos SDK's default KVGasConfig so that gas numbers
 * look familiar to wallets (and are deterministic: no cache-dependent charging).
 */
import type { Bytes, KVPair, KVStore, MultiStoreView } from "../store/types";
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

/** A gas meter; limit 0n means "infinite" (genesis, begin/end block, queries). */
export class BasicGasMeter implements GasMeter {
  private used = 0n;
  constructor(readonly limit: bigint) {}

  consumed(): bigint {
    return this.used;
  }

  consume(amount: bigint, descriptor: string): void {
    if (amount < 0n) throw sdkErrors.Logic.wrap(`negative gas ${amount} for ${descriptor}`);
    this.used += amount;
    if (this.limit > 0n && this.used > this.limit) {
      throw sdkErrors.OutOfGas.wrap(`out of gas in location: ${descriptor}; gasWanted: ${this.limit}, gasUsed: ${this.used}`);
    }
  }
}

export class BasicEventManager implements EventManager {
  private readonly list: Event[] = [];

  emit(type: string, attributes: ReadonlyArray<readonly [string, string]>, index = true): void {
    const attrs: EventAttribute[] = attributes.map(([key, value]) => ({ key, value, index }));
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

/** Wraps a KVStore so every access charges gas (cosmos-sdk store/gaskv). */
export class GasKVStore implements KVStore {
  constructor(
    private readonly parent: KVStore,
    private readonly gas: GasMeter,
    private readonly cfg: StoreGasConfig,
  ) {}

  get(key: Bytes): Bytes | undefined {
    this.gas.consume(this.cfg.readCostFlat, "ReadFlat");
    const v = this.parent.get(key);
    this.gas.consume(this.cfg.readCostPerByte * BigInt(key.length + (v?.length ?? 0)), "ReadPerByte");
    return v;
  }

  has(key: Bytes): boolean {
    this.gas.consume(this.cfg.hasCost, "Has");
    return this.parent.has(key);
  }

  set(key: Bytes, value: Bytes): void {
    this.gas.consume(this.cfg.writeCostFlat, "WriteFlat");
    this.gas.consume(this.cfg.writeCostPerByte * BigInt(key.length + value.length), "WritePerByte");
    this.parent.set(key, value);
  }

  delete(key: Bytes): void {
    this.gas.consume(this.cfg.deleteCost, "Delete");
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

class ContextImpl implements Context {
  readonly header: BlockHeader;
  readonly block: BlockInfo;
  readonly mode: ExecMode;
  readonly gas: GasMeter;
  readonly events: BasicEventManager;
  readonly logger: Logger;
  readonly multiStore: MultiStoreView;
  private readonly storeGas: StoreGasConfig;
  private readonly stores = new Map<string, KVStore>();

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
    let s = this.stores.get(name);
    if (!s) {
      s = new GasKVStore(this.multiStore.getStore(name), this.gas, this.storeGas);
      this.stores.set(name, s);
    }
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

/** Builds a Context; the app uses it for genesis, begin/end block and the tx pipeline for each tx. */
export function createContext(o: ContextOptions): Context & { readonly events: BasicEventManager } {
  return new ContextImpl(o);
}

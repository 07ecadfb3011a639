/**
 * The module manager: checks a module list once at start-up (unique names, stores, message
 * type URLs and query paths), builds the routers, and fixes the order in which genesis and the
 * begin/end-block hooks run. Modules are only ever seen through the `Module` interface.
 */
import type { Module, MsgHandler, QueryHandler } from "./types";

/** Optional explicit orders (module names). Each must list exactly the modules that have that hook. */
export interface ModuleOrder {
  readonly initGenesis?: readonly string[];
  readonly exportGenesis?: readonly string[];
  readonly beginBlock?: readonly string[];
  readonly endBlock?: readonly string[];
}

/** Looks up the handler of a message type; what the tx pipeline routes messages through. */
export interface MsgRouter {
  handler(typeUrl: string): MsgHandler<any> | undefined;
  typeUrls(): readonly string[];
}

export interface QueryRoute {
  readonly module: string;
  readonly handler: QueryHandler;
}

const NAME_RE = /^[a-z][a-z0-9_]{0,31}$/;

export class ModuleManager implements MsgRouter {
  readonly modules: readonly Module[];
  /** Every mounted store name, sorted. */
  readonly storeNames: readonly string[];
  readonly genesisOrder: readonly Module[];
  readonly exportOrder: readonly Module[];
  readonly beginBlockOrder: readonly Module[];
  readonly endBlockOrder: readonly Module[];
  private readonly msgs = new Map<string, MsgHandler<any>>();
  private readonly queries = new Map<string, QueryRoute>();

  constructor(modules: readonly Module[], order: ModuleOrder = {}) {
    const byName = new Map<string, Module>();
    const storeOwner = new Map<string, string>();
    for (const m of modules) {
      if (!NAME_RE.test(m.name)) throw new Error(`module name "${m.name}" must match ${NAME_RE}`);
      if (byName.has(m.name)) throw new Error(`module "${m.name}" registered twice`);
      byName.set(m.name, m);
      for (const s of m.stores ?? [m.name]) {
        if (!NAME_RE.test(s)) throw new Error(`store name "${s}" of module ${m.name} must match ${NAME_RE}`);
        const other = storeOwner.get(s);
        if (other) throw new Error(`store "${s}" claimed by modules ${other} and ${m.name}`);
        storeOwner.set(s, m.name);
      }
      for (const h of m.msgs ?? []) {
        if (!h.typeUrl.startsWith("/")) throw new Error(`module ${m.name}: message type URL "${h.typeUrl}" must start with "/"`);
        if (this.msgs.has(h.typeUrl)) throw new Error(`message ${h.typeUrl} handled by two modules (second: ${m.name})`);
        this.msgs.set(h.typeUrl, h);
      }
      for (const path of Object.keys(m.queries ?? {}).sort()) {
        if (!/^\/[A-Za-z0-9_.]+\/[A-Za-z0-9_]+$/.test(path)) {
          throw new Error(`module ${m.name}: query path "${path}" must look like /pkg.Service/Method`);
        }
        const prev = this.queries.get(path);
        if (prev) throw new Error(`query ${path} served by modules ${prev.module} and ${m.name}`);
        this.queries.set(path, { module: m.name, handler: m.queries![path]! });
      }
    }
    this.modules = [...modules];
    this.storeNames = [...storeOwner.keys()].sort(cmpStr);
    const pick = (hook: string, has: (m: Module) => boolean, names?: readonly string[]): Module[] => {
      const withHook = this.modules.filter(has);
      if (!names) return withHook;
      const expected = new Set(withHook.map((m) => m.name));
      const seen = new Set<string>();
      const out: Module[] = [];
      for (const n of names) {
        const m = byName.get(n);
        if (!m) throw new Error(`${hook} order names unknown module "${n}"`);
        if (!expected.has(n)) throw new Error(`${hook} order lists module "${n}" which has no ${hook}`);
        if (seen.has(n)) throw new Error(`${hook} order lists module "${n}" twice`);
        seen.add(n);
        out.push(m);
      }
      const missing = [...expected].filter((n) => !seen.has(n));
      if (missing.length) throw new Error(`${hook} order is missing module(s): ${missing.join(", ")}`);
      return out;
    };
    this.genesisOrder = pick("initGenesis", (m) => !!m.genesis, order.initGenesis);
    this.exportOrder = pick("exportGenesis", (m) => !!m.genesis, order.exportGenesis ?? order.initGenesis);
    this.beginBlockOrder = pick("beginBlock", (m) => typeof m.beginBlock === "function", order.beginBlock);
    this.endBlockOrder = pick("endBlock", (m) => typeof m.endBlock === "function", order.endBlock);
  }

  handler(typeUrl: string): MsgHandler<any> | undefined {
    return this.msgs.get(typeUrl);
  }

  typeUrls(): readonly string[] {
    return [...this.msgs.keys()].sort(cmpStr);
  }

  query(path: string): QueryRoute | undefined {
    return this.queries.get(path);
  }

  queryPaths(): readonly string[] {
    return [...this.queries.keys()].sort(cmpStr);
  }
}

/** Code-unit string comparison (never localeCompare: it depends on ICU). */
export function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A MsgRouter handed to module factories before the ModuleManager exists (gov, authz-like
 * execution, escrow settlement need to route nested messages). The app binds it once, right after
 * building the manager; routing before that, or binding twice, is a programming error.
 */
export class LateRouter implements MsgRouter {
  private target?: MsgRouter;

  bind(router: MsgRouter): void {
    if (this.target) throw new Error("LateRouter already bound");
    this.target = router;
  }

  private get bound(): MsgRouter {
    if (!this.target) throw new Error("message router used before the app was built (LateRouter not bound)");
    return this.target;
  }

  handler(typeUrl: string): MsgHandler<any> | undefined {
    return this.bound.handler(typeUrl);
  }

  typeUrls(): readonly string[] {
    return this.bound.typeUrls();
  }
}

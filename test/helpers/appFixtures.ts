/**
 * TEST-ONLY fixtures for App tests: a small "kv" module (genesis, query, begin/end hooks) and a
 * TxRunner whose txs are "set k v" | "bad…" (ante failure) | "throw".
 */
import { registerError, sdkErrors } from "../../chain/app/errors";
import type { Context, Module, TxEnv, TxResult, TxRunner } from "../../chain/app/types";
import { blockReq } from "./txkit";

export const enc = (s: string): Uint8Array => Buffer.from(s);
/** google.protobuf.Timestamp at unix second `s`. */
export const time = (s: number) => ({ seconds: BigInt(s), nanos: 0 });
/** RequestFinalizeBlock at `height` whose txs are the utf-8 strings `txs` (kv test module format). */
export const kvBlock = (height: bigint, txs: readonly string[] = []) => blockReq(height, txs.map(enc));
export const dec = (b: Uint8Array | undefined): string | undefined => (b ? Buffer.from(b).toString() : undefined);

export const ErrNegative = registerError("kv", 2, "negative value");

export interface KvGenesis {
  entries: { key: string; value: string }[];
}

/** A small module: "kv" store, genesis entries, a block counter in endBlock, a failing beginBlock on demand. */
export function kvModule(opts: { explodeAtHeight?: bigint } = {}): Module {
  return {
    name: "kv",
    genesis: {
      defaultGenesis: (): KvGenesis => ({ entries: [] }),
      validateGenesis(raw: unknown): KvGenesis {
        const g = raw as KvGenesis;
        if (!g || !Array.isArray(g.entries)) throw new Error("entries: must be a list");
        g.entries.forEach((e, i) => {
          if (typeof e.key !== "string" || e.key === "") throw new Error(`entries[${i}].key: must be a non-empty string`);
          if (!/^\d+$/.test(e.value)) throw ErrNegative.wrap(`entries[${i}].value: "${e.value}" is not a non-negative integer`);
        });
        return g;
      },
      initGenesis(ctx: Context, g: KvGenesis) {
        for (const e of g.entries) ctx.store("kv").set(enc(`e/${e.key}`), enc(e.value));
      },
      exportGenesis(ctx: Context): KvGenesis {
        const entries: KvGenesis["entries"] = [];
        for (const [k, v] of ctx.store("kv").prefixIterator(enc("e/"))) entries.push({ key: dec(k)!.slice(2), value: dec(v)! });
        return { entries };
      },
    },
    queries: {
      "/test.kv.v1.Query/Get": (ctx, req) => {
        const v = ctx.store("kv").get(enc(`e/${dec(req)}`));
        if (!v) throw ErrNegative.wrap("not found");
        return v;
      },
    },
    beginBlock(ctx) {
      ctx.store("kv").set(enc("begin"), enc("x"));
      ctx.events.emit("begin", [["height", ctx.header.height.toString()]]);
      if (ctx.header.height === opts.explodeAtHeight) throw new Error("boom in beginBlock");
    },
    endBlock(ctx) {
      const s = ctx.store("kv");
      const n = BigInt(dec(s.get(enc("blocks"))) ?? "0") + 1n;
      s.set(enc("blocks"), enc(n.toString()));
    },
  };
}

/** tx = "set k v" | "bad" (ante failure) | "throw" | "gas N …" (gas limit N) | "junk…" (undecodable). */
export class TestRunner implements TxRunner {
  gasLimit(tx: Uint8Array): bigint {
    const s = dec(tx)!;
    if (s.startsWith("junk")) throw sdkErrors.TxDecode.wrap(s);
    const g = /^gas (\d+)/.exec(s);
    return g ? BigInt(g[1]!) : 10n;
  }

  run(env: TxEnv, tx: Uint8Array): TxResult {
    const s = dec(tx)!;
    const ok = (): TxResult => ({ code: 0, codespace: "", log: "", data: new Uint8Array(), gasWanted: 10n, gasUsed: 5n, events: [] });
    if (s === "throw") throw new Error("runner bug");
    if (s.startsWith("bad")) return { ...ok(), code: 4, codespace: "sdk", log: "unauthorized" };
    const [, k, v] = s.split(" ");
    if (env.mode === "finalize" || env.mode === "simulate") env.store.getStore("kv").set(enc(`e/${k}`), enc(v!));
    return ok();
  }
}


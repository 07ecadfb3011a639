/**
 * Module params with validation, the same way for every module: one record under a fixed key of
 * the module's store, validated on every write (genesis and MsgUpdateParams alike).
 *
 *   export const bankParams = defineParams<BankParams>({
 *     store: "bank", encode: (p) => Params.encode(p).finish(), decode: (b) => Params.decode(b),
 *     defaults: () => ({ defaultSendEnabled: true, sendEnabled: [] }),
 *     validate: (p) => { if (...) throw ErrInvalidParams.wrap("params.send_enabled[0].denom: ..."); },
 *   });
 *   bankParams.get(ctx); bankParams.set(ctx, p);  // set() validates first
 */
import type { Context, QueryContext } from "./types";

/** Default params key: 0x00 in the module's store (pick another if 0x00 is taken). */
export const PARAMS_KEY = Uint8Array.of(0x00);

export interface ParamsSpec<P> {
  readonly store: string;
  readonly key?: Uint8Array;
  readonly encode: (p: P) => Uint8Array;
  readonly decode: (b: Uint8Array) => P;
  readonly defaults: () => P;
  /** Throws a ChainError whose message names the field ("params.max_memo_characters: must be > 0"). */
  readonly validate: (p: P) => void;
}

export interface ParamsAccess<P> {
  readonly spec: ParamsSpec<P>;
  /** Stored params, or the defaults before genesis wrote them. */
  get(ctx: Context | QueryContext): P;
  /** Validates, then stores. */
  set(ctx: Context, p: P): void;
}

export function defineParams<P>(spec: ParamsSpec<P>): ParamsAccess<P> {
  const key = spec.key ?? PARAMS_KEY;
  return {
    spec,
    get(ctx) {
      const raw = ctx.store(spec.store).get(key);
      return raw ? spec.decode(raw) : spec.defaults();
    },
    set(ctx, p) {
      spec.validate(p);
      ctx.store(spec.store).set(key, spec.encode(p));
    },
  };
}

/**
 * app_state handling: parse → validate every module's section (all before any is applied) →
 * init in genesis order; and the reverse, export.
 *
 * Sections for modules that are not wired are IGNORED WITH A WARNING (the standard sections in
 * genesis.json — auth, bank, ... — may arrive before their modules do). A wired module whose
 * section is missing starts from its default genesis.
 */
import { ChainError } from "./errors";
import type { ModuleManager } from "./manager";
import type { Context, Logger, ValidatorUpdate } from "./types";

export class GenesisError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GenesisError";
  }
}

/** app_state_bytes → object. Empty bytes (a genesis without app_state) → {}. */
export function parseAppState(bytes: Uint8Array): Record<string, unknown> {
  if (bytes.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (e) {
    throw new GenesisError(`genesis app_state is not valid JSON: ${(e as Error).message}`);
  }
  if (v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) throw new GenesisError("genesis app_state must be a JSON object keyed by module name");
  return v as Record<string, unknown>;
}

export interface ValidatedGenesis {
  /** module name → validated state, in genesis order. */
  readonly sections: ReadonlyArray<readonly [string, unknown]>;
  /** Sections present in app_state that no wired module reads. */
  readonly ignored: readonly string[];
}

/** Validates every module's section; throws GenesisError naming the module and field. */
export function validateAppState(manager: ModuleManager, appState: Record<string, unknown>): ValidatedGenesis {
  const sections: Array<readonly [string, unknown]> = [];
  const errors: string[] = [];
  for (const m of manager.genesisOrder) {
    const g = m.genesis!;
    const raw = Object.prototype.hasOwnProperty.call(appState, m.name) ? appState[m.name] : g.defaultGenesis();
    try {
      sections.push([m.name, g.validateGenesis(raw)]);
    } catch (e) {
      const msg = e instanceof ChainError || e instanceof Error ? e.message : String(e);
      errors.push(`app_state.${m.name}: ${msg}`);
    }
  }
  if (errors.length) throw new GenesisError(`invalid genesis:\n  ${errors.join("\n  ")}`);
  const known = new Set(manager.modules.map((m) => m.name));
  const ignored = Object.keys(appState)
    .filter((k) => !known.has(k))
    .sort();
  return { sections, ignored };
}

/** Runs initGenesis of every module in order; returns the validator updates they produced. */
export function initGenesis(ctx: Context, manager: ModuleManager, validated: ValidatedGenesis, logger: Logger): ValidatorUpdate[] {
  if (validated.ignored.length) {
    logger.warn({ sections: validated.ignored }, `genesis app_state has sections for modules that are not wired; ignoring: ${validated.ignored.join(", ")}`);
  }
  const byName = new Map(manager.modules.map((m) => [m.name, m]));
  const updates: ValidatorUpdate[] = [];
  for (const [name, state] of validated.sections) {
    const out = byName.get(name)!.genesis!.initGenesis(ctx, state);
    if (out) updates.push(...out);
  }
  return updates;
}

/** Each module's exported section, in export order. */
export function exportAppState(ctx: Context, manager: ModuleManager): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of manager.exportOrder) out[m.name] = m.genesis!.exportGenesis(ctx);
  return out;
}

/** The default app_state of a network with these modules. */
export function defaultAppState(manager: ModuleManager): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of manager.genesisOrder) out[m.name] = m.genesis!.defaultGenesis();
  return out;
}

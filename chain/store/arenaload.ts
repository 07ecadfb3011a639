/**
 * Loading stub slots of an ArenaTree: the loader interface DbNodeLoader implements (`loadSlot`,
 * which also checks the node's hash; the body decoder, decodeBodyIntoSlot, is in nodedb.ts beside
 * IavlTree's).
 */
import type { NodeArena } from "./arena";

/** Fills stub slots of an arena from storage (throws StoreError when missing or corrupt; the slot stays a stub). */
export interface ArenaLoader {
  loadSlot(a: NodeArena, s: number): void;
}

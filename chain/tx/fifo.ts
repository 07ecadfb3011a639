/** Moved to chain/util/fifo.ts (the store's node loader uses it too); re-exported for chain/tx. */
export { FifoMap, KeyQueue } from "../util/fifo";

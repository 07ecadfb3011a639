/** Public API of the state store (see README.md). */
export * from "./types";
export { openMultiStore, RootMultiStore, DEFAULT_PRUNE_BUDGET, DEFAULT_ARENA, DEFAULT_HASH_WORKER, DEFAULT_WARM_UP_DEPTH } from "./multistore";
export { IavlLiveTree, ArenaLiveTree } from "./storetree";
export type { LiveTree, ReadTree, WarmUpStats } from "./storetree";
export { ArenaTree } from "./arenatree";
export { Prefetcher } from "./prefetch";
export type { PrefetchStats, PrefetchOptions, PrefetchTarget, AsyncMultiReader } from "./prefetch";
export type { InternalStoreOptions, CommitStats } from "./multistore";
export { IavlTree, Node, hashNode } from "./iavl";
export type { NodeLoader, PathStep } from "./iavl";
export { CacheKV, CacheMulti } from "./cachekv";
export { CommittedView } from "./view";
export {
  commitInfoHash,
  storeExistenceProof,
  iavlProof,
  iavlExistenceProof,
  encodeProof,
  verifyStoreProof,
  PROOF_OP_IAVL,
  PROOF_OP_SIMPLE,
} from "./proofs";
export type { StoreRoot } from "./proofs";
export { compareBytes, prefixEnd, bytesToKey, keyToBytes, EMPTY_HASH } from "./encoding";

/**
 * ICS-23 proofs exactly as the Cosmos SDK emits them (iavl proof_ics23.go, store/internal/proofs),
 * the rootmulti CommitInfo hash (= AppHash), and a verifier that chains [IavlSpec, TendermintSpec]
 * like ibc-go, including the post-2022 ("Dragonberry") IAVL/Tendermint prefix checks that
 * @confio/ics23 0.6.8 lacks. Empty protobuf fields are left unset (reference §2.5).
 */
import { ics23, iavlSpec, tendermintSpec, verifyMembership, verifyNonMembership, calculateExistenceRoot } from "@confio/ics23";
import { CommitmentProof, ExistenceProof, HashOp, InnerOp, LeafOp, LengthOp, NonExistenceProof } from "cosmjs-types/cosmos/ics23/v1/proofs";
import { Bytes, ProofOp, StoreError } from "./types";
import type { PathStep } from "./iavl";
import { bytesEqual, compareStrings, concatBytes, encodeUvarint, encodeVarint, readVarint, sha256, EMPTY_HASH } from "./encoding";

export const PROOF_OP_IAVL = "ics23:iavl";
export const PROOF_OP_SIMPLE = "ics23:simple";

// ---- IAVL (store-level) proofs ----

function iavlLeafOp(version: number): LeafOp {
  return LeafOp.fromPartial({
    hash: HashOp.SHA256,
    prehashKey: HashOp.NO_HASH,
    prehashValue: HashOp.SHA256,
    length: LengthOp.VAR_PROTO,
    prefix: concatBytes(encodeVarint(0), encodeVarint(1), encodeVarint(version)),
  });
}

function iavlInnerOps(path: readonly PathStep[]): InnerOp[] {
  const ops: InnerOp[] = [];
  for (let i = path.length - 1; i >= 0; i--) {
    const s = path[i]!;
    const head = concatBytes(encodeVarint(s.height), encodeVarint(s.size), encodeVarint(s.version));
    if (s.left !== undefined) {
      ops.push(InnerOp.fromPartial({ hash: HashOp.SHA256, prefix: concatBytes(head, new Uint8Array([0x20]), s.left, new Uint8Array([0x20])) }));
    } else {
      ops.push(InnerOp.fromPartial({ hash: HashOp.SHA256, prefix: concatBytes(head, new Uint8Array([0x20])), suffix: concatBytes(new Uint8Array([0x20]), s.right!) }));
    }
  }
  return ops;
}

/** What proofs need of a tree: IavlTree and ArenaTree. */
export interface ProvableTree {
  readonly size: number;
  readonly workingVersion: number;
  getWithIndex(key: Bytes): [number, Bytes | undefined];
  getByIndex(index: number): [Bytes, Bytes] | undefined;
  pathToLeaf(key: Bytes): { path: PathStep[]; leaf: { readonly version: number; readonly key: Bytes; readonly value: Bytes | undefined } };
}

export function iavlExistenceProof(tree: ProvableTree, key: Bytes): ExistenceProof {
  const { path, leaf } = tree.pathToLeaf(key);
  const version = leaf.version !== 0 ? leaf.version : tree.workingVersion;
  return ExistenceProof.fromPartial({ key: leaf.key, value: leaf.value!, leaf: iavlLeafOp(version), path: iavlInnerOps(path) });
}

/** Go ImmutableTree.GetProof: membership proof if the key exists, else non-membership. */
export function iavlProof(tree: ProvableTree, key: Bytes): CommitmentProof {
  if (tree.size === 0) throw new StoreError("cannot generate a proof in an empty tree");
  const [idx, value] = tree.getWithIndex(key);
  if (value !== undefined) return CommitmentProof.fromPartial({ exist: iavlExistenceProof(tree, key) });
  const nonexist: { key: Bytes; left?: ExistenceProof; right?: ExistenceProof } = { key };
  if (idx >= 1) nonexist.left = iavlExistenceProof(tree, tree.getByIndex(idx - 1)![0]);
  const right = tree.getByIndex(idx);
  if (right !== undefined) nonexist.right = iavlExistenceProof(tree, right[0]);
  return CommitmentProof.fromPartial({ nonexist: NonExistenceProof.fromPartial(nonexist) });
}

// ---- CommitInfo hash and TendermintSpec proofs (CometBFT simple Merkle tree) ----

export interface StoreRoot {
  readonly name: string;
  readonly hash: Bytes;
}

/** Leaf item: uvarint(len name) || name || uvarint(32) || sha256(root). */
function commitLeaf(s: StoreRoot): Uint8Array {
  const name = Buffer.from(s.name, "utf8");
  return concatBytes(encodeUvarint(name.length), name, encodeUvarint(32), sha256(s.hash));
}

const LEAF_PREFIX = new Uint8Array([0]);
const INNER_PREFIX = new Uint8Array([1]);

function splitPoint(n: number): number {
  // Largest power of two strictly less than n.
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function merkleRoot(items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 0) return EMPTY_HASH;
  if (items.length === 1) return sha256(concatBytes(LEAF_PREFIX, items[0]!));
  const k = splitPoint(items.length);
  return sha256(concatBytes(INNER_PREFIX, merkleRoot(items.slice(0, k)), merkleRoot(items.slice(k))));
}

/** Aunts of leaf `index`, from the leaf level up, each tagged with its side. */
function merkleAunts(items: readonly Uint8Array[], index: number): { hash: Uint8Array; auntRight: boolean }[] {
  if (items.length <= 1) return [];
  const k = splitPoint(items.length);
  if (index < k) return [...merkleAunts(items.slice(0, k), index), { hash: merkleRoot(items.slice(k)), auntRight: true }];
  return [...merkleAunts(items.slice(k), index - k), { hash: merkleRoot(items.slice(0, k)), auntRight: false }];
}

function sortedRoots(roots: readonly StoreRoot[]): StoreRoot[] {
  return [...roots].sort((a, b) => compareStrings(a.name, b.name));
}

/** The AppHash: rootmulti CommitInfo.Hash() over the stores sorted by name. */
export function commitInfoHash(roots: readonly StoreRoot[]): Uint8Array {
  return merkleRoot(sortedRoots(roots).map(commitLeaf));
}

/** TendermintSpec existence proof of (store name -> store root) under the AppHash. */
export function storeExistenceProof(roots: readonly StoreRoot[], name: string): CommitmentProof {
  const sorted = sortedRoots(roots);
  const index = sorted.findIndex((r) => r.name === name);
  if (index < 0) throw new StoreError(`store "${name}" is not part of the commit info`);
  const path = merkleAunts(sorted.map(commitLeaf), index).map((a) =>
    a.auntRight
      ? InnerOp.fromPartial({ hash: HashOp.SHA256, prefix: INNER_PREFIX, suffix: a.hash })
      : InnerOp.fromPartial({ hash: HashOp.SHA256, prefix: concatBytes(INNER_PREFIX, a.hash) }),
  );
  const exist = ExistenceProof.fromPartial({
    key: Buffer.from(name, "utf8"),
    value: sorted[index]!.hash,
    leaf: LeafOp.fromPartial({ hash: HashOp.SHA256, prehashKey: HashOp.NO_HASH, prehashValue: HashOp.SHA256, length: LengthOp.VAR_PROTO, prefix: LEAF_PREFIX }),
    path,
  });
  return CommitmentProof.fromPartial({ exist });
}

export function encodeProof(p: CommitmentProof): Uint8Array {
  return CommitmentProof.encode(p).finish();
}

// ---- Verification (what a 07-tendermint client does with the default SDK specs) ----

function validateIavlOp(prefix: Uint8Array, hash: number | null | undefined, layer: number): void {
  let pos = 0;
  let height: number, size: number, version: number;
  try {
    [height, pos] = readVarint(prefix, pos);
    [size, pos] = readVarint(prefix, pos);
    [version, pos] = readVarint(prefix, pos);
  } catch {
    throw new Error(`IAVL op at layer ${layer}: malformed prefix varints`);
  }
  if (height < 0 || height < layer) throw new Error(`IAVL height ${height} must be >= layer ${layer}`);
  if (size < 0) throw new Error(`IAVL size ${size} must be non-negative`);
  if (version < 0) throw new Error(`IAVL version ${version} must be non-negative`);
  const rem = prefix.length - pos;
  if (layer === 0) {
    if (rem !== 0) throw new Error(`IAVL leaf prefix has ${rem} trailing bytes`);
    if (height !== 0) throw new Error("IAVL leaf height must be 0");
    if (size !== 1) throw new Error("IAVL leaf size must be 1");
  } else {
    if (rem !== 1 && rem !== 34) throw new Error(`IAVL inner prefix remainder ${rem} must be 1 or 34`);
    if (hash !== ics23.HashOp.SHA256) throw new Error("IAVL inner op hash must be SHA256");
  }
}

function validateTendermintInner(op: ics23.IInnerOp): void {
  const prefix = op.prefix ?? new Uint8Array();
  if (prefix.length === 0) throw new Error("Tendermint inner op prefix is empty");
  if (prefix[0] !== 1) throw new Error("Tendermint inner op prefix must start with 0x01");
  // Go treats a present suffix as non-nil; protobufjs decodes absent as empty, so test length.
  if ((op.suffix?.length ?? 0) > 0 && prefix.length !== 1) throw new Error("Tendermint inner op with suffix must have prefix [0x01]");
}

function checkExistence(p: ics23.IExistenceProof | null | undefined, kind: "iavl" | "tendermint"): void {
  if (p === null || p === undefined) return;
  if (kind === "iavl") {
    validateIavlOp(p.leaf?.prefix ?? new Uint8Array(), p.leaf?.hash, 0);
    (p.path ?? []).forEach((op, i) => validateIavlOp(op.prefix ?? new Uint8Array(), op.hash, i + 1));
  } else {
    (p.path ?? []).forEach(validateTendermintInner);
  }
}

function checkCommitment(p: ics23.ICommitmentProof, kind: "iavl" | "tendermint"): void {
  if (p.batch || p.compressed) throw new Error("batch/compressed proofs are not accepted");
  checkExistence(p.exist, kind);
  checkExistence(p.nonexist?.left, kind);
  checkExistence(p.nonexist?.right, kind);
}

function subroot(p: ics23.ICommitmentProof): Uint8Array {
  if (p.exist) return calculateExistenceRoot(p.exist);
  const ne = p.nonexist;
  if (ne?.left) return calculateExistenceRoot(ne.left);
  if (ne?.right) return calculateExistenceRoot(ne.right);
  throw new Error("proof has neither existence nor non-existence data");
}

/**
 * Verifies [ics23:iavl, ics23:simple] proof ops against an AppHash: membership of key=value
 * when `value` is given, non-membership when it is undefined. Returns false (never throws)
 * on any failure, like ibc-go.
 */
export function verifyStoreProof(
  appHash: Bytes,
  storeName: string,
  key: Bytes,
  value: Bytes | undefined,
  ops: readonly ProofOp[],
): boolean {
  try {
    if (ops.length !== 2 || ops[0]!.type !== PROOF_OP_IAVL || ops[1]!.type !== PROOF_OP_SIMPLE) return false;
    if (!bytesEqual(ops[0]!.key, key) || !bytesEqual(ops[1]!.key, Buffer.from(storeName, "utf8"))) return false;
    const iavlP = ics23.CommitmentProof.decode(ops[0]!.data);
    const simpleP = ics23.CommitmentProof.decode(ops[1]!.data);
    checkCommitment(iavlP, "iavl");
    checkCommitment(simpleP, "tendermint");
    const root = subroot(iavlP);
    if (value !== undefined) {
      if (value.length === 0) return false;
      if (!verifyMembership(iavlP, iavlSpec, root, key, value)) return false;
    } else if (!verifyNonMembership(iavlP, iavlSpec, root, key)) {
      return false;
    }
    if (!simpleP.exist) return false;
    return verifyMembership(simpleP, tendermintSpec, appHash, Buffer.from(storeName, "utf8"), root);
  } catch {
    return false;
  }
}

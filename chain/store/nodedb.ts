/**
 * On-disk layout (one LevelDB database, every key starts with a one-byte table tag):
 *
 *   'm'                                   metadata (JSON): latest version, AppHash, store names,
 *                                         initial version, pruning progress
 *   'c' BE64(version)                     commit record (JSON): per store root hash + root node key
 *   'n' u8(len name) name BE64(v) BE32(n) IAVL node record (below), node key = (version v, nonce n)
 *   'f' u8(len name) name key             fast index: latest committed value of `key`
 *   'o' BE64(lastVersion) u8(len) name    orphans: node keys last alive at `lastVersion`
 *
 * Node record: u8 kind (0 leaf, 1 inner) | uvarint height | uvarint size | uvarint len(key) | key |
 *   leaf:  value
 *   inner: left hash(32) | uvarint left version | uvarint left nonce | right hash(32) | ... right
 * followed by crc32 (BE32) of everything before it. Inner nodes keep their children's hashes, so a
 * loaded node's hash is recomputed and checked against what its parent (or the commit record)
 * expects: a corrupt, swapped or missing record raises StoreError, never a wrong hash.
 */
import { crc32 } from "node:zlib";
import { StoreError } from "./types";
import { hashNode, Node, NodeLoader } from "./iavl";
import { bytesEqual, putUvarint, readUvarint, toHex, uvarintSize, writeBE64 } from "./encoding";

export const TAG_META = 0x6d; // 'm'
export const TAG_COMMIT = 0x63; // 'c'
export const TAG_NODE = 0x6e; // 'n'
export const TAG_FAST = 0x66; // 'f'
export const TAG_ORPHANS = 0x6f; // 'o'

export const META_KEY = new Uint8Array([TAG_META]);

function storePrefix(tag: number, name: string): Uint8Array {
  const nb = Buffer.from(name, "utf8");
  const out = new Uint8Array(2 + nb.length);
  out[0] = tag;
  out[1] = nb.length;
  out.set(nb, 2);
  return out;
}

export function commitKey(version: number): Uint8Array {
  const k = new Uint8Array(9);
  k[0] = TAG_COMMIT;
  writeBE64(k, 1, version);
  return k;
}

export function orphanKey(lastVersion: number, name: string): Uint8Array {
  const nb = Buffer.from(name, "utf8");
  const k = new Uint8Array(10 + nb.length);
  k[0] = TAG_ORPHANS;
  writeBE64(k, 1, lastVersion);
  k[9] = nb.length;
  k.set(nb, 10);
  return k;
}

/** Key helpers bound to one store name. */
export class StoreKeys {
  readonly nodePrefix: Uint8Array;
  readonly fastPrefix: Uint8Array;
  constructor(readonly name: string) {
    this.nodePrefix = storePrefix(TAG_NODE, name);
    this.fastPrefix = storePrefix(TAG_FAST, name);
  }
  node(version: number, nonce: number): Uint8Array {
    const p = this.nodePrefix;
    const k = new Uint8Array(p.length + 12);
    k.set(p, 0);
    writeBE64(k, p.length, version);
    const i = p.length + 8;
    k[i] = (nonce >>> 24) & 0xff;
    k[i + 1] = (nonce >>> 16) & 0xff;
    k[i + 2] = (nonce >>> 8) & 0xff;
    k[i + 3] = nonce & 0xff;
    return k;
  }
  fast(key: Uint8Array): Uint8Array {
    const p = this.fastPrefix;
    const k = new Uint8Array(p.length + key.length);
    k.set(p, 0);
    k.set(key, p.length);
    return k;
  }
}

export function encodeNode(n: Node): Uint8Array {
  const key = n.key;
  let len = 1 + uvarintSize(n.height) + uvarintSize(n.size) + uvarintSize(key.length) + key.length + 4;
  if (n.height === 0) {
    len += n.value!.length;
  } else {
    const l = n.left!;
    const r = n.right!;
    len += 64 + uvarintSize(l.version) + uvarintSize(l.nonce) + uvarintSize(r.version) + uvarintSize(r.nonce);
  }
  const out = Buffer.allocUnsafe(len);
  let pos = 0;
  out[pos++] = n.height === 0 ? 0 : 1;
  pos = putUvarint(out, pos, n.height);
  pos = putUvarint(out, pos, n.size);
  pos = putUvarint(out, pos, key.length);
  out.set(key, pos);
  pos += key.length;
  if (n.height === 0) {
    out.set(n.value!, pos);
    pos += n.value!.length;
  } else {
    for (const c of [n.left!, n.right!]) {
      out.set(c.hash!, pos);
      pos += 32;
      pos = putUvarint(out, pos, c.version);
      pos = putUvarint(out, pos, c.nonce);
    }
  }
  out.writeUInt32BE(crc32(out.subarray(0, pos)), pos);
  return out;
}

/** Fills `stub` from a record; throws on any inconsistency. */
export function decodeNodeInto(stub: Node, rec: Uint8Array): void {
  if (rec.length < 5) throw new Error("record too short");
  const body = rec.subarray(0, rec.length - 4);
  const want = Buffer.from(rec.buffer, rec.byteOffset, rec.byteLength).readUInt32BE(rec.length - 4);
  if (crc32(body) !== want) throw new Error("checksum mismatch");
  let pos = 0;
  const kind = body[pos++];
  let height: number, size: number, klen: number;
  [height, pos] = readUvarint(body, pos);
  [size, pos] = readUvarint(body, pos);
  [klen, pos] = readUvarint(body, pos);
  if (pos + klen > body.length) throw new Error("truncated key");
  const key = body.subarray(pos, pos + klen);
  pos += klen;
  if (kind === 0) {
    if (height !== 0 || size !== 1) throw new Error("bad leaf header");
    stub.value = body.subarray(pos);
  } else if (kind === 1) {
    if (height < 1 || size < 2) throw new Error("bad inner header");
    const kids: Node[] = [];
    for (let i = 0; i < 2; i++) {
      if (pos + 32 > body.length) throw new Error("truncated child hash");
      const h = body.subarray(pos, pos + 32);
      pos += 32;
      let v: number, nonce: number;
      [v, pos] = readUvarint(body, pos);
      [nonce, pos] = readUvarint(body, pos);
      kids.push(Node.stub(v, nonce, h));
    }
    if (pos !== body.length) throw new Error("trailing bytes");
    stub.left = kids[0];
    stub.right = kids[1];
  } else {
    throw new Error(`unknown node kind ${kind}`);
  }
  stub.key = key;
  stub.size = size;
  stub.height = height;
}

/** Minimal synchronous point-read interface (classic-level's getSync). */
export interface SyncReader {
  getSync(key: Uint8Array): Uint8Array | undefined;
}

/** Loads stubs of one store's tree from LevelDB, verifying each node's hash. */
export class DbNodeLoader implements NodeLoader {
  constructor(
    private readonly db: SyncReader,
    private readonly keys: StoreKeys,
  ) {}

  load(stub: Node): void {
    const where = `store "${this.keys.name}": node (version ${stub.version}, nonce ${stub.nonce})`;
    const rec = this.db.getSync(this.keys.node(stub.version, stub.nonce));
    if (rec === undefined) throw new StoreError(`${where} is missing from the database`);
    const expected = stub.hash!;
    try {
      decodeNodeInto(stub, rec);
    } catch (e) {
      stub.height = -1;
      throw new StoreError(`${where} is corrupt: ${(e as Error).message}`);
    }
    // Recompute: hashNode() returns the cached hash unless cleared.
    stub.hash = undefined;
    const got = hashNode(stub, stub.version);
    if (!bytesEqual(got, expected)) {
      stub.height = -1;
      stub.hash = expected;
      throw new StoreError(`${where} is corrupt: hash ${toHex(got)} but its parent expects ${toHex(expected)}`);
    }
  }
}

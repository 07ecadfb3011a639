/**
 * Loading stub slots of an ArenaTree from node bodies (the nodedb.ts format): the decoder, and the
 * loader interface DbNodeLoader implements (`loadSlot`, which also checks the node's hash).
 */
import * as enc from "./encoding";
import { NodeArena } from "./arena";

const readUvarint = enc.readUvarint;

/** Fills stub slots of an arena from storage (throws StoreError when missing or corrupt; the slot stays a stub). */
export interface ArenaLoader {
  loadSlot(a: NodeArena, s: number): void;
}

/**
 * Fills stub slot `s` from a node body; an inner node gets two new stub children whose hashes are
 * copied from the body bytes. Throws Error on any inconsistency, before changing anything.
 */
export function decodeBodyIntoSlot(a: NodeArena, s: number, body: Uint8Array): void {
  let pos = 0;
  const kind = body[pos++];
  let height: number, size: number, klen: number;
  [height, pos] = readUvarint(body, pos);
  [size, pos] = readUvarint(body, pos);
  [klen, pos] = readUvarint(body, pos);
  if (pos + klen > body.length) throw new Error("truncated key");
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const key = bytes.toString("latin1", pos, pos + klen);
  pos += klen;
  if (kind === 0) {
    if (height !== 0 || size !== 1) throw new Error("bad leaf header");
    a.vals[s] = bytes.toString("latin1", pos);
  } else if (kind === 1) {
    if (height < 1 || height > 127 || size < 2) throw new Error("bad inner header");
    const kids: number[] = [];
    for (let i = 0; i < 2; i++) {
      if (pos + 32 > body.length) throw new Error("truncated child hash");
      const hashAt = pos;
      pos += 32;
      let v: number, nonce: number;
      [v, pos] = readUvarint(body, pos);
      [nonce, pos] = readUvarint(body, pos);
      kids.push(hashAt, v, nonce);
    }
    if (pos !== body.length) throw new Error("trailing bytes");
    a.setLeft(s, a.allocStub(kids[1]!, kids[2]!, body, kids[0]!));
    a.setRight(s, a.allocStub(kids[4]!, kids[5]!, body, kids[3]!));
  } else {
    throw new Error(`unknown node kind ${kind}`);
  }
  a.keys[s] = key;
  a.setSize(s, size);
  a.setHeight(s, height);
}

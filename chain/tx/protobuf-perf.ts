/**
 * cosmjs-types' BinaryWriter.alloc builds a fresh 8 KiB pool slab on EVERY call (`pool(...)` is
 * re-created inside alloc), so each encode().finish() allocates 8 KiB and returns a view into it.
 * That costs CPU and GC, and every value we keep (store caches, events) pins a whole slab.
 * Replace it with a plain exact-size allocation. Output bytes are identical.
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary";

(BinaryWriter as unknown as { alloc: (size: number) => Uint8Array }).alloc = (size: number) => new Uint8Array(size);

export const PROTOBUF_ALLOC_PATCHED = true;

/**
 * BinaryReader.string() decodes through a generic JS UTF-8 loop that builds a char array and
 * spreads it into String.fromCharCode: slow for the short ASCII strings txs are made of (type
 * URLs, bech32 addresses, denoms, amounts). Same bounds checks and result; non-ASCII bytes (and
 * long strings) still take cosmjs-types' own decoder.
 */
type ReaderLike = { uint32(): number; pos: number; buf: Uint8Array; assertBounds(): void; bytes(): Uint8Array };
const readerProto = BinaryReader.prototype as unknown as ReaderLike & { string(): string };
const originalString = readerProto.string;
readerProto.string = function (this: ReaderLike): string {
  const p0 = this.pos;
  const len = this.uint32();
  const start = this.pos;
  this.pos += len;
  this.assertBounds();
  const buf = this.buf;
  if (len <= 1024) {
    let ascii = true;
    for (let i = start; i < start + len; i++) {
      if (buf[i] > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, buf.subarray(start, start + len) as unknown as number[]);
  }
  this.pos = p0;
  return originalString.call(this);
};

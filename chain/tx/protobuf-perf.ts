/**
 * cosmjs-types' BinaryWriter.alloc builds a fresh 8 KiB pool slab on EVERY call (`pool(...)` is
 * re-created inside alloc), so each encode().finish() allocates 8 KiB and returns a view into it.
 * That costs CPU and GC, and every value we keep (store caches, events) pins a whole slab.
 * Replace it with a plain exact-size allocation. Output bytes are identical.
 */
import { BinaryWriter } from "cosmjs-types/binary";

(BinaryWriter as unknown as { alloc: (size: number) => Uint8Array }).alloc = (size: number) => new Uint8Array(size);

export const PROTOBUF_ALLOC_PATCHED = true;

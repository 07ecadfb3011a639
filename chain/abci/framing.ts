/**
 * ABCI socket framing for CometBFT v0.37+/v0.38: each message is an unsigned varint (uvarint,
 * NOT zigzag) byte length followed by that many bytes of protobuf `tendermint.abci.Request`
 * (node → app) or `Response` (app → node). CometBFT accepts lengths up to math.MaxInt32.
 *
 * The decoder accumulates socket chunks without re-copying them on every read (a 22 MB block
 * arrives in hundreds of chunks): it keeps a list of chunks and copies once, when a frame is
 * complete.
 */

/** Largest frame length CometBFT reads or writes (abci/types/messages.go: math.MaxInt32). */
export const MAX_FRAME_BYTES = 2_147_483_647;

/** uvarint bytes needed for lengths ≤ MAX_FRAME_BYTES (7 bits per byte). */
const MAX_HEADER_BYTES = 5;

export class FramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FramingError";
  }
}

/** Encodes `n` (0 ≤ n ≤ MAX_FRAME_BYTES) as a uvarint. Arithmetic, not 32-bit bit ops. */
export function encodeUvarint(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > MAX_FRAME_BYTES) throw new FramingError(`frame length ${n} out of range`);
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) + 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

/** One length-prefixed frame around `body`. */
export function encodeFrame(body: Uint8Array): Buffer {
  const header = encodeUvarint(body.length);
  const out = Buffer.allocUnsafe(header.length + body.length);
  header.copy(out, 0);
  out.set(body, header.length);
  return out;
}

/** The body of Request{flush:{}} (2 bytes: field 2, empty): returned shared, not as a view per frame. */
const FLUSH_BODY: Buffer = Buffer.from([0x12, 0x00]);

/**
 * Incremental decoder: `push()` each socket chunk, get back every frame body completed by it,
 * in order. Throws FramingError on a length prefix that is malformed or above MAX_FRAME_BYTES;
 * after that the stream is unusable (the caller closes the connection).
 *
 * Bodies are views into the received chunks (or one copy when a body spans chunks); the 2-byte
 * Flush request body, half of CometBFT's frames, is one shared Buffer. Callers must not mutate them.
 * The consumed part of the first chunk is tracked by an offset, not by re-slicing it per frame.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  /** Bytes of chunks[0] already consumed. */
  private off = 0;
  /** Bytes received but not yet consumed. */
  private buffered = 0;
  /** Body length of the frame being read, or -1 while reading its header. */
  private need = -1;
  private failed = false;

  constructor(private readonly maxFrame: number = MAX_FRAME_BYTES) {}

  /** Bytes received but not yet returned as a frame (headers included). */
  get pendingBytes(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): Buffer[] {
    if (this.failed) throw new FramingError("decoder already failed");
    if (chunk.length > 0) {
      this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      this.buffered += chunk.length;
    }
    const frames: Buffer[] = [];
    for (;;) {
      if (this.need < 0) {
        const h = this.readHeader();
        if (h === undefined) break;
        this.need = h;
      }
      if (this.buffered < this.need) break;
      frames.push(this.take(this.need));
      this.need = -1;
    }
    return frames;
  }

  /** Parses and consumes a uvarint header; undefined when more bytes are needed. */
  private readHeader(): number | undefined {
    let value = 0;
    let mul = 1;
    let i = 0;
    for (let ci = 0; ci < this.chunks.length; ci++) {
      const c = this.chunks[ci]!;
      for (let j = ci === 0 ? this.off : 0; j < c.length; j++) {
        const b = c[j]!;
        value += (b & 0x7f) * mul;
        i++;
        if (b < 0x80) {
          if (value > this.maxFrame) {
            return this.fail(`frame length ${value} exceeds the limit of ${this.maxFrame} bytes`);
          }
          this.skip(i);
          return value;
        }
        if (i >= MAX_HEADER_BYTES) {
          return this.fail(`uvarint length prefix longer than ${MAX_HEADER_BYTES} bytes (frame would exceed ${this.maxFrame} bytes)`);
        }
        mul *= 0x80;
      }
    }
    return undefined;
  }

  private fail(msg: string): never {
    this.failed = true;
    this.chunks = [];
    this.off = 0;
    this.buffered = 0;
    throw new FramingError(msg);
  }

  /** Consumes n bytes (n ≤ buffered). */
  private skip(n: number): void {
    this.buffered -= n;
    while (n > 0) {
      const left = this.chunks[0]!.length - this.off;
      if (left <= n) {
        this.chunks.shift();
        this.off = 0;
        n -= left;
      } else {
        this.off += n;
        n = 0;
      }
    }
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0]!;
    const off = this.off;
    if (first.length - off >= n) {
      const out = n === 2 && first[off] === 0x12 && first[off + 1] === 0x00 ? FLUSH_BODY : first.subarray(off, off + n);
      this.skip(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let pos = 0;
    while (pos < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length - this.off, n - pos);
      c.copy(out, pos, this.off, this.off + k);
      pos += k;
      this.skip(k);
    }
    return out;
  }
}

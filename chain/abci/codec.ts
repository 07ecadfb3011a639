/**
 * Hand-written ABCI codec for the hot messages (one CheckTx + one Flush per tx, FinalizeBlock with
 * one ExecTxResult per tx). cosmjs-types' generic writer allocates an op object per field and
 * turns every int64 into a decimal string first; these encoders write straight into one reusable
 * scratch buffer. Output bytes are exactly what `encodeFrame(Response.encode(res).finish())`
 * produces (codec.test.ts checks byte equality), so CometBFT sees no difference.
 *
 * Anything not on the fast path falls back to cosmjs-types.
 */
import { Response, type Event, type ExecTxResult, type RequestCheckTx, type ResponseCheckTx, type ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { ConsensusParams } from "cosmjs-types/tendermint/types/params";
import { ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import { utf8Length, utf8Write } from "cosmjs-types/utf8";
import { encodeFrame } from "./framing";
import { putUvarint, uvarintSize } from "../store/encoding";

/** Request{flush: {}}: field 2, empty message. */
export function isFlushRequest(body: Uint8Array): boolean {
  return body.length === 2 && body[0] === 0x12 && body[1] === 0x00;
}

/** Frame of Response{flush: {}} (field 3, empty): length 2, then 0x1a 0x00. Never mutated. */
export const FLUSH_RESPONSE_FRAME: Buffer = Buffer.from([0x02, 0x1a, 0x00]);

/** Reads a uvarint < 2^32 at `pos`; returns [value, next pos] or undefined when malformed/too long. */
function readVarint32(b: Uint8Array, pos: number): [number, number] | undefined {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 5; i++) {
    if (pos >= b.length) return undefined;
    const c = b[pos++]!;
    v += (c & 0x7f) * mul;
    if (c < 0x80) return v > 0xffffffff ? undefined : [v, pos];
    mul *= 128;
  }
  return undefined;
}

/**
 * Request{check_tx: {tx, type}} when `body` is exactly that (field 8 once; inside only fields 1
 * and 2, each at most once, canonical form); undefined means "use the generic decoder", which
 * also handles every odd-but-valid encoding.
 */
export function decodeCheckTxRequest(body: Uint8Array): RequestCheckTx | undefined {
  if (body.length < 2 || body[0] !== 0x42) return undefined;
  const l = readVarint32(body, 1);
  if (!l || l[1] + l[0] !== body.length) return undefined;
  let pos = l[1];
  let tx: Uint8Array = new Uint8Array(0);
  let type = 0;
  let seenTx = false;
  let seenType = false;
  while (pos < body.length) {
    const tag = body[pos++];
    if (tag === 0x0a && !seenTx) {
      const n = readVarint32(body, pos);
      if (!n || n[1] + n[0] > body.length) return undefined;
      // A plain view (no Buffer species constructor per request); tx bytes are never mutated.
      tx = new Uint8Array(body.buffer, body.byteOffset + n[1], n[0]);
      pos = n[1] + n[0];
      seenTx = true;
    } else if (tag === 0x10 && !seenType) {
      const n = readVarint32(body, pos);
      if (!n || n[0] > 0x7fffffff) return undefined; // enum: leave negatives/odd values to the generic path
      type = n[0];
      pos = n[1];
      seenType = true;
    } else return undefined;
  }
  return { tx, type };
}

// ------------------------------------------------------------------ writer

/** Room reserved in front of the body for the frame's uvarint length. */
const FRAME_HEADER_ROOM = 5;

/**
 * Append-only protobuf writer over a reusable scratch buffer. Nested messages reserve one byte for
 * their length and move their body when it needs more (rare: only bodies ≥ 128 bytes, a short copy).
 */
class ScratchWriter {
  buf: Buffer = Buffer.allocUnsafe(64 * 1024);
  pos = 0;

  reset(): void {
    this.pos = FRAME_HEADER_ROOM;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** uvarint of 0 ≤ v < 2^53. */
  varint(v: number): void {
    this.ensure(10);
    this.pos = putUvarint(this.buf, this.pos, v);
  }

  /** int64 as protobuf encodes it (two's complement, 10 bytes when negative). */
  int64(v: bigint): void {
    if (v >= 0n && v <= 9_007_199_254_740_991n) return this.varint(Number(v));
    let u = BigInt.asUintN(64, v);
    this.ensure(10);
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }

  bytes(tag: number, v: Uint8Array): void {
    this.byte(tag);
    this.varint(v.length);
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  string(tag: number, s: string): void {
    this.byte(tag);
    const n = s.length;
    if (n < 128) {
      // Short ASCII (every event key/value in practice): one length byte, copy char codes.
      this.ensure(1 + n);
      const b = this.buf;
      const start = this.pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[start + i] = c;
      }
      if (i === n) {
        b[this.pos] = n;
        this.pos = start + n;
        return;
      }
    }
    // cosmjs-types' own UTF-8 routines, so odd strings (lone surrogates) encode exactly as before.
    const len = utf8Length(s);
    this.varint(len);
    this.ensure(len);
    this.pos += utf8Write(s, this.buf, this.pos);
  }

  /** Starts a length-delimited field; returns the mark to pass to `end`. */
  begin(tag: number): number {
    this.byte(tag);
    this.byte(0); // length placeholder (1 byte)
    return this.pos;
  }

  /** Tag given as two bytes (field numbers 16..2047). */
  begin2(tag0: number, tag1: number): number {
    this.byte(tag0);
    return this.begin(tag1);
  }

  end(mark: number): void {
    const len = this.pos - mark;
    if (len < 0x80) {
      this.buf[mark - 1] = len;
      return;
    }
    const extra = uvarintSize(len) - 1;
    this.ensure(extra);
    this.buf.copyWithin(mark + extra, mark, this.pos);
    putUvarint(this.buf, mark - 1, len);
    this.pos += extra;
  }

  /** Puts the uvarint body length in front of the body written since reset(); returns the frame's start. */
  frameStart(): number {
    const bodyLen = this.pos - FRAME_HEADER_ROOM;
    const start = FRAME_HEADER_ROOM - uvarintSize(bodyLen);
    putUvarint(this.buf, start, bodyLen);
    return start;
  }

  /** Copies out the frame: uvarint body length in front of the body written since reset(). */
  frame(): Buffer {
    const start = this.frameStart();
    const out = Buffer.allocUnsafe(this.pos - start);
    this.buf.copy(out, 0, start, this.pos);
    return out;
  }
}

const w = new ScratchWriter();

function writeEvents(events: readonly Event[], tag: number): void {
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const m = w.begin(tag);
    if (e.type !== "") w.string(0x0a, e.type);
    const attrs = e.attributes;
    for (let j = 0; j < attrs.length; j++) {
      const a = attrs[j]!;
      const am = w.begin(0x12);
      if (a.key !== "") w.string(0x0a, a.key);
      if (a.value !== "") w.string(0x12, a.value);
      if (a.index === true) {
        w.byte(0x18);
        w.byte(1);
      }
      w.end(am);
    }
    w.end(m);
  }
}

/** ResponseCheckTx and ExecTxResult share field numbers 1–8 (ExecTxResult has no more). */
function writeTxResultBody(r: ResponseCheckTx | ExecTxResult): void {
  if (r.code !== 0) {
    w.byte(0x08);
    w.varint(r.code >>> 0);
  }
  if (r.data.length !== 0) w.bytes(0x12, r.data);
  if (r.log !== "") w.string(0x1a, r.log);
  if (r.info !== "") w.string(0x22, r.info);
  if (r.gasWanted !== 0n) {
    w.byte(0x28);
    w.int64(r.gasWanted);
  }
  if (r.gasUsed !== 0n) {
    w.byte(0x30);
    w.int64(r.gasUsed);
  }
  writeEvents(r.events, 0x3a);
  if (r.codespace !== "") w.string(0x42, r.codespace);
}

function checkTxFrame(r: ResponseCheckTx): Buffer {
  w.reset();
  const m = w.begin(0x4a); // Response.check_tx = 9
  writeTxResultBody(r);
  w.end(m);
  return w.frame();
}

/** Writes the CheckTx answer's frame into the scratch writer; returns where it starts (it ends at w.pos). */
function checkTxFrameInScratch(r: ResponseCheckTx): number {
  w.reset();
  const m = w.begin(0x4a);
  writeTxResultBody(r);
  w.end(m);
  return w.frameStart();
}

function finalizeBlockFrame(r: ResponseFinalizeBlock): Buffer {
  w.reset();
  const m = w.begin2(0xaa, 0x01); // Response.finalize_block = 21
  writeEvents(r.events, 0x0a);
  for (let i = 0; i < r.txResults.length; i++) {
    const tm = w.begin(0x12);
    writeTxResultBody(r.txResults[i]!);
    w.end(tm);
  }
  for (const v of r.validatorUpdates) w.bytes(0x1a, ValidatorUpdate.encode(v).finish());
  if (r.consensusParamUpdates !== undefined) w.bytes(0x22, ConsensusParams.encode(r.consensusParamUpdates).finish());
  if (r.appHash.length !== 0) w.bytes(0x2a, r.appHash);
  w.end(m);
  return w.frame();
}

/**
 * Frames of the responses a connection produces back to back, gathered into one buffer and
 * written once: no Buffer per answer, one socket write per run of requests instead of two
 * (answer + Flush) per CheckTx.
 */
export class FrameBatch {
  private buf: Buffer = Buffer.allocUnsafe(16 * 1024);
  private pos = 0;

  get length(): number {
    return this.pos;
  }

  append(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    if (this.pos + n > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < this.pos + n) size *= 2;
      const next = Buffer.allocUnsafe(size);
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
    this.buf.set(start === 0 && end === src.length ? src : src.subarray(start, end), this.pos);
    this.pos += n;
  }

  /** Appends the frame of `res` (a CheckTx answer is written straight from the codec's scratch). */
  appendResponse(res: Response): void {
    if (res.checkTx !== undefined && hasOnly(res, "checkTx")) this.appendCheckTx(res.checkTx);
    else this.append(encodeResponseFrame(res));
  }

  /** Appends the frame of Response{check_tx: r}. */
  appendCheckTx(r: ResponseCheckTx): void {
    const start = checkTxFrameInScratch(r);
    this.append(w.buf, start, w.pos);
  }

  /** The gathered bytes as a fresh Buffer (the caller writes it), leaving the batch empty. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    this.pos = 0;
    if (this.buf.length > 1024 * 1024) this.buf = Buffer.allocUnsafe(16 * 1024); // do not keep a big block's worth
    return out;
  }
}

/** The framed bytes of `res` (fast path for CheckTx and FinalizeBlock answers). */
export function encodeResponseFrame(res: Response): Buffer {
  if (res.checkTx !== undefined && hasOnly(res, "checkTx")) return checkTxFrame(res.checkTx);
  if (res.finalizeBlock !== undefined && hasOnly(res, "finalizeBlock")) return finalizeBlockFrame(res.finalizeBlock);
  return encodeFrame(Response.encode(res).finish());
}

/** True when `key` is the only field set (the server builds `{[method]: value}`; anything else takes the generic path). */
function hasOnly(res: Response, key: keyof Response): boolean {
  for (const k in res) if (k !== key && (res as Record<string, unknown>)[k] !== undefined) return false;
  return true;
}

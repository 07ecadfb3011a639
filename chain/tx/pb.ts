/**
 * Minimal hand-written protobuf encoders for the hot path (sign bytes, accounts, tx results).
 * Byte-identical to the canonical (ascending fields, defaults omitted) encoding that cosmjs-types
 * and Go produce; tests compare them against cosmjs-types on random inputs.
 */
const te = new TextEncoder();

export class PbWriter {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.pos));
    this.buf = b;
  }

  varint(v: number | bigint): this {
    this.ensure(10);
    if (typeof v === "number" && v < 0x80000000 && v >= 0) {
      while (v > 127) {
        this.buf[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.buf[this.pos++] = v;
      return this;
    }
    let b = BigInt.asUintN(64, BigInt(v));
    while (b > 127n) {
      this.buf[this.pos++] = Number(b & 0x7fn) | 0x80;
      b >>= 7n;
    }
    this.buf[this.pos++] = Number(b);
    return this;
  }

  tag(field: number, wt: number): this {
    return this.varint(field * 8 + wt);
  }

  bytesField(field: number, b: Uint8Array): this {
    if (b.length === 0) return this;
    this.tag(field, 2).varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** A length-delimited field even when empty (repeated/message fields that must appear). */
  bytesFieldAlways(field: number, b: Uint8Array): this {
    this.tag(field, 2).varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  stringField(field: number, s: string): this {
    return s.length === 0 ? this : this.bytesField(field, te.encode(s));
  }

  uint64Field(field: number, v: bigint): this {
    return v === 0n ? this : this.tag(field, 0).varint(v);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** Starts over in the same buffer (a writer reused for short-lived encodings). */
  reset(): this {
    this.pos = 0;
    return this;
  }

  /** The bytes written so far, as a view valid until the next write or reset (no copy). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/** cosmos.tx.v1beta1.SignDoc */
export function encodeSignDoc(bodyBytes: Uint8Array, authInfoBytes: Uint8Array, chainId: string, accountNumber: bigint): Uint8Array {
  return new PbWriter(bodyBytes.length + authInfoBytes.length + chainId.length + 32)
    .bytesField(1, bodyBytes)
    .bytesField(2, authInfoBytes)
    .stringField(3, chainId)
    .uint64Field(4, accountNumber)
    .finish();
}

/**
 * The SignDoc's bytes in a writer reused across calls, for callers that only hash them (the
 * signature digest): no buffer allocation and no copy per tx. The view is valid until the next call.
 */
const signDocWriter = new PbWriter(1024);
let lastChainId = "";
let lastChainIdBytes = new Uint8Array(0);
export function signDocScratch(bodyBytes: Uint8Array, authInfoBytes: Uint8Array, chainId: string, accountNumber: bigint): Uint8Array {
  if (chainId !== lastChainId) {
    lastChainIdBytes = te.encode(chainId);
    lastChainId = chainId;
  }
  return signDocWriter.reset().bytesField(1, bodyBytes).bytesField(2, authInfoBytes).bytesField(3, lastChainIdBytes).uint64Field(4, accountNumber).view();
}

/** google.protobuf.Any */
export function encodeAny(typeUrl: string, value: Uint8Array): Uint8Array {
  return new PbWriter(typeUrl.length + value.length + 8).stringField(1, typeUrl).bytesField(2, value).finish();
}

/**
 * TxMsgData of one response with an empty value (MsgSendResponse, ...) by type URL: a constant,
 * copied out per tx (the result's bytes are the caller's).
 */
const singleEmpty = new Map<string, Uint8Array>();

/** cosmos.base.abci.v1beta1.TxMsgData{msg_responses} */
export function encodeTxMsgData(responses: readonly { typeUrl: string; value: Uint8Array }[]): Uint8Array {
  if (responses.length === 1 && responses[0].value.length === 0) {
    const t = responses[0].typeUrl;
    let b = singleEmpty.get(t);
    if (b === undefined) {
      b = encodeTxMsgDataSlow(responses);
      if (singleEmpty.size >= 256) singleEmpty.clear(); // only registered message types reach here
      singleEmpty.set(t, b);
    }
    return b.slice();
  }
  return encodeTxMsgDataSlow(responses);
}

function encodeTxMsgDataSlow(responses: readonly { typeUrl: string; value: Uint8Array }[]): Uint8Array {
  const w = new PbWriter(64 * responses.length + 8);
  for (const r of responses) w.bytesFieldAlways(2, encodeAny(r.typeUrl, r.value));
  return w.finish();
}

import { Request, Response } from "cosmjs-types/tendermint/abci/types";
import { encodeFrame, encodeUvarint, FrameDecoder, FramingError, MAX_FRAME_BYTES } from "./framing";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

describe("ABCI framing (uvarint, CometBFT v0.38)", () => {
  test("known vectors from the CometBFT encoders", () => {
    expect(hex(encodeFrame(Request.encode({ flush: {} }).finish()))).toBe("021200");
    expect(hex(encodeFrame(Response.encode({ flush: {} }).finish()))).toBe("021a00");
    expect(hex(Response.encode({ echo: { message: "hi" } }).finish())).toBe("12040a026869");
    expect(hex(Response.encode({ commit: { retainHeight: 0n } }).finish())).toBe("6200");
    const info = Request.encode({ info: { version: "0.38.25", blockVersion: 11n, p2pVersion: 8n, abciVersion: "2.0.0" } }).finish();
    expect(hex(info)).toBe("1a140a07302e33382e3235100b18082205322e302e30");
  });

  test("uvarint lengths use unsigned (not zigzag) encoding, including multi-byte and the max", () => {
    expect(hex(encodeUvarint(0))).toBe("00");
    expect(hex(encodeUvarint(127))).toBe("7f");
    expect(hex(encodeUvarint(128))).toBe("8001");
    expect(hex(encodeUvarint(300))).toBe("ac02");
    expect(hex(encodeUvarint(MAX_FRAME_BYTES))).toBe("ffffffff07");
    expect(() => encodeUvarint(MAX_FRAME_BYTES + 1)).toThrow(FramingError);
  });

  test("concatenated frames in one chunk come out in order", () => {
    const bodies = [Buffer.from("a"), Buffer.alloc(0), Buffer.alloc(300, 7), Buffer.from("zz")];
    const d = new FrameDecoder();
    const out = d.push(Buffer.concat(bodies.map(encodeFrame)));
    expect(out.map(hex)).toEqual(bodies.map(hex));
    expect(d.pendingBytes).toBe(0);
  });

  test("frames split at every byte boundary (header and body) reassemble", () => {
    const flush = Buffer.from([0x12, 0x00]); // returned as one shared Buffer when it lies in one chunk
    const bodies = [Buffer.alloc(200, 1), flush, Buffer.from("hello"), flush, Buffer.from([0x12, 0x01]), Buffer.alloc(129, 3), flush];
    const wire = Buffer.concat(bodies.map(encodeFrame));
    for (let cut = 1; cut < wire.length; cut++) {
      const d = new FrameDecoder();
      const out = [...d.push(wire.subarray(0, cut)), ...d.push(wire.subarray(cut))];
      expect(out.map(hex)).toEqual(bodies.map(hex));
    }
    // one byte at a time
    const d = new FrameDecoder();
    const out: Buffer[] = [];
    for (const b of wire) out.push(...d.push(Buffer.from([b])));
    expect(out.map(hex)).toEqual(bodies.map(hex));
  });

  test("a 25 MB frame delivered in 64 KiB chunks (bigger than a 22 MB block)", () => {
    const body = Buffer.alloc(25 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4096) body[i] = i % 251;
    const wire = encodeFrame(body);
    const d = new FrameDecoder();
    const out: Buffer[] = [];
    for (let i = 0; i < wire.length; i += 65536) out.push(...d.push(wire.subarray(i, i + 65536)));
    expect(out).toHaveLength(1);
    expect(out[0]!.equals(body)).toBe(true);
  });

  test("2 GiB limit: length 2^31-1 is accepted (waits for the body), 2^31 is rejected", () => {
    const ok = new FrameDecoder();
    expect(ok.push(Buffer.from("ffffffff07", "hex"))).toEqual([]);
    expect(ok.pendingBytes).toBe(0);
    const tooBig = new FrameDecoder();
    expect(() => tooBig.push(Buffer.from("8080808008", "hex"))).toThrow(/exceeds the limit of 2147483647/);
    const tooLong = new FrameDecoder();
    expect(() => tooLong.push(Buffer.from("ffffffffff01", "hex"))).toThrow(FramingError);
    expect(() => tooLong.push(Buffer.from("00", "hex"))).toThrow(FramingError);
  });

  test("a configurable lower limit rejects bigger frames", () => {
    const d = new FrameDecoder(100);
    expect(() => d.push(encodeUvarint(101))).toThrow(/exceeds the limit of 100/);
  });
});

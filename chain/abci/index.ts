export { AbciServer, parseAddress, requestMethod } from "./server";
export type { AbciApplication, AbciServerOptions, AbciMethod, ParsedAddress } from "./server";
export { FrameDecoder, FramingError, encodeFrame, encodeUvarint, MAX_FRAME_BYTES } from "./framing";

/**
 * bank messages: MsgSend and MsgMultiSend (cosmos.bank.v1beta1). Decoding is strict (unknown
 * fields rejected); validateBasic does the stateless checks; handle moves the coins.
 */
import { Input, Output } from "cosmjs-types/cosmos/bank/v1beta1/bank";
import { MsgMultiSend, MsgMultiSendResponse, MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import type { Context, MsgHandler } from "../../chain/app/types";
import { fromBech32 } from "../../chain/crypto/address";
import { CoinSchema, strictDecode, type MessageSchema } from "../../chain/tx/wire";
import { addCoins, coinsEqual, coinsToString, parseCoins, type BigCoin } from "./coins";
import { bankErrors } from "./errors";
import type { BankKeeper } from "./keeper";

export const MSG_SEND = "/cosmos.bank.v1beta1.MsgSend";
export const MSG_MULTI_SEND = "/cosmos.bank.v1beta1.MsgMultiSend";
/** Most outputs in one MsgMultiSend (bounds the work of one message). */
export const MAX_MULTISEND_OUTPUTS = 1000;

export const MsgSendSchema: MessageSchema = {
  name: "cosmos.bank.v1beta1.MsgSend",
  fields: {
    1: { name: "from_address", kind: "string" },
    2: { name: "to_address", kind: "string" },
    3: { name: "amount", kind: "message", repeated: true, msg: CoinSchema },
  },
};

const IOSchema = (name: string): MessageSchema => ({
  name,
  fields: { 1: { name: "address", kind: "string" }, 2: { name: "coins", kind: "message", repeated: true, msg: CoinSchema } },
});

export const MsgMultiSendSchema: MessageSchema = {
  name: "cosmos.bank.v1beta1.MsgMultiSend",
  fields: {
    1: { name: "inputs", kind: "message", repeated: true, msg: IOSchema("cosmos.bank.v1beta1.Input") },
    2: { name: "outputs", kind: "message", repeated: true, msg: IOSchema("cosmos.bank.v1beta1.Output") },
  },
};

function checkSendEnabled(ctx: Context, keeper: BankKeeper, coins: readonly BigCoin[]): void {
  for (const c of coins) {
    if (!keeper.isSendEnabled(ctx, c.denom)) throw bankErrors.SendDisabled.wrap(`${c.denom} transfers are currently disabled`);
  }
}

export interface ParsedSend {
  readonly from: Uint8Array;
  readonly to: Uint8Array;
  readonly coins: BigCoin[];
  /** coinsToString(coins), for the events. */
  readonly amount: string;
}

const EMPTY = new Uint8Array(0);

/** ASCII string of b[start, stop), or undefined. */
function asciiAt(b: Uint8Array, start: number, stop: number): string | undefined {
  for (let i = start; i < stop; i++) if (b[i] > 0x7f) return undefined;
  return String.fromCharCode.apply(null, b.subarray(start, stop) as unknown as number[]);
}

/**
 * MsgSend in its common shape, in one pass: from_address, to_address, then amount coins
 * (denom, amount), each field at most once except the coins and in that order, one-byte
 * lengths, ASCII strings. Anything else is undefined and takes the strict generic decode, which
 * gives the same object for every input accepted here (test: modules/bank/msgs-fast.test.ts).
 */
export function decodeMsgSendFast(b: Uint8Array): MsgSend | undefined {
  const n = b.length;
  let pos = 0;
  let fromAddress = "";
  let toAddress = "";
  const amount: { denom: string; amount: string }[] = [];
  let last = 0;
  while (pos < n) {
    const t = b[pos++];
    const num = t >> 3;
    if ((t & 7) !== 2 || num < 1 || num > 3 || num < last || (num === last && num !== 3) || pos >= n) return undefined;
    last = num;
    const len = b[pos++];
    if (len >= 0x80 || pos + len > n) return undefined;
    const end = pos + len;
    if (num === 3) {
      let denom = "";
      let amt = "";
      let cl = 0;
      while (pos < end) {
        const ct = b[pos++];
        if ((ct !== 0x0a && ct !== 0x12) || ct >> 3 <= cl || pos >= end) return undefined;
        cl = ct >> 3;
        const sl = b[pos++];
        if (sl >= 0x80 || pos + sl > end) return undefined;
        const str = asciiAt(b, pos, pos + sl);
        if (str === undefined) return undefined;
        if (ct === 0x0a) denom = str;
        else amt = str;
        pos += sl;
      }
      amount.push({ denom, amount: amt });
    } else {
      const str = asciiAt(b, pos, end);
      if (str === undefined) return undefined;
      if (num === 1) fromAddress = str;
      else toAddress = str;
      pos = end;
    }
  }
  return { fromAddress, toAddress, amount };
}

/** validateBasic's parse, kept per decoded message and reused by handle (a pure function of the message). */
const parsedSends = new WeakMap<MsgSend, ParsedSend>();

/** The MsgSend's addresses, coins and coins string; throws validateBasic's error for a bad message. */
export function parseMsgSend(m: MsgSend): ParsedSend {
  let p = parsedSends.get(m);
  if (!p) {
    const from = fromBech32(m.fromAddress, "from_address");
    const to = fromBech32(m.toAddress, "to_address");
    const coins = parseCoins(m.amount, "amount");
    p = { from, to, coins, amount: coinsToString(coins) };
    parsedSends.set(m, p);
  }
  return p;
}

export function msgSendHandler(keeper: BankKeeper): MsgHandler<MsgSend> {
  // validateBasic's parse is reused by handle (same decoded object): one bech32/coins parse per message.
  const parse = parseMsgSend;
  return {
    typeUrl: MSG_SEND,
    decode: (b) => decodeMsgSendFast(b) ?? strictDecode(b, MsgSendSchema, MsgSend.decode),
    signers: (m) => [m.fromAddress],
    validateBasic: (m) => void parse(m),
    handle(ctx, m) {
      const { from, to, coins, amount } = parse(m);
      checkSendEnabled(ctx, keeper, coins);
      keeper.assertNotBlocked(ctx, to, m.toAddress);
      // The addresses parsed, so the message's strings are their canonical bech32 forms.
      keeper.sendCoinsKnown(ctx, from, m.fromAddress, to, m.toAddress, coins, amount);
      return { typeUrl: "/cosmos.bank.v1beta1.MsgSendResponse", value: EMPTY };
    },
  };
}

function parseIO(io: Input | Output, path: string): { addr: Uint8Array; coins: BigCoin[] } {
  return { addr: fromBech32(io.address, `${path}.address`), coins: parseCoins(io.coins, `${path}.coins`) };
}

export function msgMultiSendHandler(keeper: BankKeeper): MsgHandler<MsgMultiSend> {
  const validate = (m: MsgMultiSend) => {
    // SDK ≥ 0.46: exactly one input, so a single account signs.
    if (m.inputs.length === 0) throw bankErrors.NoInputs.wrap("MsgMultiSend needs exactly one input");
    if (m.inputs.length > 1) throw bankErrors.MultipleSenders.wrap(`MsgMultiSend has ${m.inputs.length} inputs; exactly one is allowed`);
    if (m.outputs.length === 0) throw bankErrors.NoOutputs.wrap("MsgMultiSend needs at least one output");
    if (m.outputs.length > MAX_MULTISEND_OUTPUTS) {
      throw bankErrors.NoOutputs.wrap(`MsgMultiSend has ${m.outputs.length} outputs; at most ${MAX_MULTISEND_OUTPUTS} are allowed`);
    }
    const input = parseIO(m.inputs[0], "inputs[0]");
    const outputs = m.outputs.map((o, i) => parseIO(o, `outputs[${i}]`));
    if (!coinsEqual(input.coins, addCoins(...outputs.map((o) => o.coins)))) {
      throw bankErrors.InputOutputMismatch.wrap("the input's coins must equal the sum of the outputs' coins");
    }
    return { input, outputs };
  };
  return {
    typeUrl: MSG_MULTI_SEND,
    decode: (b) => strictDecode(b, MsgMultiSendSchema, MsgMultiSend.decode),
    signers: (m) => (m.inputs.length > 0 ? [m.inputs[0].address] : []),
    validateBasic: (m) => void validate(m),
    handle(ctx, m) {
      const { input, outputs } = validate(m);
      checkSendEnabled(ctx, keeper, input.coins);
      outputs.forEach((o, i) => keeper.assertNotBlocked(ctx, o.addr, m.outputs[i].address));
      keeper.subtractCoins(ctx, input.addr, input.coins);
      for (let i = 0; i < outputs.length; i++) {
        const o = outputs[i];
        keeper.addCoins(ctx, o.addr, o.coins);
        keeper.accounts.ensureAccountExists(ctx, o.addr);
        ctx.events.emit("transfer", [
          ["recipient", m.outputs[i].address],
          ["sender", m.inputs[0].address],
          ["amount", coinsToString(o.coins)],
        ]);
      }
      return { typeUrl: "/cosmos.bank.v1beta1.MsgMultiSendResponse", value: MsgMultiSendResponse.encode({}).finish() };
    },
  };
}

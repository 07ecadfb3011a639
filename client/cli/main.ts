/**
 * The `hashgrid` CLI: keys (mnemonic keyring), tx bank send, queries, status — plus the node
 * commands (start, init, devnet, localnet, export, validate-genesis) from chain/node.
 *
 *   hashgrid keys add alice
 *   hashgrid tx bank send alice grid1... 1000ugrid --gas auto
 *   hashgrid query bank balances alice
 *
 * Global flags: --node (default $HASHGRID_NODE or http://127.0.0.1:26657), --output text|json,
 * --keyring-dir (default $HASHGRID_KEYRING_DIR or ~/.hashgrid).
 */
import * as readline from "node:readline";
import { Command, Option } from "commander";
import { calculateFee, GasPrice, StargateClient, type StdFee } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { registerNodeCommands, runProgram } from "../../chain/node/commands";
import { fromBech32 } from "../../chain/crypto/address";
import { parseCoinsString } from "../../modules/bank/coins";
import { connectSigning, HASHGRID, walletFromMnemonic } from "../index";
import { HASHGRID_VERSION } from "../../chain/tx/service";
import { Keyring, KeyringError } from "./keyring";

interface GlobalOpts {
  node: string;
  output: "text" | "json";
  keyringDir?: string;
}

export class CliError extends Error {}

function globals(cmd: Command): GlobalOpts {
  return cmd.optsWithGlobals() as GlobalOpts;
}

function keyring(g: GlobalOpts): Keyring {
  return new Keyring(g.keyringDir);
}

function print(g: GlobalOpts, json: unknown, text: string): void {
  if (g.output === "json") console.log(JSON.stringify(json, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2));
  else console.log(text);
}

async function prompt(question: string, hidden = false): Promise<string> {
  if (!process.stdin.isTTY) {
    // Non-interactive: read one line from stdin.
    const rl = readline.createInterface({ input: process.stdin });
    for await (const line of rl) {
      rl.close();
      return line;
    }
    return "";
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  if (hidden) {
    const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WriteStream };
    out._writeToOutput = (s: string) => {
      if (s.startsWith(question)) out.output.write(question);
    };
  }
  return new Promise((resolve) =>
    rl.question(question, (a) => {
      rl.close();
      if (hidden) process.stdout.write("\n");
      resolve(a);
    }),
  );
}

async function passphraseFor(kr: Keyring, name: string): Promise<string | undefined> {
  if (!kr.isEncrypted(name)) return undefined;
  if (process.env.HASHGRID_KEYRING_PASSPHRASE) return process.env.HASHGRID_KEYRING_PASSPHRASE;
  if (!process.stdin.isTTY) throw new KeyringError(`key "${name}" is encrypted: set HASHGRID_KEYRING_PASSPHRASE`);
  return prompt(`passphrase for ${name}: `, true);
}

async function newPassphrase(encrypt: boolean): Promise<string | undefined> {
  if (!encrypt) return undefined;
  if (process.env.HASHGRID_KEYRING_PASSPHRASE) return process.env.HASHGRID_KEYRING_PASSPHRASE;
  if (!process.stdin.isTTY) throw new KeyringError("--encrypt needs a passphrase: set HASHGRID_KEYRING_PASSPHRASE or run in a terminal");
  const a = await prompt("new passphrase: ", true);
  const b = await prompt("repeat passphrase: ", true);
  if (a !== b) throw new KeyringError("the passphrases do not match");
  if (a.length < 8) throw new KeyringError("use a passphrase of at least 8 characters");
  return a;
}

/** An address, or the name of a key in the keyring. */
function resolveAddress(g: GlobalOpts, s: string): string {
  if (s.startsWith(`${HASHGRID.bech32Prefix}1`)) {
    try {
      fromBech32(s);
      return s;
    } catch (e) {
      throw new CliError(`"${s}" is not a valid Hashgrid address: ${(e as Error).message}`);
    }
  }
  return keyring(g).get(s).address;
}

function nodeError(g: GlobalOpts, e: unknown): Error {
  const msg = (e as Error)?.message ?? String(e);
  if (/ECONNREFUSED|fetch failed|socket hang up|ENOTFOUND|EHOSTUNREACH/i.test(msg)) {
    return new CliError(`cannot reach a node at ${g.node} (${msg}). Is it running? Start a devnet with \`npm start\`, or pass --node http://host:26657`);
  }
  return e instanceof Error ? e : new Error(msg);
}

async function queryClient(g: GlobalOpts): Promise<StargateClient> {
  try {
    return await StargateClient.create(await Comet38Client.connect(g.node));
  } catch (e) {
    throw nodeError(g, e);
  }
}

export function buildProgram(): Command {
  const program = new Command("hashgrid")
    .description("Hashgrid: a Cosmos-style chain for hashrate and compute. Keys, transactions, queries, and the node itself.")
    .addOption(new Option("--node <url>", "CometBFT RPC of a Hashgrid node").default(process.env.HASHGRID_NODE ?? "http://127.0.0.1:26657"))
    .addOption(new Option("-o, --output <format>", "text or json").choices(["text", "json"]).default("text"))
    .option("--keyring-dir <dir>", "keyring directory (default $HASHGRID_KEYRING_DIR or ~/.hashgrid)")
    .version(HASHGRID_VERSION, "-v, --version")
    .showHelpAfterError("(run with --help for usage)");

  // ------------------------------------------------------------------ keys
  const keys = program.command("keys").description("manage the local keyring (mnemonics in <keyring-dir>/keyring.json, mode 0600)");
  keys
    .command("add <name>")
    .description("create a new key (24-word mnemonic); prints the mnemonic ONCE — write it down")
    .option("--recover", "read an existing mnemonic instead of creating one (same as `keys recover`)")
    .option("--encrypt", "encrypt the mnemonic with a passphrase ($HASHGRID_KEYRING_PASSPHRASE or asked)")
    .action(async (name: string, o: { recover?: boolean; encrypt?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const mnemonic = o.recover ? (await prompt("enter your BIP-39 mnemonic: ")).trim() : undefined;
      const { record, mnemonic: m } = await keyring(g).add(name, { mnemonic, passphrase: await newPassphrase(!!o.encrypt) });
      const show = !o.recover;
      print(
        g,
        { name: record.name, address: record.address, pubkey: record.pubkey, ...(show ? { mnemonic: m } : {}) },
        `- name: ${record.name}\n  address: ${record.address}\n  pubkey: ${record.pubkey}` +
          (show ? `\n\n**Write this mnemonic down and keep it safe; it is the only way to recover the key:**\n\n${m}\n` : ""),
      );
    });
  keys
    .command("recover <name>")
    .description("add a key from an existing mnemonic (read from stdin or asked)")
    .option("--encrypt", "encrypt the mnemonic with a passphrase")
    .action(async (name: string, o: { encrypt?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const mnemonic = (await prompt("enter your BIP-39 mnemonic: ")).trim();
      const { record } = await keyring(g).add(name, { mnemonic, passphrase: await newPassphrase(!!o.encrypt) });
      print(g, { name: record.name, address: record.address, pubkey: record.pubkey }, `- name: ${record.name}\n  address: ${record.address}`);
    });
  keys
    .command("list")
    .description("list keys")
    .action((_o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const list = keyring(g).list();
      print(
        g,
        list.map((k) => ({ name: k.name, address: k.address, pubkey: k.pubkey, encrypted: keyring(g).isEncrypted(k.name) })),
        list.length ? list.map((k) => `- name: ${k.name}\n  address: ${k.address}`).join("\n") : "no keys yet; create one with: hashgrid keys add <name>",
      );
    });
  keys
    .command("show <name>")
    .description("show a key's address and public key")
    .option("-a, --address", "print only the address")
    .action((name: string, o: { address?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const k = keyring(g).get(name);
      if (o.address) return void console.log(k.address);
      print(g, { name: k.name, address: k.address, pubkey: k.pubkey, hd_path: k.hd_path }, `- name: ${k.name}\n  address: ${k.address}\n  pubkey: ${k.pubkey}\n  hd_path: ${k.hd_path}`);
    });
  keys
    .command("delete <name>")
    .description("delete a key (you need its mnemonic to get it back)")
    .option("-y, --yes", "do not ask for confirmation")
    .action(async (name: string, o: { yes?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const kr = keyring(g);
      kr.get(name);
      if (!o.yes) {
        if (!process.stdin.isTTY) throw new CliError("refusing to delete without confirmation: pass --yes");
        const a = await prompt(`delete key "${name}"? this cannot be undone without its mnemonic [y/N] `);
        if (!/^y(es)?$/i.test(a.trim())) return void console.log("aborted");
      }
      kr.delete(name);
      print(g, { deleted: name }, `deleted key ${name}`);
    });

  // ------------------------------------------------------------------ tx
  const tx = program.command("tx").description("sign and broadcast transactions");
  const txBank = tx.command("bank").description("bank transactions");
  txBank
    .command("send <from> <to> <amount>")
    .description("send coins: <from> is a key name, <to> an address or key name, <amount> like 1000ugrid")
    .option("--fees <coins>", "fee to pay, e.g. 500ugrid (default: gas × --gas-prices)")
    .option("--gas <limit>", 'gas limit or "auto" (simulate first)', "auto")
    .option("--gas-adjustment <x>", "multiplier applied to simulated gas with --gas auto", "1.4")
    .option("--gas-prices <price>", "gas price used to compute the fee", HASHGRID.defaultGasPrice)
    .option("--memo <text>", "memo", "")
    .option("--chain-id <id>", "expected chain id (checked against the node)")
    .option("--sync", "return after CheckTx instead of waiting for the block")
    .action(async (fromName: string, toArg: string, amountArg: string, o: { fees?: string; gas: string; gasAdjustment: string; gasPrices: string; memo: string; chainId?: string; sync?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const kr = keyring(g);
      const from = kr.get(fromName);
      const to = resolveAddress(g, toArg);
      let amount;
      try {
        amount = parseCoinsString(amountArg, "amount");
      } catch (e) {
        throw new CliError(`${(e as Error).message}`);
      }
      if (amount.length === 0) throw new CliError("amount is empty; use e.g. 1000ugrid");
      const wallet = await walletFromMnemonic(kr.mnemonic(fromName, await passphraseFor(kr, fromName)));
      let client;
      try {
        client = await connectSigning(g.node, wallet, { gasPrice: GasPrice.fromString(o.gasPrices), broadcastPollIntervalMs: 500, broadcastTimeoutMs: 60_000 });
      } catch (e) {
        throw nodeError(g, e);
      }
      const chainId = await client.getChainId();
      if (o.chainId && o.chainId !== chainId) throw new CliError(`the node at ${g.node} runs chain "${chainId}", not "${o.chainId}"; fix --chain-id or --node`);
      const msg = { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: from.address, toAddress: to, amount: amount.map((c) => ({ denom: c.denom, amount: c.amount.toString() })) } };
      if (!(await client.getAccount(from.address))) {
        throw new CliError(`account ${from.address} (${fromName}) does not exist on ${chainId} yet: it must receive funds first (e.g. from a devnet dev account)`);
      }
      let gasLimit: number;
      if (o.gas === "auto") {
        const used = await client.simulate(from.address, [msg], o.memo);
        gasLimit = Math.ceil(used * Number(o.gasAdjustment));
      } else {
        if (!/^[0-9]+$/.test(o.gas)) throw new CliError(`--gas must be a number or "auto", got "${o.gas}"`);
        gasLimit = Number(o.gas);
      }
      const fee: StdFee = o.fees
        ? { amount: parseCoinsString(o.fees, "--fees").map((c) => ({ denom: c.denom, amount: c.amount.toString() })), gas: String(gasLimit) }
        : calculateFee(gasLimit, GasPrice.fromString(o.gasPrices));
      if (o.sync) {
        const hash = await client.signAndBroadcastSync(from.address, [msg], fee, o.memo);
        print(g, { txhash: hash, gas_wanted: fee.gas, fee: fee.amount }, `txhash: ${hash}\n(check inclusion with: hashgrid query tx ${hash})`);
      } else {
        const r = await client.signAndBroadcast(from.address, [msg], fee, o.memo);
        const ok = r.code === 0;
        print(
          g,
          { txhash: r.transactionHash, height: r.height, code: r.code, gas_wanted: r.gasWanted, gas_used: r.gasUsed, fee: fee.amount, raw_log: r.rawLog ?? "" },
          `${ok ? "committed" : "FAILED"} in block ${r.height}\ntxhash: ${r.transactionHash}\ngas: ${r.gasUsed} used / ${r.gasWanted} wanted\nfee: ${fee.amount.map((c) => c.amount + c.denom).join(",")}` +
            (ok ? "" : `\ncode: ${r.code}\nlog: ${r.rawLog ?? ""}`),
        );
        if (!ok) process.exitCode = 1;
      }
      client.disconnect();
    });

  // ------------------------------------------------------------------ query
  const q = program.command("query").alias("q").description("query chain state");
  const qBank = q.command("bank").description("bank queries");
  qBank
    .command("balances <address>")
    .description("balances of an address (or key name)")
    .option("--denom <denom>", "only this denom")
    .action(async (addr: string, o: { denom?: string }, cmd: Command) => {
      const g = globals(cmd);
      const address = resolveAddress(g, addr);
      const c = await queryClient(g);
      const balances = o.denom ? [await c.getBalance(address, o.denom)] : await c.getAllBalances(address);
      print(g, { address, balances }, balances.length ? balances.map((b) => `${b.amount} ${b.denom}`).join("\n") : `no balances (${address})`);
      c.disconnect();
    });
  const qAuth = q.command("auth").description("auth queries");
  qAuth
    .command("account <address>")
    .description("account number, sequence and public key of an address (or key name)")
    .action(async (addr: string, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const address = resolveAddress(g, addr);
      const c = await queryClient(g);
      const a = await c.getAccount(address);
      if (!a) {
        c.disconnect();
        throw new CliError(`account ${address} not found: it exists once it has received funds`);
      }
      print(
        g,
        { address: a.address, account_number: a.accountNumber, sequence: a.sequence, pub_key: a.pubkey },
        `address: ${a.address}\naccount_number: ${a.accountNumber}\nsequence: ${a.sequence}\npub_key: ${a.pubkey ? JSON.stringify(a.pubkey) : "none (set by the account's first tx)"}`,
      );
      c.disconnect();
    });
  q.command("tx <hash>")
    .description("a committed transaction by hash")
    .action(async (hash: string, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      if (!/^[0-9a-fA-F]{64}$/.test(hash)) throw new CliError("a tx hash is 64 hex characters");
      const c = await queryClient(g);
      const t = await c.getTx(hash.toUpperCase());
      c.disconnect();
      if (!t) throw new CliError(`tx ${hash.toUpperCase()} not found (not committed yet, or the node's tx index is off)`);
      print(
        g,
        { txhash: t.hash, height: t.height, index: t.txIndex, code: t.code, gas_wanted: t.gasWanted, gas_used: t.gasUsed, events: t.events, msg_responses: t.msgResponses.map((m) => m.typeUrl) },
        `txhash: ${t.hash}\nheight: ${t.height}\ncode: ${t.code}\ngas: ${t.gasUsed} used / ${t.gasWanted} wanted\nevents:\n` +
          t.events.map((e) => `  ${e.type}: ${e.attributes.map((a) => `${a.key}=${a.value}`).join(" ")}`).join("\n"),
      );
    });

  // ------------------------------------------------------------------ status
  program
    .command("status")
    .description("the node's chain id, latest block and sync state")
    .action(async (_o: unknown, cmd: Command) => {
      const g = globals(cmd);
      let s;
      try {
        const comet = await Comet38Client.connect(g.node);
        s = await comet.status();
        comet.disconnect();
      } catch (e) {
        throw nodeError(g, e);
      }
      const out = {
        chain_id: s.nodeInfo.network,
        moniker: s.nodeInfo.moniker,
        cometbft_version: s.nodeInfo.version,
        latest_block_height: s.syncInfo.latestBlockHeight,
        latest_block_time: s.syncInfo.latestBlockTime.toISOString(),
        catching_up: s.syncInfo.catchingUp,
      };
      print(g, out, Object.entries(out).map(([k, v]) => `${k}: ${v}`).join("\n"));
    });

  registerNodeCommands(program);
  return program;
}

if (require.main === module) {
  const program = buildProgram();
  program.parseAsync(process.argv).catch((e: Error) => {
    const known = e instanceof CliError || e instanceof KeyringError || e.name === "BroadcastTxError" || e.name === "ChainError";
    console.error(`error: ${e.message}`);
    if (!known && process.env.HASHGRID_DEBUG) console.error(e.stack);
    process.exit(1);
  });
}

export { runProgram };

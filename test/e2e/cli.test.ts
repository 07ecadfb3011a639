/**
 * The `hashgrid` CLI end to end (bin/hashgrid as a subprocess, a temp keyring) against a real
 * CometBFT node: keys add/recover/list/show/delete (0600 keyring), tx bank send between two keys
 * the CLI created, query bank balances / auth account / tx, status, and actionable errors.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { DEV_MNEMONIC } from "../../chain/node/devaccounts";
import { startTxNet, type TxNet } from "./helpers/txnet";

const execFileP = promisify(execFile);
const BIN = path.resolve(__dirname, "..", "..", "bin", "hashgrid");

jest.setTimeout(240_000);

describe("hashgrid CLI", () => {
  let net: TxNet | undefined;
  let keyringDir: string;

  async function cli(args: string[], input?: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    const p = execFileP(BIN, ["--node", net!.rpcUrl, "--keyring-dir", keyringDir, ...args], { env: { ...process.env, ...env }, timeout: 120_000 });
    if (input !== undefined) {
      p.child.stdin!.write(input + "\n");
      p.child.stdin!.end();
    }
    try {
      const r = await p;
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, stdout: x.stdout, stderr: x.stderr };
    }
  }
  const json = async (args: string[], input?: string, env?: Record<string, string>) => {
    const r = await cli([...args, "--output", "json"], input, env);
    if (r.code !== 0) throw new Error(`hashgrid ${args.join(" ")} failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    keyringDir = fs.mkdtempSync(path.join(os.tmpdir(), "hashgrid-keyring-"));
    const [dev] = await (await DirectSecp256k1HdWallet.fromMnemonic(DEV_MNEMONIC, { prefix: "grid" })).getAccounts();
    net = await startTxNet({ funds: [{ address: dev.address, coins: [{ denom: "ugrid", amount: "1000000000000" }] }] });
  });
  afterAll(async () => {
    await net?.stop();
    fs.rmSync(keyringDir, { recursive: true, force: true });
  });

  test("keys, send between two created keys, queries, errors", async () => {
    const alice = await json(["keys", "add", "alice"]);
    expect(alice.address).toMatch(/^grid1/);
    expect(alice.mnemonic.split(" ")).toHaveLength(24);
    const bob = await json(["keys", "add", "bob", "--encrypt"], undefined, { HASHGRID_KEYRING_PASSPHRASE: "correct horse battery" });
    const dev = await json(["keys", "recover", "dev"], DEV_MNEMONIC);
    const file = path.join(keyringDir, "keyring.json");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, "utf8")).not.toContain("correct horse"); // bob's mnemonic is encrypted
    const list = await json(["keys", "list"]);
    expect(list.map((k: { name: string }) => k.name)).toEqual(["alice", "bob", "dev"]);
    expect((await cli(["keys", "show", "alice", "-a"])).stdout.trim()).toBe(alice.address);

    // fund alice from the dev account, then alice → bob (two keys the CLI created)
    const fund = await json(["tx", "bank", "send", "dev", "alice", "5000000ugrid"]);
    expect(fund.code).toBe(0);
    const send = await json(["tx", "bank", "send", "alice", bob.address, "1234ugrid", "--gas", "auto", "--memo", "hi bob"]);
    expect(send.code).toBe(0);
    const bal = await json(["query", "bank", "balances", "bob"]);
    expect(bal.balances).toEqual([{ denom: "ugrid", amount: "1234" }]);
    const acc = await json(["query", "auth", "account", "alice"]);
    expect(acc.sequence).toBe(1);
    const t = await json(["query", "tx", send.txhash]);
    expect(t.code).toBe(0);
    expect(t.msg_responses).toEqual(["/cosmos.bank.v1beta1.MsgSendResponse"]);
    // explicit fees, and bob spends with the passphrase
    const back = await json(["tx", "bank", "send", "bob", "alice", "100ugrid", "--gas", "150000", "--fees", "1000ugrid"], undefined, {
      HASHGRID_KEYRING_PASSPHRASE: "correct horse battery",
    });
    expect(back.code).toBe(1 - 1); // committed
    const st = await json(["status"]);
    expect(st.chain_id).toBe(net!.chainId);
    expect(dev.address).toMatch(/^grid1/);

    // errors that say what to do next
    const noKey = await cli(["tx", "bank", "send", "carol", bob.address, "1ugrid"]);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/no key named "carol".*hashgrid keys add carol/);
    const lowFee = await cli(["tx", "bank", "send", "alice", bob.address, "1ugrid", "--gas", "200000", "--fees", "1ugrid"]);
    expect(lowFee.code).toBe(1);
    expect(lowFee.stderr).toMatch(/insufficient fees; got: 1ugrid required: 500ugrid/);
    const badAmount = await cli(["tx", "bank", "send", "alice", bob.address, "12"]);
    expect(badAmount.stderr).toMatch(/is not of the form <amount><denom>, e\.g\. 1000ugrid/);
    const down = await execFileP(BIN, ["--node", "http://127.0.0.1:1", "status"]).catch((e) => e as { stderr: string });
    expect(down.stderr).toMatch(/cannot reach a node at http:\/\/127\.0\.0\.1:1.*npm start/);
    const del = await cli(["keys", "delete", "alice"]);
    expect(del.stderr).toMatch(/pass --yes/);
    expect((await cli(["keys", "delete", "alice", "--yes"])).code).toBe(0);
  });
});

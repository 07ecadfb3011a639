/**
 * `npm start` itself (chain/node/devnet.ts, what the package.json script runs): a fresh devnet
 * prints its RPC/chain id/funded accounts and reaches height 10; Ctrl-C (SIGINT) stops both
 * processes cleanly; running it again resumes the same chain.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { allocatePortBlock } from "./helpers/devnet";
import { rpcStatus, sleep } from "../../chain/node/network";
import { REPO_ROOT } from "../../chain/node/genesis";

jest.setTimeout(180_000);

let home: string;
let basePort: number;
let proc: ChildProcess | undefined;
let out = "";

function startDevnet(): ChildProcess {
  out = "";
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(REPO_ROOT, "chain", "node", "devnet.ts"), "--home", home, "--base-port", String(basePort), "--timeout-commit", "200ms"],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, HASHGRID_DEV_MNEMONIC: "" } },
  );
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  return child;
}

async function waitFor(re: RegExp, ms: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const m = out.match(re);
    if (m) return m;
    if (proc && proc.exitCode !== null) throw new Error(`devnet exited (${proc.exitCode}):\n${out}`);
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${re}:\n${out}`);
}

async function interrupt(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  child.kill("SIGINT");
  return exited;
}

/** Kills processes named in <home>/logs/*.pid that are still alive (only ours: started by the devnet under test). */
function killLeftovers(): void {
  const logs = path.join(home, "logs");
  if (!fs.existsSync(logs)) return;
  for (const f of fs.readdirSync(logs).filter((n) => n.endsWith(".pid"))) {
    const pid = Number(fs.readFileSync(path.join(logs, f), "utf8"));
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
}

function alive(pidFile: string): boolean {
  const pid = Number(fs.readFileSync(path.join(home, "logs", pidFile), "utf8"));
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "hashgrid-devnet-e2e-"));
  fs.rmSync(home, { recursive: true }); // the devnet creates it
  basePort = await allocatePortBlock(10);
});

afterAll(async () => {
  if (proc && proc.exitCode === null) await interrupt(proc);
  killLeftovers();
  fs.rmSync(home, { recursive: true, force: true });
});

test("npm start: fresh devnet, height 10, Ctrl-C stops both, restart resumes the chain", async () => {
  const rpc = `http://127.0.0.1:${basePort + 1}`;
  proc = startDevnet();
  await waitFor(/is running — chain id hashgrid-devnet-1/, 120_000);
  expect(out).toContain(`RPC   ${rpc}`);
  expect(out.match(/^\s+\d+\s+grid1[0-9a-z]{38}$/gm)).toHaveLength(10);
  expect(out).toContain("grid1rx9lk4wtxwnnzsej7hll67jd0wpkplvl5ncrex"); // account 0 of the documented dev mnemonic

  let h = 0;
  for (const deadline = Date.now() + 60_000; h < 10 && Date.now() < deadline; await sleep(200)) h = (await rpcStatus(rpc))?.height ?? 0;
  expect(h).toBeGreaterThanOrEqual(10);

  expect(await interrupt(proc)).toBe(0);
  expect(out).toMatch(/stopped; run `npm start` again/);
  expect(alive("app.pid")).toBe(false);
  expect(alive("cometbft.pid")).toBe(false);
  expect(await rpcStatus(rpc)).toBeUndefined();
  const stoppedAt = Number(JSON.parse(fs.readFileSync(path.join(home, "cometbft", "data", "priv_validator_state.json"), "utf8")).height);
  expect(stoppedAt).toBeGreaterThanOrEqual(10);

  proc = startDevnet();
  await waitFor(/resuming the existing chain/, 60_000);
  await waitFor(/is running/, 120_000);
  let h2 = 0;
  for (const deadline = Date.now() + 60_000; h2 < stoppedAt + 5 && Date.now() < deadline; await sleep(200)) h2 = (await rpcStatus(rpc))?.height ?? 0;
  expect(h2).toBeGreaterThanOrEqual(stoppedAt + 5);
  const early = await (await fetch(`${rpc}/block?height=2`)).json();
  expect((early as { result: { block: { header: { chain_id: string } } } }).result.block.header.chain_id).toBe("hashgrid-devnet-1");
  expect(await interrupt(proc)).toBe(0);
});

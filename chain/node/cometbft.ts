/**
 * Finding and installing CometBFT v0.38.25 — the devnet, the localnet, the e2e tests and CI all
 * go through `ensureCometbft()`, so they find the same binary the same way:
 *   1. $HASHGRID_COMETBFT (an explicit binary), 2. `cometbft` in PATH, 3. $(go env GOBIN),
 *   4. $(go env GOPATH)/bin — the first one whose `cometbft version` is 0.38.25 wins.
 * If none is, `go install github.com/cometbft/cometbft/cmd/cometbft@v0.38.25` builds it
 * (≈2 minutes, with progress), or we fail with instructions when Go is missing or too old.
 */
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { SingleBar } from "cli-progress";

const run = promisify(execFile);

export const COMETBFT_VERSION = "0.38.25";
export const COMETBFT_MODULE = "github.com/cometbft/cometbft/cmd/cometbft";

export interface Found {
  readonly path: string;
  readonly version: string;
}

async function versionOf(bin: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(bin, ["version"], { timeout: 15_000 });
    return stdout.trim().split(/\s+/)[0]?.replace(/^v/, "");
  } catch {
    return undefined;
  }
}

async function goEnv(name: string): Promise<string | undefined> {
  try {
    const { stdout } = await run("go", ["env", name], { timeout: 15_000 });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Every candidate cometbft binary, in search order, with its version (undefined = not runnable). */
export async function cometbftCandidates(): Promise<Found[]> {
  const paths: string[] = [];
  if (process.env.HASHGRID_COMETBFT) paths.push(process.env.HASHGRID_COMETBFT);
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) if (dir) paths.push(path.join(dir, "cometbft"));
  const gobin = await goEnv("GOBIN");
  if (gobin) paths.push(path.join(gobin, "cometbft"));
  const gopath = (await goEnv("GOPATH")) ?? path.join(os.homedir(), "go");
  for (const p of gopath.split(path.delimiter)) paths.push(path.join(p, "bin", "cometbft"));
  const seen = new Set<string>();
  const out: Found[] = [];
  for (const p of paths) {
    const abs = path.resolve(p);
    if (seen.has(abs) || !fs.existsSync(abs)) continue;
    seen.add(abs);
    out.push({ path: abs, version: (await versionOf(abs)) ?? "unknown" });
  }
  return out;
}

/** The first cometbft binary of the required version, or undefined. */
export async function findCometbft(): Promise<Found | undefined> {
  return (await cometbftCandidates()).find((c) => c.version === COMETBFT_VERSION);
}

export interface EnsureOptions {
  /** Progress/info lines (a logger's info, or console.log). */
  readonly say?: (msg: string) => void;
  /** Draw a progress bar (default: when stderr is a TTY). */
  readonly bar?: boolean;
}

export class CometbftInstallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CometbftInstallError";
  }
}

/** Returns a cometbft v0.38.25 binary, building it with `go install` when needed. */
export async function ensureCometbft(o: EnsureOptions = {}): Promise<Found> {
  const say = o.say ?? ((m: string) => console.error(m));
  const found = await findCometbft();
  if (found) return found;
  const others = await cometbftCandidates();
  if (others.length) {
    say(`found cometbft ${others.map((c) => `${c.version} at ${c.path}`).join(", ")}, but Hashgrid needs v${COMETBFT_VERSION}`);
  } else {
    say(`cometbft not found in PATH or $(go env GOPATH)/bin`);
  }
  let goVersion: string;
  try {
    goVersion = (await run("go", ["version"], { timeout: 15_000 })).stdout.trim();
  } catch {
    throw new CometbftInstallError(
      `Go is not installed, so CometBFT v${COMETBFT_VERSION} cannot be built.\n` +
        `  Install Go 1.22 or newer from https://go.dev/dl/ (Debian/Ubuntu's golang-go is often too old), make sure \`go\` is in PATH,\n` +
        `  then run this again. Or install the binary yourself: go install ${COMETBFT_MODULE}@v${COMETBFT_VERSION}\n` +
        `  (or set HASHGRID_COMETBFT=/path/to/cometbft).`,
    );
  }
  const m = /go(\d+)\.(\d+)/.exec(goVersion);
  if (m && (Number(m[1]) < 1 || (Number(m[1]) === 1 && Number(m[2]) < 22))) {
    throw new CometbftInstallError(`${goVersion} is too old to build CometBFT v${COMETBFT_VERSION} (needs Go ≥ 1.22): install a newer Go from https://go.dev/dl/`);
  }
  say(`installing CometBFT v${COMETBFT_VERSION} with \`go install ${COMETBFT_MODULE}@v${COMETBFT_VERSION}\` (${goVersion}); this takes a few minutes the first time`);
  await goInstall(say, o.bar ?? !!process.stderr.isTTY);
  const after = await findCometbft();
  if (!after) {
    throw new CometbftInstallError(
      `go install finished but no cometbft v${COMETBFT_VERSION} was found in PATH, $(go env GOBIN) or $(go env GOPATH)/bin; check \`go env GOPATH\``,
    );
  }
  say(`CometBFT v${COMETBFT_VERSION} installed at ${after.path}`);
  return after;
}

const EXPECTED_BUILD_SECONDS = 150;

async function goInstall(say: (m: string) => void, drawBar: boolean): Promise<void> {
  const t0 = Date.now();
  const bar = drawBar
    ? new SingleBar({ format: "building cometbft [{bar}] {elapsed}s {pkg}", hideCursor: true, clearOnComplete: false, barsize: 30 })
    : undefined;
  let lastPkg = "";
  let lines = 0;
  bar?.start(EXPECTED_BUILD_SECONDS, 0, { elapsed: 0, pkg: "" });
  const tick = setInterval(() => {
    const s = Math.round((Date.now() - t0) / 1000);
    if (bar) bar.update(Math.min(s, EXPECTED_BUILD_SECONDS - 1), { elapsed: s, pkg: lastPkg.slice(0, 50) });
    else if (s % 15 === 0) say(`  still building cometbft (${s}s, ${lines} packages compiled)`);
  }, 1000);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn("go", ["install", "-v", `${COMETBFT_MODULE}@v${COMETBFT_VERSION}`], { stdio: ["ignore", "ignore", "pipe"] });
      let errTail = "";
      child.stderr.on("data", (d: Buffer) => {
        const text = d.toString();
        errTail = (errTail + text).slice(-4000);
        for (const l of text.split("\n")) {
          if (l.trim() && !l.startsWith("go: downloading")) {
            lastPkg = l.trim();
            lines++;
          }
        }
      });
      child.on("error", (e) => reject(new CometbftInstallError(`could not run go: ${e.message}`)));
      child.on("exit", (code) =>
        code === 0
          ? resolve()
          : reject(new CometbftInstallError(`go install failed (exit ${code}). Last output:\n${errTail}\nCheck your network access to proxy.golang.org and your Go version.`)),
      );
    });
    bar?.update(EXPECTED_BUILD_SECONDS, { elapsed: Math.round((Date.now() - t0) / 1000), pkg: "done" });
  } finally {
    clearInterval(tick);
    bar?.stop();
  }
}

/**
 * Breaking-change check against the committed baseline image (proto/breaking-baseline.binpb):
 * the current protos must be wire- and JSON-compatible with it, and the check must catch a
 * renumbered field (run on a mutated copy in a temp dir).
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./tools/generate";

const BUF = join(REPO_ROOT, "node_modules", ".bin", "buf");
const BASELINE = join(REPO_ROOT, "proto", "breaking-baseline.binpb");

function breaking(protoDir: string): { ok: boolean; out: string } {
  try {
    execFileSync(BUF, ["breaking", protoDir, "--against", BASELINE], { stdio: "pipe" });
    return { ok: true, out: "" };
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer };
    return { ok: false, out: `${err.stdout?.toString() ?? ""}${err.stderr?.toString() ?? ""}` };
  }
}

test("the API is compatible with the baseline", () => {
  const r = breaking(join(REPO_ROOT, "proto"));
  expect(r.out).toBe("");
  expect(r.ok).toBe(true);
}, 60_000);

test("a renumbered field is reported as breaking", () => {
  const tmp = mkdtempSync(join(tmpdir(), "hashgrid-breaking-"));
  try {
    const dir = join(tmp, "proto");
    cpSync(join(REPO_ROOT, "proto"), dir, {
      recursive: true,
      filter: (src) => !src.includes(`${join("proto", "gen")}`) && !src.endsWith(".binpb"),
    });
    const file = join(dir, "hashgrid", "market", "v1", "tx.proto");
    const src = readFileSync(file, "utf8");
    const mutated = src.replace("uint32 units = 3;\n  // terms_version must equal", "uint32 units = 30;\n  // terms_version must equal");
    expect(mutated).not.toBe(src);
    writeFileSync(file, mutated);
    const r = breaking(dir);
    expect(r.ok).toBe(false);
    expect(r.out).toMatch(/MsgBuy/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}, 60_000);

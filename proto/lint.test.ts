/** `buf lint` (STANDARD + COMMENTS with the Cosmos exceptions in proto/buf.yaml) and `buf format` pass. */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./tools/generate";

const BUF = join(REPO_ROOT, "node_modules", ".bin", "buf");
const run = (args: string[]) => {
  try {
    execFileSync(BUF, args, { cwd: REPO_ROOT, stdio: "pipe" });
    return "";
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer };
    return `${err.stdout?.toString() ?? ""}${err.stderr?.toString() ?? "failed"}`;
  }
};

test("buf lint passes", () => expect(run(["lint", "proto"])).toBe(""), 60_000);
test("protos are buf-formatted (npm run proto:format)", () => expect(run(["format", "-d", "--exit-code", "proto"])).toBe(""), 60_000);

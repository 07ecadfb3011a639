/** Every link in the generated reference (docs/api/*.md) resolves to an anchor or heading. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./tools/generate";

const dir = join(REPO_ROOT, "docs", "api");
const pages = new Map(readdirSync(dir).filter((f) => f.endsWith(".md")).map((f) => [f, readFileSync(join(dir, f), "utf8")]));
const anchors = (text: string) =>
  new Set([
    ...[...text.matchAll(/<a id="([^"]+)">/g)].map((m) => m[1]!),
    ...[...text.matchAll(/^#+ (.*)$/gm)].map((m) => m[1]!.toLowerCase().replace(/[^a-z0-9 -]/g, "").replace(/ /g, "-")),
  ]);

test.each([...pages.keys()])("links in docs/api/%s resolve", (page) => {
  const text = pages.get(page)!;
  const dangling: string[] = [];
  for (const m of text.matchAll(/\]\(([a-z-]+\.md)?(?:#([a-z0-9-]+))?\)/g)) {
    const target = m[1] ?? page;
    const t = pages.get(target);
    if (!t) {
      dangling.push(`${target} (missing page)`);
      continue;
    }
    if (m[2] && !anchors(t).has(m[2])) dangling.push(`${target}#${m[2]}`);
  }
  expect(dangling).toEqual([]);
});

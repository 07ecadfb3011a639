/**
 * docs/spec-to-api.md maps every SPEC feature to messages and queries. Every name it mentions
 * must exist (Hashgrid: in the generated tables; Cosmos SDK: in cosmjs-types and the client
 * registry), and every Hashgrid Msg and Query must appear in it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { allRegistryTypes } from "../client/registry";
import { hashgridMsgs, hashgridQueries } from "./gen/hashgrid";

const doc = readFileSync(join(__dirname, "..", "docs", "spec-to-api.md"), "utf8");
const msgUrls = [...new Set([...doc.matchAll(/`(\/[a-z0-9_.]+\.Msg[A-Za-z]+)`/g)].map((m) => m[1]!))];
const queries = [...new Set([...doc.matchAll(/`([a-z0-9_.]+)\.Query\/([A-Za-z]+)`/g)].map((m) => `${m[1]}.Query/${m[2]}`))];

test("every Msg named in the SPEC map is registered", () => {
  const registered = new Set(allRegistryTypes.map(([u]) => u));
  const missing = msgUrls.filter((u) => !registered.has(u) && u !== "/ibc.applications.transfer.v1.MsgTransfer");
  expect(missing).toEqual([]);
  expect(registered.has("/ibc.applications.transfer.v1.MsgTransfer")).toBe(true);
});

test("every Query named in the SPEC map exists", () => {
  const hashgrid = new Set(hashgridQueries.map((q) => q.path.slice(1)));
  const missing: string[] = [];
  for (const q of queries) {
    if (q.startsWith("hashgrid.")) {
      if (!hashgrid.has(q)) missing.push(q);
      continue;
    }
    const [pkg, method] = q.split(".Query/") as [string, string];
    const mod = require(`cosmjs-types/${pkg.split(".").join("/")}/query`) as Record<string, unknown>;
    if (!mod[`Query${method}Request`]) missing.push(q);
  }
  expect(missing).toEqual([]);
});

test("every Hashgrid Msg and Query appears in the SPEC map", () => {
  expect(hashgridMsgs.map((m) => m.typeUrl).filter((u) => !msgUrls.includes(u))).toEqual([]);
  expect(hashgridQueries.map((q) => q.path.slice(1)).filter((p) => !queries.includes(p))).toEqual([]);
});

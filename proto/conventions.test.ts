/**
 * Cosmos conventions that `buf lint` cannot express, checked on the compiled descriptors:
 * Msg/Response naming, signer and service options, amino names, pagination on list queries,
 * the file layout of every module, and the error codes the comments refer to.
 */
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type } from "@bufbuild/protobuf/wkt";
import { hashgridErrors, type ErrorSpec } from "./errors";
import { MODULES, aminoName, comment, fieldScalar, httpGet, isMsgService, loadDescriptors, msgSigners } from "./tools/generate";

const l = loadDescriptors();
const file = (mod: string, n: string) => {
  const f = l.byName.get(`hashgrid/${mod}/v1/${n}.proto`);
  if (!f) throw new Error(`missing hashgrid/${mod}/v1/${n}.proto`);
  return f;
};

describe.each(MODULES.map((m) => [m]))("hashgrid.%s.v1", (mod) => {
  const pkg = `hashgrid.${mod}.v1`;

  test("has tx, query, types, genesis and events files in its package", () => {
    for (const n of ["tx", "query", "types", "genesis", "events"]) expect(file(mod, n).package).toBe(pkg);
    const genesis = file(mod, "genesis").messageType.find((m) => m.name === "GenesisState");
    expect(genesis?.field[0]?.name).toBe("params");
    expect(file(mod, "types").messageType.some((m) => m.name === "Params")).toBe(true);
  });

  test("Msg service: Msg<Method> -> Msg<Method>Response, signer, amino name, doc sections", () => {
    const tx = file(mod, "tx");
    expect(tx.service.map((s) => s.name)).toEqual(["Msg"]);
    const svc = tx.service[0]!;
    expect(isMsgService(svc)).toBe(true);
    expect(svc.method.some((m) => m.name === "UpdateParams")).toBe(true);
    const used = new Set<string>();
    for (const rpc of svc.method) {
      expect(rpc.inputType).toBe(`.${pkg}.Msg${rpc.name}`);
      expect(rpc.outputType).toBe(`.${pkg}.Msg${rpc.name}Response`);
      const idx = tx.messageType.findIndex((m) => m.name === `Msg${rpc.name}`);
      const msg = tx.messageType[idx]!;
      used.add(msg.name).add(`${msg.name}Response`);
      const signers = msgSigners(msg);
      expect(signers).toHaveLength(1);
      const signerField = msg.field.find((f) => f.name === signers[0]);
      expect(signerField?.type).toBe(FieldDescriptorProto_Type.STRING);
      expect(fieldScalar(signerField!)).toBe("cosmos.AddressString");
      expect(signerField?.number).toBe(1);
      if (msg.field.some((f) => f.name === "authority")) expect(signers[0]).toBe("authority");
      const amino = aminoName(msg);
      expect(amino).toMatch(new RegExp(`^hashgrid/${mod}/Msg[A-Za-z]+$`));
      expect(amino!.length).toBeLessThanOrEqual(39);
      const doc = comment(l, tx, [4, idx]);
      for (const section of ["Signer:", "Effects:", "Errors:", "Events:"]) expect(doc).toContain(`\n${section}`);
    }
    // nothing else lives in tx.proto
    expect(tx.messageType.map((m) => m.name).filter((n) => !used.has(n))).toEqual([]);
  });

  test("Query service: Query<Method>Request/Response, pagination on every list", () => {
    const q = file(mod, "query");
    expect(q.service.map((s) => s.name)).toEqual(["Query"]);
    const svc = q.service[0]!;
    expect(svc.method.some((m) => m.name === "Params")).toBe(true);
    for (const rpc of svc.method) {
      expect(rpc.inputType).toBe(`.${pkg}.Query${rpc.name}Request`);
      expect(rpc.outputType).toBe(`.${pkg}.Query${rpc.name}Response`);
      const req = q.messageType.find((m) => m.name === `Query${rpc.name}Request`)!;
      const res = q.messageType.find((m) => m.name === `Query${rpc.name}Response`)!;
      const isList = res.field.some(
        (f) => f.label === FieldDescriptorProto_Label.REPEATED && f.type === FieldDescriptorProto_Type.MESSAGE,
      );
      const pagReq = req.field.find((f) => f.name === "pagination");
      const pagRes = res.field.find((f) => f.name === "pagination");
      if (isList && rpc.name !== "Members") {
        expect(pagReq?.typeName).toBe(".cosmos.base.query.v1beta1.PageRequest");
        expect(pagRes?.typeName).toBe(".cosmos.base.query.v1beta1.PageResponse");
      }
    }
  });

  test("every Query has a REST GET route whose path variables are request fields", () => {
    const q = file(mod, "query");
    for (const rpc of q.service[0]!.method) {
      const route = httpGet(rpc);
      expect(route).toMatch(new RegExp(`^/hashgrid/${mod}/v1/[a-z_{}/]+$`));
      const req = q.messageType.find((m) => m.name === `Query${rpc.name}Request`)!;
      for (const [, v] of route!.matchAll(/\{([a-z_]+)\}/g)) {
        const f = req.field.find((x) => x.name === v);
        expect(`${rpc.name}:${v}:${f ? "field" : "missing"}`).toBe(`${rpc.name}:${v}:field`);
        expect(f!.label).not.toBe(FieldDescriptorProto_Label.REPEATED);
        expect(v).not.toBe("denom"); // denoms contain "/" (ibc/...): query parameter only
      }
    }
  });

  test("address fields are marked cosmos.AddressString", () => {
    const addressNames = /^(authority|provider|owner|buyer|seller|bidder|payer|payee|lender|borrower|feeder|supervisor|claimant|depositor|underwriter|recipient|proposer|voter|address|resolver)$/;
    for (const n of ["tx", "query", "types", "events"]) {
      for (const m of file(mod, n).messageType) {
        for (const f of m.field) {
          if (f.type === FieldDescriptorProto_Type.STRING && addressNames.test(f.name)) {
            expect(`${m.name}.${f.name}:${fieldScalar(f)}`).toBe(`${m.name}.${f.name}:cosmos.AddressString`);
          }
        }
      }
    }
  });

  test("error codes referenced in the comments exist in proto/errors.ts", () => {
    const errs = (hashgridErrors as Record<string, readonly ErrorSpec[]>)[mod]!;
    const codes = errs.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(Math.min(...codes)).toBeGreaterThanOrEqual(2);
    const names = errs.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    const tx = file(mod, "tx");
    const all = [...(l.comments.get(tx)?.values() ?? [])].join("\n");
    for (const m of all.matchAll(/\b([a-z]+)\/(\d+) (Err[A-Za-z]+)/g)) {
      const [, space, code, name] = m;
      if (space === "sdk") continue;
      const list = (hashgridErrors as Record<string, readonly ErrorSpec[]>)[space!];
      expect(list).toBeDefined();
      expect(`${space}/${code} ${list!.find((e) => e.code === Number(code))?.name}`).toBe(`${space}/${code} ${name}`);
    }
  });
});

test("REST routes are unique (also when path variables are ignored)", () => {
  const routes: string[] = [];
  for (const mod of MODULES) for (const m of file(mod, "query").service[0]!.method) routes.push(httpGet(m)!.replace(/\{[a-z_]+\}/g, "{}"));
  expect(new Set(routes).size).toBe(routes.length);
});

test("events named in Msg comments exist", () => {
  const known = new Set<string>();
  for (const mod of MODULES) for (const m of file(mod, "events").messageType) known.add(`hashgrid.${mod}.v1.${m.name}`);
  const missing: string[] = [];
  for (const mod of MODULES) {
    const tx = file(mod, "tx");
    tx.messageType.forEach((m, i) => {
      const doc = comment(l, tx, [4, i]);
      const events = doc.slice(doc.indexOf("\nEvents:"));
      for (const [, pkg, name] of events.matchAll(/\b(?:(hashgrid\.[a-z]+\.v1)\.)?(Event[A-Z][A-Za-z]+)/g)) {
        const full = `${pkg ?? `hashgrid.${mod}.v1`}.${name}`;
        if (!known.has(full)) missing.push(`${m.name}: ${full}`);
      }
    });
  }
  expect(missing).toEqual([]);
});

test("amino names are unique across modules", () => {
  const names: string[] = [];
  for (const mod of MODULES) for (const m of file(mod, "tx").messageType) {
    const a = aminoName(m);
    if (a) names.push(a);
  }
  expect(new Set(names).size).toBe(names.length);
});

test("SDK error names referenced in comments match chain/app/errors.ts codes", () => {
  const sdk: Record<string, number> = {
    ErrUnauthorized: 4, ErrInsufficientFunds: 5, ErrInvalidAddress: 7, ErrInvalidCoins: 10, ErrInvalidRequest: 18, ErrNotFound: 38,
  };
  for (const f of l.files.filter((x) => x.name.startsWith("hashgrid/"))) {
    const all = [...(l.comments.get(f)?.values() ?? [])].join("\n");
    for (const m of all.matchAll(/\bsdk\/(\d+) (Err[A-Za-z]+)/g)) expect(`${m[2]}=${sdk[m[2]!]}`).toBe(`${m[2]}=${m[1]}`);
  }
});

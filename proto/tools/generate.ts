/**
 * `npm run proto`: regenerates everything derived from the .proto sources.
 *
 *   proto/gen/**                 ts-proto output (buf generate + local ts-proto plugin, no network)
 *   proto/gen/hashgrid/index.ts  tables of every Msg (type URL, amino name, signer field, codec),
 *                                every Msg response and every Query method (ABCI path, codecs)
 *   docs/api/*.md                API reference rendered from the proto comments + proto/errors.ts
 *
 * Usage: tsx proto/tools/generate.ts [--out DIR] [--check]
 *   --out DIR   write into DIR/proto/gen and DIR/docs/api instead of the repository
 *   --check     generate into a temporary directory and fail if the committed output differs
 *
 * The output is deterministic (sorted, no timestamps), so the check compares byte for byte.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import {
  type DescriptorProto,
  type EnumDescriptorProto,
  type FieldDescriptorProto,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  type FileDescriptorProto,
  FileDescriptorSetSchema,
  type ServiceDescriptorProto,
} from "@bufbuild/protobuf/wkt";
import { bech32 } from "bech32";
import { hashgridErrors, type ErrorSpec } from "../errors";

export const REPO_ROOT = resolve(__dirname, "..", "..");
const PROTO_DIR = join(REPO_ROOT, "proto");
const BUF = join(REPO_ROOT, "node_modules", ".bin", "buf");

/** Option-only third-party files: ts-proto emits them but nothing imports them. */
const PRUNE = ["amino", "cosmos_proto", join("cosmos", "msg"), join("google", "api"), join("google", "protobuf", "descriptor.ts")];

/** Module order used in tables and the docs index. */
export const MODULES = ["market", "escrow", "oracle", "insurance", "lending", "council", "emission"] as const;

const MODULE_SUMMARY: Record<(typeof MODULES)[number], string> = {
  market: "Providers, supervisors, listings, auctions, position NFTs, secondary market, compute orders/bids/leases, receipts, disputes, yield, defaults",
  escrow: "One escrow per position, linear release, per-provider aggregates, pause/halt/refund",
  oracle: "Hashprice feeders, daily reports per algorithm, daily median",
  insurance: "Insurance pool, underwriting shares, withdrawals with cooldown, payouts",
  lending: "Peer-to-peer fixed-term loans against position NFTs",
  council: "Emergency council: members, threshold, proposals, votes, allowed messages",
  emission: "Rewards reserve emission schedule, fee split, activity rewards",
};

function run(args: string[], cwd: string): Buffer {
  return execFileSync(BUF, args, { cwd, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
}

// ---------------------------------------------------------------------------------------------
// Descriptor helpers
// ---------------------------------------------------------------------------------------------

export interface Loaded {
  files: FileDescriptorProto[];
  byName: Map<string, FileDescriptorProto>;
  comments: Map<FileDescriptorProto, Map<string, string>>;
}

export function loadDescriptors(): Loaded {
  const tmp = mkdtempSync(join(tmpdir(), "hashgrid-proto-"));
  try {
    const image = join(tmp, "image.binpb");
    run(["build", "-o", image], PROTO_DIR);
    const fds = fromBinary(FileDescriptorSetSchema, readFileSync(image));
    const files = [...fds.file].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const comments = new Map<FileDescriptorProto, Map<string, string>>();
    for (const f of files) {
      const m = new Map<string, string>();
      for (const loc of f.sourceCodeInfo?.location ?? []) {
        if (loc.leadingComments !== undefined && loc.leadingComments !== "") m.set(loc.path.join(","), loc.leadingComments);
      }
      comments.set(f, m);
    }
    return { files, byName: new Map(files.map((f) => [f.name, f])), comments };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

type UnknownFields = { $unknown?: { no: number; wireType: number; data: Uint8Array }[] } | undefined;

/** Reads a varint at `pos`; returns [value, next position]. */
function varint(data: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    const b = data[pos++]!;
    v += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [v, pos];
    shift += 7;
  }
}

/** The payloads of the length-delimited unknown fields numbered `fieldNo` (custom options). */
function unknownBytes(options: unknown, fieldNo: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const u of (options as UnknownFields)?.$unknown ?? []) {
    if (u.no !== fieldNo || u.wireType !== 2) continue;
    const [len, pos] = varint(u.data, 0);
    out.push(u.data.subarray(pos, pos + len));
  }
  return out;
}

/** Reads string-valued custom options stored as unknown fields (cosmos.msg.v1.signer, amino.name, ...). */
function unknownStrings(options: unknown, fieldNo: number): string[] {
  return unknownBytes(options, fieldNo).map((b) => Buffer.from(b).toString("utf8"));
}

const OPT_SIGNER = 11110000; // cosmos.msg.v1.signer (MessageOptions)
const OPT_AMINO_NAME = 11110001; // amino.name (MessageOptions)
const OPT_SCALAR = 93002; // cosmos_proto.scalar (FieldOptions)

export function msgSigners(m: DescriptorProto): string[] {
  return unknownStrings(m.options, OPT_SIGNER);
}
export function aminoName(m: DescriptorProto): string | undefined {
  return unknownStrings(m.options, OPT_AMINO_NAME)[0];
}
export function fieldScalar(f: FieldDescriptorProto): string | undefined {
  return unknownStrings(f.options, OPT_SCALAR)[0];
}
const OPT_HTTP = 72295728; // google.api.http (MethodOptions, HttpRule)

/** The GET route of a method's `option (google.api.http)` (HttpRule.get = field 2), if any. */
export function httpGet(method: { options?: unknown }): string | undefined {
  const rule = unknownBytes(method.options, OPT_HTTP)[0];
  if (!rule) return undefined;
  let pos = 0;
  while (pos < rule.length) {
    const [tag, p1] = varint(rule, pos);
    if ((tag & 7) !== 2) throw new Error("unexpected wire type in google.api.HttpRule");
    const [len, p2] = varint(rule, p1);
    if (tag >>> 3 === 2) return Buffer.from(rule.subarray(p2, p2 + len)).toString("utf8");
    pos = p2 + len;
  }
  return undefined;
}

/** True when the service carries `option (cosmos.msg.v1.service) = true` (varint field 11110000). */
export function isMsgService(s: ServiceDescriptorProto): boolean {
  const unknown = (s.options as { $unknown?: { no: number; wireType: number; data: Uint8Array }[] } | undefined)?.$unknown ?? [];
  return unknown.some((u) => u.no === 11110000 && u.wireType === 0 && u.data[0] === 1);
}

export function comment(l: Loaded, f: FileDescriptorProto, path: number[]): string {
  return (l.comments.get(f)?.get(path.join(",")) ?? "").replace(/^ /gm, "").trim();
}

const SCALAR: Partial<Record<FieldDescriptorProto_Type, string>> = {
  [FieldDescriptorProto_Type.STRING]: "string",
  [FieldDescriptorProto_Type.BYTES]: "bytes",
  [FieldDescriptorProto_Type.BOOL]: "bool",
  [FieldDescriptorProto_Type.UINT64]: "uint64",
  [FieldDescriptorProto_Type.INT64]: "int64",
  [FieldDescriptorProto_Type.UINT32]: "uint32",
  [FieldDescriptorProto_Type.INT32]: "int32",
  [FieldDescriptorProto_Type.DOUBLE]: "double",
  [FieldDescriptorProto_Type.FLOAT]: "float",
};

function fieldType(f: FieldDescriptorProto, pkg: string): string {
  let t: string;
  if (f.type === FieldDescriptorProto_Type.MESSAGE || f.type === FieldDescriptorProto_Type.ENUM) {
    const full = f.typeName.replace(/^\./, "");
    t = full.startsWith(pkg + ".") ? full.slice(pkg.length + 1) : full;
    const local = full.startsWith(pkg + ".");
    const anchor = full.split(".").pop()!.toLowerCase();
    if (local) t = `[${t}](#${anchor})`;
    else if (full.startsWith("hashgrid.")) t = `[${full}](${full.split(".")[1]}.md#${anchor})`;
    else t = `\`${full}\``;
  } else {
    t = SCALAR[f.type] ?? `type${f.type}`;
    const scalar = fieldScalar(f);
    if (scalar === "cosmos.AddressString") t = "string (address)";
    else if (scalar === "cosmos.Int") t = "string (Int)";
    else if (scalar === "cosmos.Dec") t = "string (Dec)";
  }
  return f.label === FieldDescriptorProto_Label.REPEATED ? `repeated ${t}` : t;
}

const cell = (s: string): string => s.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");

// ---------------------------------------------------------------------------------------------
// Registry tables (proto/gen/hashgrid/index.ts)
// ---------------------------------------------------------------------------------------------

interface MsgRow {
  module: string;
  typeUrl: string;
  name: string;
  aminoType: string;
  signer: string;
  importAlias: string;
  responseName: string;
}

function collectMsgs(l: Loaded): MsgRow[] {
  const rows: MsgRow[] = [];
  for (const mod of MODULES) {
    const f = l.byName.get(`hashgrid/${mod}/v1/tx.proto`);
    if (!f) throw new Error(`missing hashgrid/${mod}/v1/tx.proto`);
    const svc = f.service.find((s) => s.name === "Msg");
    if (!svc) throw new Error(`${f.name}: no Msg service`);
    for (const m of svc.method) {
      const name = m.inputType.split(".").pop()!;
      const desc = f.messageType.find((d) => d.name === name)!;
      rows.push({
        module: mod,
        typeUrl: m.inputType.replace(/^\./, "/"),
        name,
        aminoType: aminoName(desc) ?? "",
        signer: msgSigners(desc)[0] ?? "",
        importAlias: `${mod}Tx`,
        responseName: m.outputType.split(".").pop()!,
      });
    }
  }
  return rows;
}

function renderIndex(l: Loaded): string {
  const msgs = collectMsgs(l);
  const lines: string[] = [];
  lines.push("// Code generated by proto/tools/generate.ts (npm run proto). DO NOT EDIT.");
  lines.push("//");
  lines.push("// Tables of every Hashgrid Msg (type URL, amino name, signer field, ts-proto codec), every Msg");
  lines.push("// response, every Query method (ABCI query path, REST route, codecs) and every typed event.");
  lines.push("// client/registry.ts builds the CosmJS Registry from `hashgridMsgs`; the chain's routers can");
  lines.push("// use the same tables.");
  lines.push("");
  lines.push('import type { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";');
  for (const mod of MODULES) {
    lines.push(`import * as ${mod}Tx from "./${mod}/v1/tx";`);
    lines.push(`import * as ${mod}Query from "./${mod}/v1/query";`);
    lines.push(`import * as ${mod}Events from "./${mod}/v1/events";`);
  }
  lines.push("");
  lines.push("/** The codec surface of a ts-proto v2 message (what CosmJS's Registry needs). */");
  lines.push("export interface MessageCodec<T = any> {");
  lines.push("  encode(message: T, writer?: BinaryWriter): BinaryWriter;");
  lines.push("  decode(input: BinaryReader | Uint8Array, length?: number): T;");
  lines.push("  fromPartial(object: any): T;");
  lines.push("  fromJSON(object: any): T;");
  lines.push("  toJSON(message: T): unknown;");
  lines.push("}");
  lines.push("");
  lines.push("export interface HashgridMsgInfo {");
  lines.push("  /** Module name = error codespace. */");
  lines.push("  readonly module: string;");
  lines.push('  /** Any type URL, "/" + full message name. */');
  lines.push("  readonly typeUrl: string;");
  lines.push("  /** Amino JSON type (option (amino.name)), at most 39 characters. */");
  lines.push("  readonly aminoType: string;");
  lines.push("  /** Proto name of the field holding the signer's address (option (cosmos.msg.v1.signer)). */");
  lines.push("  readonly signer: string;");
  lines.push("  /** The same field's key in the ts-proto object (camelCase). */");
  lines.push("  readonly signerKey: string;");
  lines.push("  /** ts-proto codec of the message. */");
  lines.push("  readonly type: MessageCodec;");
  lines.push('  /** Type URL of the Msg response (carried in TxMsgData.msg_responses). */');
  lines.push("  readonly responseTypeUrl: string;");
  lines.push("  /** ts-proto codec of the response. */");
  lines.push("  readonly responseType: MessageCodec;");
  lines.push("}");
  lines.push("");
  lines.push("/** Every Hashgrid Msg, in module then service order. */");
  lines.push("export const hashgridMsgs: readonly HashgridMsgInfo[] = [");
  for (const r of msgs) {
    const pkg = r.typeUrl.slice(1, r.typeUrl.lastIndexOf("."));
    lines.push(
      `  { module: "${r.module}", typeUrl: "${r.typeUrl}", aminoType: "${r.aminoType}", signer: "${r.signer}", signerKey: "${camel(r.signer)}", type: ${r.importAlias}.${r.name}, responseTypeUrl: "/${pkg}.${r.responseName}", responseType: ${r.importAlias}.${r.responseName} },`,
    );
  }
  lines.push("];");
  lines.push("");
  lines.push("export interface HashgridQueryInfo {");
  lines.push("  readonly module: string;");
  lines.push('  /** ABCI query path, "/hashgrid.<module>.v1.Query/<Method>". */');
  lines.push("  readonly path: string;");
  lines.push('  /** REST (gRPC-gateway) GET route from option (google.api.http), e.g. "/hashgrid/market/v1/listings/{id}". */');
  lines.push("  readonly rest: string;");
  lines.push("  readonly requestType: MessageCodec;");
  lines.push("  readonly responseType: MessageCodec;");
  lines.push("}");
  lines.push("");
  lines.push("/** Every Hashgrid Query method. */");
  lines.push("export const hashgridQueries: readonly HashgridQueryInfo[] = [");
  for (const mod of MODULES) {
    const f = l.byName.get(`hashgrid/${mod}/v1/query.proto`)!;
    const svc = f.service.find((s) => s.name === "Query")!;
    for (const m of svc.method) {
      const req = m.inputType.split(".").pop()!;
      const res = m.outputType.split(".").pop()!;
      lines.push(
        `  { module: "${mod}", path: "/${f.package}.Query/${m.name}", rest: "${httpGet(m) ?? ""}", requestType: ${mod}Query.${req}, responseType: ${mod}Query.${res} },`,
      );
    }
  }
  lines.push("];");
  lines.push("");
  lines.push("export interface HashgridEventInfo {");
  lines.push("  readonly module: string;");
  lines.push('  /** ABCI event type = full message name, e.g. "hashgrid.market.v1.EventListingCreated". */');
  lines.push("  readonly type: string;");
  lines.push("  readonly codec: MessageCodec;");
  lines.push("}");
  lines.push("");
  lines.push("/** Every Hashgrid typed event (see proto/events.ts for the ABCI attribute encoding). */");
  lines.push("export const hashgridEvents: readonly HashgridEventInfo[] = [");
  for (const mod of MODULES) {
    const f = l.byName.get(`hashgrid/${mod}/v1/events.proto`)!;
    for (const m of f.messageType) lines.push(`  { module: "${mod}", type: "${f.package}.${m.name}", codec: ${mod}Events.${m.name} },`);
  }
  lines.push("];");
  lines.push("");
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Samples (proto/gen/hashgrid/samples.ts): a fully populated JSON example of every Msg
// ---------------------------------------------------------------------------------------------

/** bech32("grid", 20 zero bytes): the placeholder address in samples. */
export const SAMPLE_ADDRESS = bech32.encode("grid", bech32.toWords(new Uint8Array(20)));

function findMessage(l: Loaded, fullName: string): { file: FileDescriptorProto; msg: DescriptorProto } {
  const name = fullName.replace(/^\./, "");
  for (const f of l.files) {
    if (!name.startsWith(f.package + ".")) continue;
    const m = f.messageType.find((x) => `${f.package}.${x.name}` === name);
    if (m) return { file: f, msg: m };
  }
  throw new Error(`message ${fullName} not found`);
}

function findEnum(l: Loaded, fullName: string): EnumDescriptorProto {
  const name = fullName.replace(/^\./, "");
  for (const f of l.files) {
    const e = f.enumType.find((x) => `${f.package}.${x.name}` === name);
    if (e) return e;
  }
  throw new Error(`enum ${fullName} not found`);
}

function sampleValue(l: Loaded, f: FieldDescriptorProto, depth: number): unknown {
  switch (f.type) {
    case FieldDescriptorProto_Type.STRING: {
      const scalar = fieldScalar(f);
      if (scalar === "cosmos.AddressString") return SAMPLE_ADDRESS;
      if (scalar === "cosmos.Int") return "1000";
      if (scalar === "cosmos.Dec") return "0.500000000000000000";
      if (f.name === "denom" || f.name.endsWith("_denom")) return "ugrid";
      return `${f.name}-1`;
    }
    case FieldDescriptorProto_Type.BYTES:
      return "AQID";
    case FieldDescriptorProto_Type.BOOL:
      return true;
    case FieldDescriptorProto_Type.UINT64:
    case FieldDescriptorProto_Type.INT64:
      return "7";
    case FieldDescriptorProto_Type.UINT32:
    case FieldDescriptorProto_Type.INT32:
      return 3;
    case FieldDescriptorProto_Type.ENUM:
      return findEnum(l, f.typeName).value.find((v) => v.number === 1)?.name ?? 0;
    case FieldDescriptorProto_Type.MESSAGE: {
      const full = f.typeName.replace(/^\./, "");
      if (full === "google.protobuf.Timestamp") return "2026-01-02T03:04:05Z";
      if (full === "google.protobuf.Duration") return { seconds: "86400", nanos: 0 };
      if (full === "google.protobuf.Any") return { type_url: "/hashgrid.market.v1.MsgSuspendProvider", value: "" };
      if (full === "cosmos.base.v1beta1.Coin") return { denom: "ugrid", amount: "1000" };
      return sampleMessage(l, full, depth + 1);
    }
    default:
      throw new Error(`no sample for field ${f.name} of type ${f.type}`);
  }
}

function sampleMessage(l: Loaded, fullName: string, depth = 0): Record<string, unknown> {
  if (depth > 8) throw new Error(`sample too deep at ${fullName}`);
  const { msg } = findMessage(l, fullName);
  const out: Record<string, unknown> = {};
  for (const f of msg.field) {
    const v = sampleValue(l, f, depth);
    out[f.name] = f.label === FieldDescriptorProto_Label.REPEATED ? [v] : v;
  }
  return out;
}

function renderSamples(l: Loaded): string {
  const lines: string[] = [];
  lines.push("// Code generated by proto/tools/generate.ts (npm run proto). DO NOT EDIT.");
  lines.push("//");
  lines.push("// A fully populated example of every Hashgrid Msg in its JSON form (snake_case, 64-bit");
  lines.push("// integers as strings): every field set, every repeated field with one element, enums at");
  lines.push("// their first non-zero value, addresses = SAMPLE_ADDRESS. Decode with `Type.fromJSON(sample)`.");
  lines.push("");
  lines.push(`export const SAMPLE_ADDRESS = ${JSON.stringify(SAMPLE_ADDRESS)};`);
  lines.push("");
  lines.push("export const hashgridMsgSamples: Readonly<Record<string, Record<string, unknown>>> = {");
  for (const r of collectMsgs(l)) {
    lines.push(`  ${JSON.stringify(r.typeUrl)}: ${JSON.stringify(sampleMessage(l, r.typeUrl.slice(1)))},`);
  }
  lines.push("};");
  lines.push("");
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Field metadata (proto/gen/hashgrid/fields.ts): what generic converters (amino JSON) need
// ---------------------------------------------------------------------------------------------

const OPT_DONT_OMITEMPTY = 11110005; // amino.dont_omitempty (FieldOptions, bool)

function fieldDontOmitEmpty(f: FieldDescriptorProto): boolean {
  const unknown = (f.options as { $unknown?: { no: number; wireType: number; data: Uint8Array }[] } | undefined)?.$unknown ?? [];
  return unknown.some((u) => u.no === OPT_DONT_OMITEMPTY && u.wireType === 0 && u.data[0] === 1);
}

function camel(s: string): string {
  return s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function kindOf(f: FieldDescriptorProto): string {
  switch (f.type) {
    case FieldDescriptorProto_Type.STRING:
      return "string";
    case FieldDescriptorProto_Type.BYTES:
      return "bytes";
    case FieldDescriptorProto_Type.BOOL:
      return "bool";
    case FieldDescriptorProto_Type.UINT64:
    case FieldDescriptorProto_Type.INT64:
      return "int64";
    case FieldDescriptorProto_Type.UINT32:
    case FieldDescriptorProto_Type.INT32:
      return "int32";
    case FieldDescriptorProto_Type.ENUM:
      return "enum";
    case FieldDescriptorProto_Type.MESSAGE:
      return "message";
    default:
      throw new Error(`unsupported field type ${f.type} (${f.name})`);
  }
}

function renderFieldMeta(l: Loaded): string {
  const lines: string[] = [];
  lines.push("// Code generated by proto/tools/generate.ts (npm run proto). DO NOT EDIT.");
  lines.push("//");
  lines.push("// Field metadata of every message in the Hashgrid packages and the Cosmos types they use, in");
  lines.push("// declaration order: proto name, ts-proto key, kind, repeated, message type, cosmos_proto");
  lines.push("// scalar and amino.dont_omitempty. Used by the generic amino JSON converters (client/amino.ts)");
  lines.push("// and the strict (unknown-field rejecting) decoder (proto/strict.ts).");
  lines.push("");
  lines.push("export interface FieldMeta {");
  lines.push("  /** Field number. */");
  lines.push("  readonly no: number;");
  lines.push("  /** Proto (snake_case) field name = amino JSON key. */");
  lines.push("  readonly name: string;");
  lines.push("  /** ts-proto object key (camelCase). */");
  lines.push("  readonly key: string;");
  lines.push('  readonly kind: "string" | "bytes" | "bool" | "int64" | "int32" | "enum" | "message";');
  lines.push("  readonly repeated: boolean;");
  lines.push("  /** Full message type name (kind message). */");
  lines.push("  readonly type?: string;");
  lines.push('  /** cosmos_proto.scalar, e.g. "cosmos.Int". */');
  lines.push("  readonly scalar?: string;");
  lines.push("  /** amino.dont_omitempty. */");
  lines.push("  readonly dontOmitEmpty?: boolean;");
  lines.push("}");
  lines.push("");
  lines.push("export const messageFields: Readonly<Record<string, readonly FieldMeta[]>> = {");
  const wkt = new Set(["google.protobuf.Any", "google.protobuf.Timestamp", "google.protobuf.Duration"]);
  for (const f of l.files) {
    if (f.package === "google.api") continue;
    for (const m of f.messageType) {
      if (f.package === "google.protobuf" && !wkt.has(`${f.package}.${m.name}`)) continue;
      const metas = m.field.map((fd) => {
        const meta: Record<string, unknown> = { no: fd.number, name: fd.name, key: camel(fd.name), kind: kindOf(fd), repeated: fd.label === FieldDescriptorProto_Label.REPEATED };
        if (fd.type === FieldDescriptorProto_Type.MESSAGE) meta.type = fd.typeName.replace(/^\./, "");
        const sc = fieldScalar(fd);
        if (sc) meta.scalar = sc;
        if (fieldDontOmitEmpty(fd)) meta.dontOmitEmpty = true;
        return JSON.stringify(meta);
      });
      lines.push(`  ${JSON.stringify(`${f.package}.${m.name}`)}: [${metas.join(", ")}],`);
    }
  }
  lines.push("};");
  lines.push("");
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Docs (docs/api/*.md)
// ---------------------------------------------------------------------------------------------

function renderFields(l: Loaded, f: FileDescriptorProto, m: DescriptorProto, path: number[], out: string[]): void {
  if (m.field.length === 0) {
    out.push("_No fields._", "");
    return;
  }
  out.push("| # | Field | Type | Description |", "|---|---|---|---|");
  m.field.forEach((fd, i) => {
    out.push(`| ${fd.number} | \`${fd.name}\` | ${fieldType(fd, f.package)} | ${cell(comment(l, f, [...path, 2, i]))} |`);
  });
  out.push("");
}

/** Renders a Msg comment: the first paragraph as text, "Signer:/Effects:/Errors:/Events:" as a list. */
function renderMsgComment(text: string, out: string[]): void {
  const labels = ["Signer:", "Effects:", "Errors:", "Events:"];
  const lines = text.split("\n");
  const intro: string[] = [];
  const sections: { label: string; text: string }[] = [];
  for (const line of lines) {
    const label = labels.find((x) => line.startsWith(x));
    if (label) sections.push({ label, text: line.slice(label.length).trim() });
    else if (sections.length > 0) sections[sections.length - 1]!.text += " " + line.trim();
    else intro.push(line);
  }
  out.push(intro.join("\n").trim(), "");
  for (const s of sections) out.push(`- **${s.label.slice(0, -1)}**: ${s.text.trim()}`);
  if (sections.length) out.push("");
}

function renderEnum(l: Loaded, f: FileDescriptorProto, e: EnumDescriptorProto, path: number[], out: string[]): void {
  out.push(`### ${e.name}`, "", `<a id="${e.name.toLowerCase()}"></a>`, "", comment(l, f, path), "");
  out.push("| Value | Number | Description |", "|---|---|---|");
  e.value.forEach((v, i) => out.push(`| \`${v.name}\` | ${v.number} | ${cell(comment(l, f, [...path, 2, i]))} |`));
  out.push("");
}

function renderMessage(l: Loaded, f: FileDescriptorProto, m: DescriptorProto, idx: number, out: string[], level = "###"): void {
  out.push(`${level} ${m.name}`, "", `<a id="${m.name.toLowerCase()}"></a>`, "");
  const c = comment(l, f, [4, idx]);
  if (c) out.push(c, "");
  renderFields(l, f, m, [4, idx], out);
}

function errorsTable(mod: string, out: string[]): void {
  const errs: readonly ErrorSpec[] = (hashgridErrors as Record<string, readonly ErrorSpec[]>)[mod] ?? [];
  out.push("| Codespace | Code | Name | Description |", "|---|---|---|---|");
  for (const e of errs) out.push(`| \`${mod}\` | ${e.code} | \`${e.name}\` | ${cell(e.description)} |`);
  out.push("");
}

function renderModuleDoc(l: Loaded, mod: string): string {
  const pkg = `hashgrid.${mod}.v1`;
  const file = (n: string) => l.byName.get(`hashgrid/${mod}/v1/${n}.proto`)!;
  const tx = file("tx");
  const query = file("query");
  const out: string[] = [];
  out.push(`<!-- Code generated by proto/tools/generate.ts (npm run proto). DO NOT EDIT. -->`, "");
  out.push(`# \`${pkg}\``, "");
  out.push(`${MODULE_SUMMARY[mod as keyof typeof MODULE_SUMMARY]}.`, "");
  out.push(`Sources: \`proto/hashgrid/${mod}/v1/\` · TypeScript: \`proto/gen/hashgrid/${mod}/v1/\` · Errors: codespace \`${mod}\` (\`proto/errors.ts\`).`, "");
  out.push("- [Messages](#messages)", "- [Queries](#queries)", "- [Types](#types)", "- [Events](#events)", "- [Genesis](#genesis)", "- [Errors](#errors)", "");

  // Messages
  const msgSvcIdx = tx.service.findIndex((s) => s.name === "Msg");
  const msgSvc = tx.service[msgSvcIdx]!;
  out.push("## Messages", "", comment(l, tx, [6, msgSvcIdx]), "");
  out.push("| Msg (type URL) | Signer field | Amino name |", "|---|---|---|");
  for (const m of msgSvc.method) {
    const name = m.inputType.split(".").pop()!;
    const d = tx.messageType.find((x) => x.name === name)!;
    out.push(`| [\`/${pkg}.${name}\`](#${name.toLowerCase()}) | \`${msgSigners(d).join(", ")}\` | \`${aminoName(d) ?? ""}\` |`);
  }
  out.push("");
  for (const m of msgSvc.method) {
    const name = m.inputType.split(".").pop()!;
    const idx = tx.messageType.findIndex((x) => x.name === name);
    const d = tx.messageType[idx]!;
    out.push(`### ${name}`, "", `<a id="${name.toLowerCase()}"></a>`, "");
    out.push(`Type URL \`/${pkg}.${name}\` · amino \`${aminoName(d) ?? ""}\` · signer field \`${msgSigners(d).join(", ")}\``, "");
    renderMsgComment(comment(l, tx, [4, idx]), out);
    renderFields(l, tx, d, [4, idx], out);
    const rname = m.outputType.split(".").pop()!;
    const ridx = tx.messageType.findIndex((x) => x.name === rname);
    out.push(`**Response** \`${rname}\`${comment(l, tx, [4, ridx]) ? " — " + cell(comment(l, tx, [4, ridx])) : ""}`, "");
    renderFields(l, tx, tx.messageType[ridx]!, [4, ridx], out);
  }

  // Queries
  const qIdx = query.service.findIndex((s) => s.name === "Query");
  const qSvc = query.service[qIdx]!;
  out.push("## Queries", "", comment(l, query, [6, qIdx]), "");
  out.push("| Method | ABCI query path | REST (GET) | Description |", "|---|---|---|---|");
  qSvc.method.forEach((m, i) =>
    out.push(`| [${m.name}](#query-${m.name.toLowerCase()}) | \`/${pkg}.Query/${m.name}\` | \`${httpGet(m) ?? ""}\` | ${cell(comment(l, query, [6, qIdx, 2, i]))} |`),
  );
  out.push("");
  qSvc.method.forEach((m, i) => {
    out.push(`### Query/${m.name}`, "", `<a id="query-${m.name.toLowerCase()}"></a>`, "", comment(l, query, [6, qIdx, 2, i]), "");
    out.push(`ABCI \`/${pkg}.Query/${m.name}\` · REST \`GET ${httpGet(m) ?? ""}\``, "");
    for (const t of [m.inputType, m.outputType]) {
      const n = t.split(".").pop()!;
      const idx = query.messageType.findIndex((x) => x.name === n);
      out.push(`**${n}**`, "");
      renderFields(l, query, query.messageType[idx]!, [4, idx], out);
    }
  });

  // Types
  out.push("## Types", "");
  const types = file("types");
  types.enumType.forEach((e, i) => renderEnum(l, types, e, [5, i], out));
  types.messageType.forEach((m, i) => renderMessage(l, types, m, i, out));
  for (const n of ["tx", "query"]) {
    const f = file(n);
    f.enumType.forEach((e, i) => renderEnum(l, f, e, [5, i], out));
  }
  // helper messages of query.proto (e.g. views), not the Query*Request/Response pairs
  query.messageType.forEach((m, i) => {
    if (!/^Query[A-Za-z]+(Request|Response)$/.test(m.name)) renderMessage(l, query, m, i, out);
  });

  // Events
  const events = file("events");
  out.push("## Events", "", "Typed events: the ABCI event type is the full message name (e.g. `" + pkg + "." + (events.messageType[0]?.name ?? "") + "`), attributes are the JSON values of its fields.", "");
  events.messageType.forEach((m, i) => renderMessage(l, events, m, i, out));

  // Genesis
  const genesis = file("genesis");
  out.push("## Genesis", "");
  genesis.messageType.forEach((m, i) => renderMessage(l, genesis, m, i, out));

  // Errors
  out.push("## Errors", "", "Registered with `registerError(\"" + mod + "\", code, description)` (chain/app/errors.ts). SDK root errors (codespace `sdk`) are used for generic failures.", "");
  errorsTable(mod, out);
  return out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}

function renderDocsIndex(l: Loaded): string {
  const out: string[] = [];
  out.push(`<!-- Code generated by proto/tools/generate.ts (npm run proto). DO NOT EDIT. -->`, "");
  out.push("# Hashgrid API reference", "");
  out.push(
    "Hashgrid's own protobuf packages (`hashgrid.<module>.v1`), generated from the comments in `proto/hashgrid/**`. Every message lists who may send it (signer), what it changes, its errors and its events. Standard modules (auth, bank, staking, slashing, distribution, gov v1/v1beta1, IBC) use the Cosmos SDK packages from `cosmjs-types` unchanged; see [SPEC → API](../spec-to-api.md) for the mapping of every SPEC feature and [API design notes](../api-design.md) for the conventions and decisions.",
    "",
  );
  out.push("| Module | Package | Msgs | Queries | Scope |", "|---|---|---|---|---|");
  for (const mod of MODULES) {
    const tx = l.byName.get(`hashgrid/${mod}/v1/tx.proto`)!;
    const q = l.byName.get(`hashgrid/${mod}/v1/query.proto`)!;
    const nm = tx.service.find((s) => s.name === "Msg")!.method.length;
    const nq = q.service.find((s) => s.name === "Query")!.method.length;
    out.push(`| [${mod}](${mod}.md) | \`hashgrid.${mod}.v1\` | ${nm} | ${nq} | ${MODULE_SUMMARY[mod]} |`);
  }
  out.push("", "Also: [error codes of all modules](errors.md).", "");
  out.push("## Conventions", "");
  out.push(
    [
      '- Type URL = `"/" + full message name`, e.g. `/hashgrid.market.v1.MsgBuy`; Msg responses `/hashgrid.market.v1.MsgBuyResponse` in `TxMsgData.msg_responses`.',
      "- Query path (ABCI `path`, protobuf request/response) = `/hashgrid.<module>.v1.Query/<Method>`; REST routes (`google.api.http`, gRPC-gateway rules: path variables bind request fields, other fields are query parameters such as `pagination.limit`) under `/hashgrid/<module>/v1/`.",
      '- Addresses are bech32 strings with prefix `grid` (`cosmos_proto.scalar = "cosmos.AddressString"`); the signer field of each Msg is marked with `cosmos.msg.v1.signer`.',
      "- Amounts: `cosmos.base.v1beta1.Coin` or decimal integer strings (`Int`); decimals: human-readable fixed-point strings, at most 18 fractional digits, canonical form with exactly 18 (`Dec`, e.g. `\"0.050000000000000000\"`, sdk.LegacyDec precision; not the 10^18-scaled gogoproto wire form); times `google.protobuf.Timestamp`; durations `google.protobuf.Duration`; ids `uint64` starting at 1 (0 = none); `day` = floor(unix seconds / 86400).",
      '- `authority` = the gov module account address; messages on the council\'s allowed list also accept the council module account (hashgrid.council.v1).',
      "- Amino names (`amino.name`) are `hashgrid/<module>/<Msg>` (≤ 39 characters for Ledger); `MsgCancelPositionListing` is `hashgrid/market/MsgCancelPosListing`, `MsgClaimActivityRewards` is `hashgrid/emission/MsgClaimActivity`.",
      "- JSON (REST gateway, ts-proto `toJSON`): snake_case field names, defaults emitted, 64-bit integers as strings, enums as names.",
    ].join("\n"),
    "",
  );
  return out.join("\n");
}

function renderErrorsDoc(): string {
  const out: string[] = [];
  out.push(`<!-- Code generated by proto/tools/generate.ts (npm run proto). DO NOT EDIT. -->`, "");
  out.push("# Error codes", "");
  out.push(
    "Source of truth: `proto/errors.ts`. Each module registers its errors with `registerError(codespace, code, description)` from `chain/app/errors.ts`; codespace = module name, codes ≥ 2, append-only. Generic failures use the SDK root errors (codespace `sdk`, same codes as the Cosmos SDK).",
    "",
  );
  for (const mod of MODULES) {
    out.push(`## ${mod}`, "");
    errorsTable(mod, out);
  }
  return out.join("\n").trimEnd() + "\n";
}

// ---------------------------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------------------------

/** Generates into `outRoot` (repository layout: outRoot/proto/gen, outRoot/docs/api). */
export function generate(outRoot: string): void {
  const protoOut = join(outRoot, "proto");
  mkdirSync(protoOut, { recursive: true });
  run(["generate", "--template", "buf.gen.yaml", "-o", protoOut], PROTO_DIR);
  for (const p of PRUNE) rmSync(join(protoOut, "gen", p), { recursive: true, force: true });
  const l = loadDescriptors();
  writeFileSync(join(protoOut, "gen", "hashgrid", "index.ts"), renderIndex(l));
  writeFileSync(join(protoOut, "gen", "hashgrid", "samples.ts"), renderSamples(l));
  writeFileSync(join(protoOut, "gen", "hashgrid", "fields.ts"), renderFieldMeta(l));
  const docs = join(outRoot, "docs", "api");
  rmSync(docs, { recursive: true, force: true });
  mkdirSync(docs, { recursive: true });
  writeFileSync(join(docs, "README.md"), renderDocsIndex(l));
  writeFileSync(join(docs, "errors.md"), renderErrorsDoc());
  for (const mod of MODULES) writeFileSync(join(docs, `${mod}.md`), renderModuleDoc(l, mod));
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

/** Regenerates into a temporary directory and returns the differences with the repository. */
export function checkGenerated(): string[] {
  const tmp = mkdtempSync(join(tmpdir(), "hashgrid-gen-"));
  try {
    generate(tmp);
    const diffs: string[] = [];
    for (const sub of [join("proto", "gen"), join("docs", "api")]) {
      const a = listFiles(join(REPO_ROOT, sub));
      const b = listFiles(join(tmp, sub));
      const all = [...new Set([...a, ...b])].sort();
      for (const rel of all) {
        const pa = join(REPO_ROOT, sub, rel);
        const pb = join(tmp, sub, rel);
        if (!existsSync(pa)) diffs.push(`missing in repository: ${join(sub, rel)}`);
        else if (!existsSync(pb)) diffs.push(`not generated (stale file): ${join(sub, rel)}`);
        else if (!readFileSync(pa).equals(readFileSync(pb))) diffs.push(`differs: ${join(sub, rel)}`);
      }
    }
    return diffs;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.includes("--check")) {
    const diffs = checkGenerated();
    if (diffs.length > 0) {
      console.error("Generated output is stale; run `npm run proto`:\n  " + diffs.join("\n  "));
      process.exit(1);
    }
    console.log("proto/gen and docs/api are up to date");
  } else {
    const i = args.indexOf("--out");
    const out = i >= 0 ? resolve(args[i + 1] ?? ".") : REPO_ROOT;
    generate(out);
    console.log(`generated ${relative(process.cwd(), join(out, "proto", "gen")) || "."} and docs/api`);
  }
}


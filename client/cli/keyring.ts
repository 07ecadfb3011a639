/**
 * The CLI's keyring: one JSON file (default ~/.hashgrid/keyring.json, mode 0600 in a 0700 directory)
 * holding named BIP-39 mnemonics, each optionally encrypted with a passphrase
 * (scrypt N=2^15,r=8,p=1 → AES-256-GCM). Addresses are m/44'/118'/0'/0/0 with prefix grid.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateMnemonic, validateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { walletFromMnemonic } from "../index";

export class KeyringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyringError";
  }
}

interface Encrypted {
  readonly kdf: "scrypt";
  readonly n: number;
  readonly r: number;
  readonly p: number;
  readonly salt: string;
  readonly iv: string;
  readonly tag: string;
  readonly ciphertext: string;
}

export interface KeyRecord {
  readonly name: string;
  readonly address: string;
  readonly pubkey: string; // base64 compressed secp256k1
  readonly hd_path: string;
  readonly created: string;
  readonly mnemonic?: string;
  readonly encrypted?: Encrypted;
}

interface KeyringFile {
  version: 1;
  keys: KeyRecord[];
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function defaultKeyringDir(): string {
  return process.env.HASHGRID_KEYRING_DIR ?? path.join(os.homedir(), ".hashgrid");
}

function encrypt(plain: string, passphrase: string): Encrypted {
  const salt = crypto.randomBytes(16);
  const iv = crypto.randomBytes(12);
  const n = 1 << 15;
  const key = crypto.scryptSync(passphrase, salt, 32, { N: n, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  const c = crypto.createCipheriv("aes-256-gcm", key, iv);
  const ciphertext = Buffer.concat([c.update(plain, "utf8"), c.final()]);
  return { kdf: "scrypt", n, r: 8, p: 1, salt: salt.toString("base64"), iv: iv.toString("base64"), tag: c.getAuthTag().toString("base64"), ciphertext: ciphertext.toString("base64") };
}

function decrypt(e: Encrypted, passphrase: string): string {
  const key = crypto.scryptSync(passphrase, Buffer.from(e.salt, "base64"), 32, { N: e.n, r: e.r, p: e.p, maxmem: 64 * 1024 * 1024 });
  const d = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(e.iv, "base64"));
  d.setAuthTag(Buffer.from(e.tag, "base64"));
  try {
    return Buffer.concat([d.update(Buffer.from(e.ciphertext, "base64")), d.final()]).toString("utf8");
  } catch {
    throw new KeyringError("wrong passphrase for this key (set HASHGRID_KEYRING_PASSPHRASE or type it when asked)");
  }
}

export class Keyring {
  readonly file: string;

  constructor(readonly dir: string = defaultKeyringDir()) {
    this.file = path.join(dir, "keyring.json");
  }

  private load(): KeyringFile {
    if (!fs.existsSync(this.file)) return { version: 1, keys: [] };
    const st = fs.statSync(this.file);
    if (process.platform !== "win32" && (st.mode & 0o077) !== 0) {
      throw new KeyringError(`${this.file} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); fix it with: chmod 600 ${this.file}`);
    }
    try {
      const j = JSON.parse(fs.readFileSync(this.file, "utf8")) as KeyringFile;
      if (j.version !== 1 || !Array.isArray(j.keys)) throw new Error("unknown format");
      return j;
    } catch (e) {
      throw new KeyringError(`cannot read keyring ${this.file}: ${(e as Error).message}`);
    }
  }

  private save(k: KeyringFile): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(k, null, 2) + "\n", { mode: 0o600 });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, this.file);
  }

  list(): KeyRecord[] {
    return this.load().keys.map(({ mnemonic: _m, encrypted: _e, ...pub }) => pub as KeyRecord);
  }

  get(name: string): KeyRecord {
    const k = this.load().keys.find((x) => x.name === name);
    if (!k) {
      const names = this.load().keys.map((x) => x.name);
      throw new KeyringError(
        `no key named "${name}" in ${this.file}` + (names.length ? ` (have: ${names.join(", ")})` : "") + `; create it with: hashgrid keys add ${name}`,
      );
    }
    return k;
  }

  /** Adds a key from `mnemonic` (or a new 24-word one). Returns the record and the mnemonic. */
  async add(name: string, o: { mnemonic?: string; passphrase?: string } = {}): Promise<{ record: KeyRecord; mnemonic: string }> {
    if (!NAME_RE.test(name)) throw new KeyringError(`key name "${name}" must be 1-64 letters, digits, "_", "." or "-"`);
    const kf = this.load();
    if (kf.keys.some((k) => k.name === name)) throw new KeyringError(`a key named "${name}" already exists; pick another name or run: hashgrid keys delete ${name}`);
    const mnemonic = (o.mnemonic ?? generateMnemonic(wordlist, 256)).trim().split(/\s+/).join(" ");
    if (!validateMnemonic(mnemonic, wordlist)) throw new KeyringError("the mnemonic is not a valid BIP-39 English mnemonic (check the words and their order)");
    const wallet = await walletFromMnemonic(mnemonic);
    const [acc] = await wallet.getAccounts();
    if (kf.keys.some((k) => k.address === acc.address)) throw new KeyringError(`this mnemonic is already in the keyring as "${kf.keys.find((k) => k.address === acc.address)!.name}"`);
    const record: KeyRecord = {
      name,
      address: acc.address,
      pubkey: Buffer.from(acc.pubkey).toString("base64"),
      hd_path: "m/44'/118'/0'/0/0",
      created: new Date().toISOString(),
      ...(o.passphrase ? { encrypted: encrypt(mnemonic, o.passphrase) } : { mnemonic }),
    };
    kf.keys.push(record);
    kf.keys.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.save(kf);
    return { record, mnemonic };
  }

  isEncrypted(name: string): boolean {
    return this.get(name).encrypted !== undefined;
  }

  /** The mnemonic of `name` (decrypting with `passphrase` when the key is encrypted). */
  mnemonic(name: string, passphrase?: string): string {
    const k = this.get(name);
    if (k.mnemonic) return k.mnemonic;
    if (!k.encrypted) throw new KeyringError(`key "${name}" has no secret`);
    if (!passphrase) throw new KeyringError(`key "${name}" is encrypted: set HASHGRID_KEYRING_PASSPHRASE or run in a terminal to be asked for it`);
    return decrypt(k.encrypted, passphrase);
  }

  delete(name: string): void {
    const kf = this.load();
    this.get(name);
    kf.keys = kf.keys.filter((k) => k.name !== name);
    this.save(kf);
  }
}

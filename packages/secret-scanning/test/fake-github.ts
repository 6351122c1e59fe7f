import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A match as GitHub sends it. */
export interface Match {
  token: string;
  type: string;
  url: string;
  source: string;
}

export interface SendOptions {
  /** Sign with this key id (default: the current one). */
  keyId?: string;
  /** Replace the body after signing (a tampered alert). */
  tamper?: (body: string) => string;
  /** Send these header values instead of the real ones (`null` leaves a header out). */
  identifier?: string | null;
  signature?: string | null;
  /** A raw body instead of JSON of the matches (signed as it is). */
  raw?: string;
}

export interface Sent {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * GitHub as a secret scanning partner sees it, on loopback: its own P-256 key pairs (node:crypto,
 * an implementation independent of the endpoint's WebCrypto code), the public key endpoint
 * (`{ public_keys: [{ key_identifier, key, is_current }] }`, with an ETag), and a sender of
 * signed alerts (DER signatures in base64, as GitHub's).
 */
export class FakeGitHub {
  private readonly pairs = new Map<string, { privateKey: KeyObject; pem: string }>();
  private current = '';
  private server: Server | null = null;
  /** Requests the key endpoint served. */
  keyRequests = 0;
  /** Answer the key endpoint with this status (a GitHub outage). */
  keysStatus = 200;
  keysUrl = '';

  constructor() {
    this.rotate();
  }

  /** A new signing key, published and made current; returns its identifier. */
  rotate(): string {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = publicKey.export({ type: 'spki', format: 'der' });
    const id = createHash('sha256').update(der).digest('hex');
    this.pairs.set(id, { privateKey, pem: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    this.current = id;
    return id;
  }

  private readonly withdrawn = new Set<string>();

  /** Withdraws a key from the list (it can still sign: what a stolen key would do). */
  withdraw(id: string): void {
    this.withdrawn.add(id);
  }

  get currentKeyId(): string {
    return this.current;
  }

  private list(): string {
    return JSON.stringify({
      public_keys: [...this.pairs]
        .filter(([id]) => !this.withdrawn.has(id))
        .map(([id, { pem }]) => ({ key_identifier: id, key: pem, is_current: id === this.current })),
    });
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url !== '/meta/public_keys/secret_scanning') {
        res.writeHead(404).end();
        return;
      }
      this.keyRequests++;
      if (this.keysStatus !== 200) {
        res.writeHead(this.keysStatus, { 'content-type': 'application/json' }).end('{"message":"unavailable"}');
        return;
      }
      const body = this.list();
      const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', etag }).end(body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.keysUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/meta/public_keys/secret_scanning`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The base64 DER signature of `body` with a key of this GitHub. */
  sign(body: string, keyId = this.current): string {
    const pair = this.pairs.get(keyId);
    if (!pair) throw new Error(`no key ${keyId}`);
    return sign('sha256', Buffer.from(body), pair.privateKey).toString('base64');
  }

  /** POSTs an alert of `matches` to `url`, as GitHub does. */
  async send(url: string, matches: Match[], options: SendOptions = {}): Promise<Sent> {
    const body = options.raw ?? JSON.stringify(matches);
    const keyId = options.keyId ?? this.current;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: '*/*' };
    const identifier = options.identifier === undefined ? keyId : options.identifier;
    const signature = options.signature === undefined ? this.sign(body, keyId) : options.signature;
    if (identifier !== null) headers['github-public-key-identifier'] = identifier;
    if (signature !== null) headers['github-public-key-signature'] = signature;
    const response = await fetch(url, { method: 'POST', headers, body: options.tamper ? options.tamper(body) : body });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }
}

/** GitHub's `url` for a match in a file of a public repository. */
export function blobUrl(path: string): string {
  return `https://github.com/octocat/hello-world/blob/12345600b9cbe38a219f39a9941c9319b600c002/${path}`;
}

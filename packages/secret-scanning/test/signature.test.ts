import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { derToRawSignature, verifyP256Signature } from '@keyward/secret-scanning';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Bytes, importP256PublicKey, pemPublicKey } from '../src/signature.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('P-256 signatures on WebCrypto, checked against node:crypto', () => {
  it('turns every DER signature node:crypto makes into the raw r‖s that node:crypto verifies as IEEE P1363', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (message) => {
        const der = sign('sha256', message, privateKey);
        const raw = derToRawSignature(der);
        expect(raw).not.toBeNull();
        expect(raw!.length).toBe(64);
        expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw!)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('verifies what node:crypto signs, and nothing else: another body, a flipped bit, another key', async () => {
    const key = await importP256PublicKey(pem);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 200 }), fc.nat(), async (text, bit) => {
        const body = new TextEncoder().encode(text);
        const signature = sign('sha256', body, privateKey).toString('base64');
        expect(await verifyP256Signature(key, signature, body)).toBe(true);
        const changed = new Uint8Array(body);
        changed[bit % changed.length]! ^= 1 << (bit % 8);
        expect(await verifyP256Signature(key, signature, changed)).toBe(false);
        const der = Buffer.from(signature, 'base64');
        der[der.length - 1 - (bit % 8)]! ^= 0x01;
        expect(await verifyP256Signature(key, der.toString('base64'), body)).toBe(false);
        expect(await verifyP256Signature(key, sign('sha256', body, other.privateKey).toString('base64'), body)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses signatures that are not DER ECDSA: garbage, trailing bytes, negative or oversized integers, bad base64', async () => {
    const key = await importP256PublicKey(pem);
    const body = new TextEncoder().encode('[]');
    const der = sign('sha256', body, privateKey);
    const cases = [
      Buffer.concat([der, Buffer.from([0])]), // trailing byte
      Buffer.from(der.subarray(0, der.length - 1)), // truncated
      Buffer.from([0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01]), // negative r
      Buffer.from([0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01]), // non-minimal r
      Buffer.concat([Buffer.from([0x30, 0x26, 0x02, 0x22]), Buffer.alloc(34, 1), Buffer.from([0x02, 0x00])]), // 34-byte r
      Buffer.from([0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]), // not a SEQUENCE
    ];
    for (const bad of cases) {
      expect(derToRawSignature(bad)).toBeNull();
      expect(await verifyP256Signature(key, bad.toString('base64'), body)).toBe(false);
    }
    for (const text of ['', '!!!!', 'abc', `${der.toString('base64')}*`]) expect(await verifyP256Signature(key, text, body)).toBe(false);
    expect(base64Bytes('AAEC')).toEqual(new Uint8Array([0, 1, 2]));
    expect(base64Bytes('AAE')).toBeNull();
  });

  it('reads PEM public keys and refuses what is not a P-256 one', async () => {
    expect(pemPublicKey('no pem here')).toBeNull();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await expect(importP256PublicKey(rsa)).rejects.toThrow();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await expect(importP256PublicKey(p384)).rejects.toThrow();
    await expect(importP256PublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')).rejects.toThrow();
  });
});

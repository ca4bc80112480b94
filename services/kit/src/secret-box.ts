import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Parses `GENUINE_LICENSE_KEY_SECRET`: 32 bytes as 64 hex characters or as base64. */
export function parseSecretKey(secret: string): Buffer {
  const trimmed = secret.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (bytes.length !== 32) throw new Error('The license key secret must be 32 bytes, as 64 hex characters or base64');
  return bytes;
}

/** A new random secret in the form `parseSecretKey` accepts (64 hex characters). */
export function generateSecretKey(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Authenticated encryption of small secrets (license keys) at rest: AES-256-GCM with a random 96-bit IV per value,
 * stored as `version | iv | tag | ciphertext`. `fingerprint` is a keyed hash (HMAC-SHA256 under a separate
 * HKDF-derived key) so duplicates can be found by a unique index without decrypting anything.
 */
export class SecretBox {
  private readonly encryptionKey: Buffer;
  private readonly fingerprintKey: Buffer;

  constructor(secret: string | Buffer) {
    const master = typeof secret === 'string' ? parseSecretKey(secret) : secret;
    if (master.length !== 32) throw new Error('The license key secret must be 32 bytes');
    this.encryptionKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'genuine/secret-box/aes-256-gcm', 32));
    this.fingerprintKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'genuine/secret-box/fingerprint', 32));
  }

  seal(plaintext: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv, { authTagLength: TAG_BYTES });
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
  }

  /** Throws when the value was not sealed with this key or was tampered with. */
  open(sealed: Buffer): string {
    if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) throw new Error('Not a sealed value');
    const iv = sealed.subarray(1, 1 + IV_BYTES);
    const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }

  fingerprint(plaintext: string): Buffer {
    return createHmac('sha256', this.fingerprintKey).update(plaintext, 'utf8').digest();
  }
}

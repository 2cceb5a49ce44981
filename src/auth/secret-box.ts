// Secrets that must be read back (TOTP keys, unlike passwords) sealed with AES-256-GCM under a server key, and bound to
// what they belong to (additional data), so that a sealed value copied to another user's row opens no more.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from '@oslojs/encoding';

const VERSION = 'v1';

export interface SecretBox {
  seal(plain: Uint8Array, context: string): string;
  /** Undefined when the value was not sealed by this key for this context (tampered, moved, or another key). */
  open(sealed: string, context: string): Uint8Array | undefined;
}

export function createSecretBox(key: Uint8Array): SecretBox {
  if (key.length !== 32) throw new RangeError(`an AES-256 key is 32 bytes, got ${key.length}`);
  return {
    seal(plain, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return [VERSION, iv, body, cipher.getAuthTag()].map((part) => (typeof part === 'string' ? part : encodeBase64urlNoPadding(part))).join('.');
    },
    open(sealed, context) {
      const [version, iv, body, tag, ...rest] = sealed.split('.');
      if (version !== VERSION || iv === undefined || body === undefined || tag === undefined || rest.length > 0) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, decodeBase64urlIgnorePadding(iv));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(decodeBase64urlIgnorePadding(tag));
        return new Uint8Array(Buffer.concat([decipher.update(decodeBase64urlIgnorePadding(body)), decipher.final()]));
      } catch {
        return undefined;
      }
    },
  };
}

// Password hashing with Argon2id at OWASP's recommended cost, on libuv's thread pool so the event loop stays free.
import { hash, verify, type Options } from '@node-rs/argon2';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hashed: string, password: string): Promise<boolean>;
}

/** OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB, t=2, p=1. */
const OWASP_ARGON2ID: Options = {
  // Algorithm.Argon2id; the package declares it as an ambient const enum, which isolated modules cannot read.
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

export function createPasswordHasher(): PasswordHasher {
  return {
    hash: (password) => hash(password, OWASP_ARGON2ID),
    async verify(hashed, password) {
      try {
        return await verify(hashed, password);
      } catch {
        return false;
      }
    },
  };
}

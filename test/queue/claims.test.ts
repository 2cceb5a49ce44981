// In-memory claims on a PGlite store: one set per store and worker kind, changed under one mutex per store.
import { describe, expect, it } from 'vitest';
import { createStoreClaims } from '../../src/queue/claims.js';
import { createSerial } from '../../src/queue/serial.js';
import type { Store } from '../../src/store/index.js';

// Claims only key by the store object; nothing here touches a database.
const someStore = () => ({ kind: 'pglite' }) as unknown as Store;

describe('createStoreClaims', () => {
  it('gives the workers of one kind on one store the same claims, and another store its own', () => {
    const claimsOf = createStoreClaims();
    const a = someStore();
    const b = someStore();
    claimsOf(a).held.add('t/1');
    expect(claimsOf(a).held.has('t/1')).toBe(true);
    expect(claimsOf(a)).toBe(claimsOf(a));
    expect(claimsOf(b).held.size).toBe(0);
  });

  it('keeps the claims of each worker kind apart on one store', () => {
    const mailClaims = createStoreClaims();
    const pushClaims = createStoreClaims();
    const store = someStore();
    mailClaims(store).held.add('t/1');
    expect(pushClaims(store).held.has('t/1')).toBe(false);
  });

  it('runs the locked sections of one store one at a time, in the order asked', async () => {
    const claimsOf = createStoreClaims();
    const store = someStore();
    const order: string[] = [];
    let release!: () => void;
    const first = claimsOf(store).lock(async () => {
      order.push('first in');
      await new Promise<void>((resolve) => (release = resolve));
      order.push('first out');
    });
    const second = claimsOf(store).lock(async () => order.push('second'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['first in']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'first out', 'second']);
  });
});

describe('createSerial', () => {
  it('hands each caller its own result or error, and runs what comes after a failure', async () => {
    const serial = createSerial();
    const failing = serial(async () => {
      throw new Error('boom');
    });
    const after = serial(async () => 'after');
    await expect(failing).rejects.toThrow('boom');
    await expect(after).resolves.toBe('after');
  });

  it('settles settled() once everything queued before it has settled, failures included', async () => {
    const serial = createSerial();
    let release!: () => void;
    const slow = serial(() => new Promise<void>((resolve) => (release = resolve)));
    void serial(async () => {
      throw new Error('ignored here');
    }).catch(() => {});
    let settled = false;
    void serial.settled().then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    release();
    await slow;
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(true);
  });
});

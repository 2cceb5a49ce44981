// The password hasher: Argon2id hashes that verify, and a bound on how many run at once, the rest waiting in order.
import { describe, expect, it } from 'vitest';
import { createPasswordHasher, HashQueueFullError, limitConcurrency } from '../../src/auth/passwords.js';

/** A task that runs until the test ends it, and records when it started. */
function gate(log: string[], name: string) {
  let end!: (value: string) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    end = resolve;
    fail = reject;
  });
  return {
    task: () => {
      log.push(name);
      return done;
    },
    end: () => end(name),
    fail: () => fail(new Error(`${name} failed`)),
  };
}

/** Lets every settled promise's continuations run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('limitConcurrency', () => {
  it('runs at most max tasks at once and starts the others in the order they came', async () => {
    const started: string[] = [];
    const limit = limitConcurrency(2);
    const gates = ['a', 'b', 'c', 'd'].map((name) => gate(started, name));
    const results = gates.map((g) => limit(g.task));
    await settle();
    expect(started).toEqual(['a', 'b']);
    gates[1]!.end();
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    gates[0]!.end();
    await settle();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    gates[2]!.end();
    gates[3]!.end();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('frees the slot of a task that fails, and passes its error on', async () => {
    const started: string[] = [];
    const limit = limitConcurrency(1);
    const [first, second] = [gate(started, 'first'), gate(started, 'second')];
    const failed = limit(first.task);
    const next = limit(second.task);
    await settle();
    expect(started).toEqual(['first']);
    first.fail();
    await expect(failed).rejects.toThrow('first failed');
    await settle();
    expect(started).toEqual(['first', 'second']);
    second.end();
    expect(await next).toBe('second');
  });

  it('past maxWaiting waiting, refuses a task at once with the seconds to wait, and takes one again once there is room', async () => {
    const started: string[] = [];
    const limit = limitConcurrency(1, { maxWaiting: 2 });
    const gates = ['a', 'b', 'c'].map((name) => gate(started, name));
    const results = gates.map((g) => limit(g.task));
    const refused = limit(gate(started, 'd').task);
    await expect(refused).rejects.toBeInstanceOf(HashQueueFullError);
    await expect(refused).rejects.toMatchObject({ retryAfterSeconds: expect.any(Number), message: expect.stringMatching(/retry after \d+ s/) });
    expect(started).toEqual(['a']);
    gates[0]!.end();
    await settle();
    const e = gate(started, 'e');
    const later = limit(e.task);
    gates[1]!.end();
    gates[2]!.end();
    e.end();
    expect(await Promise.all([...results, later])).toEqual(['a', 'b', 'c', 'e']);
    expect(started).toEqual(['a', 'b', 'c', 'e']);
  });

  it('refuses a bound below one', () => {
    expect(() => limitConcurrency(0)).toThrow(RangeError);
    expect(() => limitConcurrency(1.5)).toThrow(RangeError);
    expect(() => limitConcurrency(1, { maxWaiting: -1 })).toThrow(RangeError);
  });
});

describe('createPasswordHasher', () => {
  it('hashes with Argon2id and verifies many at once through one slot, a malformed hash included', async () => {
    const hasher = createPasswordHasher({ maxConcurrent: 1 });
    const hashed = await hasher.hash('correct horse battery staple');
    expect(hashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    // A verify that throws inside the limiter (the malformed hash) must give its slot back, or the ones after it hang.
    const results = await Promise.all([
      hasher.verify('not a hash', 'correct horse battery staple'),
      hasher.verify(hashed, 'correct horse battery staple'),
      hasher.verify(hashed, 'wrong horse battery staple'),
      hasher.verify(hashed, 'correct horse battery staple'),
    ]);
    expect(results).toEqual([false, true, false, true]);
  });
});

// The background loop both queue workers run: when it cycles, when it sleeps, what notify() and stop() do, and
// that a failed cycle is reported and does not end it. Time is faked; cycles are scripted.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWorkerLoop, type WorkerLoopOptions } from '../../src/queue/worker-loop.js';

const POLL = 60_000;

/** Lets every promise that can settle without the clock moving do so. */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** A promise the test settles. */
function gate<T = 'more' | 'idle'>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Tracks whether a promise has settled yet. */
function watch(promise: Promise<unknown>) {
  const state = { settled: false };
  void promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

/** A loop whose cycles answer from a script (idle once it runs out) and are counted. */
function scripted(script: (() => Promise<'more' | 'idle'>)[], more: Partial<WorkerLoopOptions> = {}) {
  const failures: unknown[] = [];
  let cycles = 0;
  const loop = createWorkerLoop({
    cycle: () => {
      const step = script[cycles++];
      return step ? step() : Promise.resolve('idle');
    },
    pollIntervalMs: POLL,
    failed: (error) => failures.push(error),
    ...more,
  });
  return { loop, failures, cycles: () => cycles };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createWorkerLoop', () => {
  it("runs the next cycle at once after 'more', and sleeps the poll interval after 'idle'", async () => {
    const { loop, cycles } = scripted([async () => 'more', async () => 'more', async () => 'idle']);
    loop.start();
    await flush();
    expect(cycles()).toBe(3);
    await vi.advanceTimersByTimeAsync(POLL - 1);
    expect(cycles()).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(cycles()).toBe(4);
    await loop.stop();
  });

  it('does nothing on a second start() while it runs', async () => {
    const { loop, cycles } = scripted([]);
    loop.start();
    loop.start();
    await flush();
    expect(cycles()).toBe(1);
    await vi.advanceTimersByTimeAsync(POLL);
    expect(cycles()).toBe(2);
    await loop.stop();
  });

  it('wakes a sleeping loop on notify(), without waiting for the poll interval', async () => {
    const { loop, cycles } = scripted([]);
    loop.start();
    await flush();
    expect(cycles()).toBe(1);
    loop.notify();
    await flush();
    expect(cycles()).toBe(2);
    // The wait that notify() cut short is over: the next poll is a whole interval after the second cycle.
    await vi.advanceTimersByTimeAsync(POLL - 1);
    expect(cycles()).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(cycles()).toBe(3);
    await loop.stop();
  });

  it('does not sleep after an idle cycle during which notify() was called', async () => {
    const first = gate();
    const { loop, cycles } = scripted([() => first.promise]);
    loop.start();
    await flush();
    loop.notify();
    first.resolve('idle');
    await flush();
    expect(cycles()).toBe(2);
    await loop.stop();
  });

  it('resolves stop() only once the cycle under way is done, which sees stopping, and runs no cycle after it', async () => {
    const first = gate();
    let sawStopping: boolean | undefined;
    const { loop, cycles } = scripted([
      async () => {
        const result = await first.promise;
        sawStopping = loop.stopping;
        return result;
      },
    ]);
    loop.start();
    await flush();
    const stopped = watch(loop.stop());
    expect(loop.stopping).toBe(true);
    await vi.advanceTimersByTimeAsync(POLL * 2);
    expect(stopped.settled).toBe(false);
    first.resolve('more');
    await flush();
    expect(stopped.settled).toBe(true);
    expect(sawStopping).toBe(true);
    expect(loop.stopping).toBe(false);
    await vi.advanceTimersByTimeAsync(POLL * 2);
    expect(cycles()).toBe(1);
  });

  it('stops a sleeping loop at once, and starts again after the stop', async () => {
    const { loop, cycles } = scripted([]);
    loop.start();
    await flush();
    const stopped = watch(loop.stop());
    await flush();
    expect(stopped.settled).toBe(true);
    loop.start();
    await flush();
    expect(cycles()).toBe(2);
    await loop.stop();
  });

  it('reports a failed cycle to failed(), treats it as idle, and goes on', async () => {
    const boom = new Error('database gone');
    const { loop, failures, cycles } = scripted([
      async () => {
        throw boom;
      },
      async () => 'more',
    ]);
    loop.start();
    await flush();
    expect(failures).toEqual([boom]);
    expect(cycles()).toBe(1);
    await vi.advanceTimersByTimeAsync(POLL);
    expect(cycles()).toBe(3);
    expect(failures).toEqual([boom]);
    await loop.stop();
  });

  it('runs between() after each cycle and before the sleep, but not once stop() was called', async () => {
    const events: string[] = [];
    const second = gate();
    const { loop } = scripted(
      [
        async () => (events.push('cycle 1'), 'more'),
        () => (events.push('cycle 2'), second.promise),
      ],
      { between: async () => void events.push('between') },
    );
    loop.start();
    await flush();
    expect(events).toEqual(['cycle 1', 'between', 'cycle 2']);
    const stopped = loop.stop();
    second.resolve('idle');
    await stopped;
    expect(events).toEqual(['cycle 1', 'between', 'cycle 2']);
  });

  it('drains with cycles never beside the loop\'s: after the one under way, and the next loop cycle after it', async () => {
    const events: string[] = [];
    const first = gate();
    const drainCycle = gate<void>();
    const { loop } = scripted([
      async () => {
        events.push('cycle 1 in');
        const result = await first.promise;
        events.push('cycle 1 out');
        return result;
      },
      async () => (events.push('cycle 2'), 'idle'),
    ]);
    loop.start();
    await flush();
    const drained = loop.drain(
      async () => {
        events.push('drain in');
        await drainCycle.promise;
        events.push('drain out');
      },
      () => 0,
      () => 'drained',
    );
    first.resolve('more');
    await flush();
    expect(events).toEqual(['cycle 1 in', 'cycle 1 out', 'drain in']);
    drainCycle.resolve();
    await expect(drained).resolves.toBe('drained');
    await flush();
    expect(events).toEqual(['cycle 1 in', 'cycle 1 out', 'drain in', 'drain out', 'cycle 2']);
    await loop.stop();
  });

  it('drains until a cycle handles nothing more, then resolves to the result', async () => {
    const { loop } = scripted([]);
    let handled = 0;
    const perCycle = [3, 2, 0, 5];
    let cycles = 0;
    const result = await loop.drain(
      async () => void (handled += perCycle[cycles++]!),
      () => handled,
      () => ({ handled, cycles }),
    );
    expect(result).toEqual({ handled: 5, cycles: 3 });
  });

  it('ends a drain after the cycle under way once stop() is called, and rejects it with a cycle\'s error', async () => {
    const { loop } = scripted([]);
    let handled = 0;
    let cycles = 0;
    const slow = gate<void>();
    const drained = loop.drain(
      async () => {
        // Handles one job in each of its first cycles only, so a drain that missed the stop still ends.
        if (++cycles < 5) handled++;
        await slow.promise;
      },
      () => handled,
      () => cycles,
    );
    await flush();
    const stopped = loop.stop();
    slow.resolve();
    await expect(drained).resolves.toBe(1);
    await stopped;
    await expect(
      loop.drain(
        async () => {
          throw new Error('database gone');
        },
        () => 0,
        () => 0,
      ),
    ).rejects.toThrow('database gone');
  });

  it('fires the signal on abort(), and gives a fresh one from the aborter after stop()', async () => {
    const made: AbortController[] = [];
    const { loop } = scripted([], { aborter: () => (made.push(new AbortController()), made.at(-1)!) });
    const before = loop.signal;
    expect(before).toBe(made[0]!.signal);
    loop.abort();
    expect(before.aborted).toBe(true);
    await loop.stop();
    expect(made).toHaveLength(2);
    expect(loop.signal).toBe(made[1]!.signal);
    expect(loop.signal.aborted).toBe(false);
  });

  it('waits in stop() for a drain queued before it', async () => {
    const work = gate<void>();
    const { loop } = scripted([]);
    void loop.drain(() => work.promise, () => 0, () => 0);
    const stopped = watch(loop.stop());
    await flush();
    expect(stopped.settled).toBe(false);
    work.resolve();
    await flush();
    expect(stopped.settled).toBe(true);
  });
});

// Runs a worker's cycles in the background: the next at once while a cycle says there is more to do, otherwise
// after the poll interval or as soon as notify() asks; stop() ends the loop once the cycle under way is done.
import { createSerial } from './serial.js';

export interface WorkerLoopOptions {
  /** One cycle of work: 'more' when it stopped with work left, 'idle' when it found nothing (more) to do. */
  readonly cycle: () => Promise<'more' | 'idle'>;
  /** How long an idle loop sleeps when nothing calls notify(). */
  readonly pollIntervalMs: number;
  /** Hears the error of a cycle that threw; the loop goes on as after an idle cycle. */
  readonly failed: (error: unknown) => void;
  /** Runs after each cycle unless stop() was called, before the loop sleeps (housekeeping). It must not throw. */
  readonly between?: () => Promise<void>;
  /** Makes the controller behind signal and abort(); a new one after each stop(). Default: a plain AbortController. */
  readonly aborter?: () => AbortController;
}

export interface WorkerLoop {
  /** Starts the loop; calling it again while it runs does nothing. */
  start(): void;
  /** Stops the loop, and resolves once the cycle under way, and any drain() queued before, is done. */
  stop(): Promise<void>;
  /** Fires signal, for a stop that cannot wait for the work under way. */
  abort(): void;
  /** Asks for a cycle soon: wakes a sleeping loop, or keeps a busy one from sleeping after its cycle. */
  notify(): void;
  /**
   * Runs cycle() until one handles nothing (handled(), a running count, does not grow) or stop() is called, then
   * resolves to result(). Never beside a cycle of the loop or another drain: cycles of one worker run one after
   * the other. A cycle's error rejects it.
   */
  drain<R>(cycle: () => Promise<unknown>, handled: () => number, result: () => R): Promise<R>;
  /** True from stop() until it resolves: a cycle checks it to end early. */
  readonly stopping: boolean;
  /** The signal the work under way listens to; abort() fires it. */
  readonly signal: AbortSignal;
}

export function createWorkerLoop(options: WorkerLoopOptions): WorkerLoop {
  const { cycle, pollIntervalMs, failed, between } = options;
  const newAborter = options.aborter ?? (() => new AbortController());
  const exclusive = createSerial();
  let aborter = newAborter();
  let loop: Promise<void> | undefined;
  let stopping = false;
  let wanted = false;
  let wake: (() => void) | undefined;

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      // A sleeping worker does not keep the process alive.
      timer.unref();
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  }

  async function run(): Promise<void> {
    while (!stopping) {
      wanted = false;
      let next: 'more' | 'idle';
      try {
        next = await exclusive(() => cycle());
      } catch (error) {
        failed(error);
        next = 'idle';
      }
      if (stopping) break;
      if (between) await between();
      // A notify() during the cycle may concern work the cycle had already looked past: look again at once.
      if (next === 'idle' && !wanted) await sleep(pollIntervalMs);
    }
  }

  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = run();
    },
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      loop = undefined;
      await exclusive.settled();
      stopping = false;
      aborter = newAborter();
    },
    abort() {
      aborter.abort();
    },
    notify() {
      wanted = true;
      wake?.();
    },
    drain(cycle, handled, result) {
      return exclusive(async () => {
        for (;;) {
          const before = handled();
          await cycle();
          if (handled() === before || stopping) return result();
        }
      });
    },
    get stopping() {
      return stopping;
    },
    get signal() {
      return aborter.signal;
    },
  };
}

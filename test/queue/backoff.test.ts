// The retry schedule both queue workers share: doubling from baseMs, capped at capMs, shortened by up to jitter.
import { describe, expect, it } from 'vitest';
import { createBackoff, type BackoffOptions, type BackoffSettings } from '../../src/queue/backoff.js';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const clock = () => NOW;
const base: BackoffOptions = { factory: 'createTestWorker', settings: { baseMs: 1_000, capMs: 60_000, jitter: 0.2 }, defaultBaseMs: 5_000, random: () => 0, clock };
const withSettings = (settings: BackoffSettings): BackoffOptions => ({ ...base, settings: { ...base.settings, ...settings } });
const delayOf = (date: Date) => date.getTime() - NOW.getTime();

describe('createBackoff', () => {
  it('doubles from baseMs after each failed attempt, up to capMs, with no jitter when random() is 0', () => {
    const next = createBackoff(base);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => delayOf(next(n)))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  });

  it('shortens each delay by at most the jitter fraction, and by nothing more as random() nears 1', () => {
    const almostOne = createBackoff({ ...base, random: () => 0.999_999 });
    const half = createBackoff({ ...base, random: () => 0.5 });
    expect(delayOf(half(1))).toBe(900);
    expect(delayOf(half(10))).toBe(54_000);
    expect(delayOf(almostOne(1))).toBe(800);
    expect(delayOf(almostOne(10))).toBe(48_000);
  });

  it('stays at capMs however many attempts failed: no overflow to Infinity or NaN', () => {
    const next = createBackoff(base);
    for (const attempts of [40, 41, 100, 1_024, 1_025, 5_000]) expect(delayOf(next(attempts))).toBe(60_000);
  });

  it('is at least a millisecond later than the clock, and reads the clock at each call', () => {
    let now = NOW;
    const next = createBackoff({ ...withSettings({ baseMs: 0.1, capMs: 0.1 }), clock: () => now });
    expect(delayOf(next(1))).toBe(1);
    now = new Date(NOW.getTime() + 5_000);
    expect(next(1).getTime()).toBe(NOW.getTime() + 5_001);
  });

  it('takes the default baseMs, a cap of an hour and a jitter of 0.2 for the settings not given', () => {
    expect(delayOf(createBackoff({ ...base, settings: undefined })(1))).toBe(5_000);
    expect(delayOf(createBackoff({ ...base, settings: { baseMs: undefined, capMs: undefined } })(30))).toBe(3_600_000);
    const fullJitter = createBackoff({ ...base, settings: { baseMs: 1_000 }, random: () => 0.5 });
    expect(delayOf(fullJitter(1))).toBe(900);
  });

  it('uses Math.random when no random is given, within the jitter', () => {
    const next = createBackoff({ ...base, random: undefined });
    for (let i = 0; i < 50; i++) {
      const delay = delayOf(next(1));
      expect(delay).toBeGreaterThanOrEqual(800);
      expect(delay).toBeLessThanOrEqual(1_000);
    }
  });

  it('refuses bad settings with a TypeError that names the factory, base and cap first', () => {
    const bad = (settings: BackoffSettings) => () => createBackoff(withSettings(settings));
    expect(bad({ baseMs: 0 })).toThrow(new TypeError('createTestWorker: backoff.baseMs must be a positive number'));
    expect(bad({ baseMs: Number.NaN, capMs: -1 })).toThrow(new TypeError('createTestWorker: backoff.baseMs must be a positive number'));
    expect(bad({ capMs: Number.POSITIVE_INFINITY })).toThrow(new TypeError('createTestWorker: backoff.capMs must be a positive number'));
    expect(bad({ jitter: 1 })).toThrow(new TypeError('createTestWorker: backoff.jitter must be in [0, 1)'));
    expect(bad({ jitter: -0.1 })).toThrow(new TypeError('createTestWorker: backoff.jitter must be in [0, 1)'));
    expect(bad({ jitter: Number.NaN, capMs: 10 })).toThrow(new TypeError('createTestWorker: backoff.jitter must be in [0, 1)'));
    expect(bad({ capMs: 999 })).toThrow(new TypeError('createTestWorker: backoff.capMs must not be below backoff.baseMs'));
    expect(bad({ capMs: 1_000, jitter: 0 })).not.toThrow();
  });
});

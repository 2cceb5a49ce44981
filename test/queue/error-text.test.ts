// The text a queue stores as a job's last error: one line, at most 300 characters, no stack.
import { describe, expect, it } from 'vitest';
import { clip, errorText } from '../../src/queue/error-text.js';

describe('errorText', () => {
  it("gives an error's name and message, and any other thrown value as text", () => {
    expect(errorText(new RangeError('out of range'))).toBe('RangeError: out of range');
    expect(errorText('plain text')).toBe('plain text');
    expect(errorText(42)).toBe('42');
    expect(errorText(undefined)).toBe('undefined');
  });
});

describe('clip', () => {
  it('folds runs of whitespace, line breaks included, to one space and trims the ends', () => {
    expect(clip('  connect\n\tECONNREFUSED   127.0.0.1:25 \r\n')).toBe('connect ECONNREFUSED 127.0.0.1:25');
  });

  it('keeps a text of 300 characters whole, and cuts a longer one to 300 with an ellipsis', () => {
    const exact = 'x'.repeat(300);
    expect(clip(exact)).toBe(exact);
    const cut = clip(`${'y'.repeat(299)}zz`);
    expect(cut).toHaveLength(300);
    expect(cut).toBe(`${'y'.repeat(299)}…`);
  });

  it('counts the length after folding the whitespace', () => {
    expect(clip(`${'a'.repeat(150)}\n\n\n${'b'.repeat(149)}`)).toBe(`${'a'.repeat(150)} ${'b'.repeat(149)}`);
  });
});

// Receiver URLs: https to public addresses only; http only to loopback when allowed; a name that resolves to a
// private address anywhere in its answer is refused (SSRF, DNS rebinding).
import { describe, expect, it } from 'vitest';
import { checkReceiverUrl, isPublicAddress } from '../../src/events/receiver-url.js';

const resolver = (table: Record<string, string[]>) => async (host: string) => {
  const found = table[host];
  if (!found) throw new Error('ENOTFOUND');
  return found;
};

describe('receiver URL policy', () => {
  const strict = { allowHttpLoopback: false, resolve: resolver({ 'rx.example.com': ['93.184.216.34'], 'evil.example.com': ['93.184.216.34', '10.0.0.5'], 'meta.example.com': ['169.254.169.254'], 'v6.example.com': ['::ffff:127.0.0.1'], localhost: ['127.0.0.1'] }) };

  it.each([
    ['https://rx.example.com/events', true],
    ['http://rx.example.com/events', false],
    ['https://evil.example.com/', false],
    ['https://meta.example.com/latest', false],
    ['https://v6.example.com/', false],
    ['https://127.0.0.1/', false],
    ['https://[::1]/', false],
    ['https://[::ffff:127.0.0.1]/', false],
    ['https://[::ffff:a00:1]/', false],
    ['https://[::ffff:5db8:d822]/', true],
    ['https://10.1.2.3/', false],
    ['https://192.168.1.1/', false],
    ['https://nowhere.example.com/', false],
    ['https://user:pw@rx.example.com/', false],
    ['ftp://rx.example.com/', false],
    ['not a url', false],
    ['http://localhost:8080/', false],
  ])('%s allowed: %s', async (url, allowed) => {
    const result = await checkReceiverUrl(url, strict);
    expect(result.ok).toBe(allowed);
    if (!result.ok) expect(result.reason).toMatch(/receiver/i);
  });

  it('allows http to loopback only when configured, and never to a private address', async () => {
    const loose = { ...strict, allowHttpLoopback: true };
    expect((await checkReceiverUrl('http://127.0.0.1:9999/rx', loose)).ok).toBe(true);
    expect((await checkReceiverUrl('http://localhost:9999/rx', loose)).ok).toBe(true);
    expect((await checkReceiverUrl('http://10.0.0.1/rx', loose)).ok).toBe(false);
    expect((await checkReceiverUrl('http://rx.example.com/rx', loose)).ok).toBe(false);
  });

  it('knows public from private addresses', () => {
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('2606:4700::1111')).toBe(true);
    for (const a of ['127.0.0.1', '10.0.0.1', '172.20.0.1', '100.64.1.1', 'fd00::1', 'fe80::1', '::ffff:192.168.0.1', '0.0.0.0']) expect(isPublicAddress(a)).toBe(false);
  });
});

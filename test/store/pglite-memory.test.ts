// The server's resident memory on the embedded database (Linux /proc): creating a new data directory must not leave
// initdb's memory with the server, and PostgreSQL's buffers are kept small, since WebAssembly memory never shrinks.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll, removeDir, startServer, tempDataDir } from '../helpers/processes.js';

const dir = tempDataDir();

afterAll(() => {
  killAll();
  removeDir(dir);
});

/** VmRSS and VmHWM (the peak) of a process, in MiB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

// Before: 837 MB after the first start (peak 871), 370-386 MB after a restart. After: about 300 and 280.
const LIMIT_MB = 450;

describe.skipIf(process.env.DATABASE_URL || !existsSync('/proc/self/status'))('PGlite server memory', { timeout: 120_000 }, () => {
  it('stays under 450 MB at its peak on the first start on a new directory, and on a restart', async () => {
    const first = await startServer({ DATA_DIR: dir }, 90_000);
    const created = memoryOf(first.pid);
    expect((await first.stop()).code).toBe(0);
    const again = await startServer({ DATA_DIR: dir }, 60_000);
    const reopened = memoryOf(again.pid);
    expect((await again.stop()).code).toBe(0);
    expect(created.peak, `first start: ${JSON.stringify(created)}`).toBeLessThan(LIMIT_MB);
    expect(reopened.peak, `restart: ${JSON.stringify(reopened)}`).toBeLessThan(LIMIT_MB);
  });
});

// npm run bench ends with one table of every figure and its target (dist/bench/run.js as people run it, at a tiny
// scale): each row PASS, MISS, INFO (no target) or "not measured (why)". No timing is asserted: figures on a shared
// machine are not test results; what is asserted is that each figure is there, measured when its case ran.
import { afterAll, describe, expect, it } from 'vitest';
import { cleanUpBench, figureRowsOf, runBench } from '../helpers/bench.js';

const ARGS = [
  ...['--small', '40', '--large', '400', '--cases', 'baseline,userName,externalId,emails,groupPatch,streamWriteCost,memory', '--no-bulk'],
  ...['--duration', '1', '--rounds', '1', '--warmup', '0.1', '--concurrency', '2'],
];
const DATABASE = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';

afterAll(cleanUpBench);

describe('npm run bench: the table of figures', { timeout: 120_000 }, () => {
  it('prints every figure with its target, measured or saying why not', async () => {
    const { stdout } = await runBench(ARGS, 110_000);
    const rows = figureRowsOf(stdout);

    expect([...new Set(rows.map((r) => r.id))]).toEqual(['P1', 'P2', 'P3', 'E1', 'E2', 'P4', 'P5', 'search', 'historySearch', 'memory', 'P6']);
    for (const row of rows) {
      // A miss says by how much and why.
      expect(row.result, JSON.stringify(row)).toMatch(/^(PASS|MISS \(\d+% of the target: .+\)|MISS \(\d+\.\d times the target: .+\)|INFO \(no target\)|not measured \(.+\))$/);
      expect(row.database).toBe(row.id === 'P6' ? 'both' : DATABASE);
    }
    const of = (id: string) => rows.filter((r) => r.id === id);
    // What ran is measured: each lookup against the floor and against the small tenant (6 rows), the PATCHes, the
    // group read and the server's memory.
    expect(of('P1')).toHaveLength(6);
    for (const row of [...of('P1'), ...of('P2'), ...of('E2'), ...of('P5')]) {
      expect(row.result, JSON.stringify(row)).toMatch(/^(PASS|MISS \(.+\))$/);
      const value = Number(/^(\d+(?:\.\d+)?)(?:x| MiB)$/.exec(row.measured)?.[1]);
      const target = Number(/[\d.]+/.exec(row.target)![0]);
      expect(Number.isFinite(value), JSON.stringify(row)).toBe(true);
      // The result follows from the measured value and the target (a value shown rounded onto the target may be either).
      const atLeast = row.target.startsWith('>=');
      if (Math.abs(value - target) > (row.measured.endsWith('MiB') ? 0.5 : 0.005)) {
        expect(row.result.slice(0, 4), JSON.stringify(row)).toBe((atLeast ? value >= target : value <= target) ? 'PASS' : 'MISS');
      }
    }
    expect(of('P1')[0]!.what).toMatch(/at 400 users \/ the floor.s req\/s at 400 users; the target is set at/);
    expect(of('P2')[0]!.what).toMatch(/"All Staff" \(40 members\)/);
    expect(of('P5')[0]!.what).toMatch(/40 members/);
    expect(of('E2')[0]!.what).toMatch(/^PATCH of a user's title \(p50 latency\) at 40 users with one poll stream .+ \(\d+\.\d ms \/ \d+\.\d ms\)$/);
    const memory = of('memory');
    expect(memory).toHaveLength(2);
    for (const row of memory) {
      expect(row.result).toBe('INFO (no target)');
      expect(Number(/^(\d+) MiB$/.exec(row.measured)?.[1])).toBeGreaterThan(20);
    }
    // What did not run says why.
    expect(of('P3')[0]!.result).toBe('not measured (--no-bulk)');
    expect(of('E1')[0]!.result).toBe('not measured (--no-bulk)');
    expect(of('P4')[0]!.result).toBe('not measured (case not in this run)');
    expect(of('search')[0]!.result).toBe('not measured (case not in this run)');
    expect(of('historySearch')[0]!.result).toBe('not measured (case not in this run)');
    expect(of('P6').map((r) => r.result)).toEqual(Array(3).fill('not measured (run with --both)'));
  });
});

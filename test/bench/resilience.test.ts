// npm run bench's abuse cases at a tiny scale (dist/bench/run.js as people run it): each reports a probe's p99 idle
// and under its load, and how the load was answered. No timing is asserted: figures on a shared machine are not results.
import { afterAll, describe, expect, it } from 'vitest';
import { cleanUpBench, runBench } from '../helpers/bench.js';

const ARGS = [
  ...['--small', '30', '--cases', 'healthzBulk,failedLogins,wrongPasswords', '--no-bulk'],
  ...['--duration', '1.5', '--rounds', '1', '--warmup', '0.2', '--login-users', '2', '--lookup-rate', '20'],
];
const NUMBER = String.raw`(\d+(?:\.\d+)?)`;

afterAll(cleanUpBench);

/** The case's report: its probe's p99 idle and under load, the ratio, and the load's answers by status. */
function reportOf(stdout: string, id: string): { idleP99: number; loadedP99: number; ratio: number; answered: number; statuses: Map<number, number> } {
  // A probe starved for the whole round is a finding too: "none answered" instead of its percentiles.
  const head = new RegExp(
    String.raw`^${id}: .*: idle p50 ${NUMBER} ms, p99 ${NUMBER} ms \(${NUMBER} requests\); under load: (?:p50 ${NUMBER} ms, p99 ${NUMBER} ms|none answered within the measured time) \(${NUMBER} requests\)$`,
    'm',
  ).exec(stdout);
  expect(head, `no ${id} report in:\n${stdout}`).not.toBeNull();
  const rest = stdout.slice(head!.index);
  const load = /^ {2}the load: (\d+) requests answered (.*)$/m.exec(rest);
  const verdict = new RegExp(String.raw`^  p99 under load / idle p99: (?:${NUMBER}x|-) \(target <= 3\.0x\) (?:PASS|MISS); round by round: (?:${NUMBER}x|-)$`, 'm').exec(rest);
  expect(load, rest).not.toBeNull();
  expect(verdict, rest).not.toBeNull();
  const statuses = new Map(load![2]!.split(', ').map((part) => part.split(': ').map((x) => Number.parseInt(x, 10)) as [number, number]));
  const loaded = Number(head![6]);
  return { idleP99: Number(head![2]), loadedP99: loaded > 0 ? Number(head![5]) : NaN, ratio: verdict![1] === undefined ? NaN : Number(verdict![1]), answered: Number(load![1]), statuses };
}

describe('npm run bench: abuse cases', { timeout: 180_000 }, () => {
  it('reports /healthz under Bulk, and lookups under failing sign-ins and wrong current passwords, against idle', async () => {
    const { stdout } = await runBench(ARGS, 170_000);

    const bulk = reportOf(stdout, 'healthzBulk');
    expect(bulk.answered).toBeGreaterThan(0);
    expect([...bulk.statuses.keys()]).toEqual([200]);
    if (Number.isFinite(bulk.loadedP99)) expect(bulk.ratio).toBeCloseTo(bulk.loadedP99 / bulk.idleP99, 1);

    // Failed sign-ins are refused (401), or turned away when the hash queue is full (503) or a limit is reached (429): never accepted.
    const logins = reportOf(stdout, 'failedLogins');
    expect(logins.answered).toBeGreaterThan(0);
    expect([...logins.statuses.keys()].every((status) => [401, 429, 503].includes(status))).toBe(true);
    expect(logins.statuses.get(401)).toBeGreaterThan(0);

    const guesses = reportOf(stdout, 'wrongPasswords');
    expect(guesses.answered).toBeGreaterThan(0);
    expect([...guesses.statuses.keys()].every((status) => [400, 401, 403, 429, 503].includes(status))).toBe(true);
  });
});

// npm run bench's sign-in cases at a tiny scale (dist/bench/run.js as people run it): they report numbers, and
// leave the seeded tenant as it was. No timing is asserted: figures on a shared machine are not test results.
import { afterAll, describe, expect, it } from 'vitest';
import { NUMBER, cleanUpBench, numbersOf, runBench } from '../helpers/bench.js';

const SMALL = 40;
const LOGIN_USERS = 3;
const ARGS = [
  ...['--small', String(SMALL), '--cases', 'logins,underLogins', '--no-bulk'],
  // A second per round: a login takes 0.1 s to 0.5 s on a busy 2-core machine, and one must start and end inside it.
  ...['--duration', '2', '--rounds', '2', '--warmup', '0.2', '--concurrency', '2', '--login-users', String(LOGIN_USERS), '--lookup-rate', '20'],
];


afterAll(cleanUpBench);

describe('npm run bench: sign-in cases', { timeout: 120_000 }, () => {
  it('reports logins/s against the verify ceiling, the event loop meanwhile, and lookup p99 idle and under logins', async () => {
    const { stdout, open } = await runBench(ARGS, 110_000);

    const [logins, ceiling, ratio] = numbersOf(stdout, String.raw`^logins: 2 clients POST /auth/login: ${NUMBER} logins/s .*the ceiling\): ${NUMBER}/s; ratio ${NUMBER}x$`);
    expect(logins).toBeGreaterThan(0);
    expect(ceiling).toBeGreaterThan(0);
    expect(ratio).toBeCloseTo(logins! / ceiling!, 1);
    if (process.platform === 'linux') {
      const [cpuPerLogin, verifyMs] = numbersOf(stdout, String.raw`^  event loop: ${NUMBER} ms of its thread's CPU per login, one verify alone takes ${NUMBER} ms (?:PASS|MISS)`);
      expect(cpuPerLogin).toBeGreaterThanOrEqual(0);
      expect(verifyMs).toBeGreaterThan(0);
    }
    const delays = numbersOf(stdout, String.raw`^  event-loop delay p99: ${NUMBER} ms during logins, ${NUMBER} ms during in-process verifies`);
    expect(delays.every((d) => Number.isFinite(d))).toBe(true);

    const [idleP50, idleP99, idleCount, loginsDuring, loadedP50, loadedP99, loadedCount] = numbersOf(
      stdout,
      String.raw`^underLogins: userName eq on bench-${SMALL} at 20 req/s: idle p50 ${NUMBER} ms, p99 ${NUMBER} ms \(${NUMBER} requests\); ` +
        String.raw`with 2 login clients \(${NUMBER} logins/s\): p50 ${NUMBER} ms, p99 ${NUMBER} ms \(${NUMBER} requests\)$`,
    );
    expect(idleCount).toBeGreaterThan(0);
    expect(loadedCount).toBeGreaterThan(0);
    expect(loginsDuring).toBeGreaterThan(0);
    expect(idleP99).toBeGreaterThanOrEqual(idleP50!);
    expect(loadedP99).toBeGreaterThanOrEqual(loadedP50!);
    const [p99Ratio, ...rounds] = numbersOf(
      stdout,
      String.raw`^  p99 under logins / idle p99: ${NUMBER}x \(target <= 3\.0x\) (?:PASS|MISS); round by round: ${NUMBER}x ${NUMBER}x$`,
    );
    expect(p99Ratio).toBeCloseTo(loadedP99! / idleP99!, 1);
    expect(rounds.every((x) => x > 0)).toBe(true);
    // The sign-in cases need the small tenant only: no large one is seeded, and no query case runs.
    expect(stdout).not.toMatch(/seeding bench-(?!40 )/);
    expect(stdout).not.toMatch(/^Targets at/m);

    const { store, close } = await open();
    try {
      const [counts] = await store.query<{ seeded: number; signIn: number; argon2id: number; sessions: number }>(
        `select (select count(*)::int from users u join tenants t on t.id = u.tenant_id where t.slug = $1) as seeded,
                (select count(*)::int from users u join tenants t on t.id = u.tenant_id where t.slug = 'bench-login') as "signIn",
                (select count(*)::int from users u join tenants t on t.id = u.tenant_id
                  where t.slug = 'bench-login' and u.password_hash like '$argon2id$%') as argon2id,
                (select count(*)::int from sessions s join tenants t on t.id = s.tenant_id where t.slug = 'bench-login') as sessions`,
        [`bench-${SMALL}`],
      );
      // The seeded tenant keeps exactly its users (another run would otherwise seed it again); the sign-in users
      // are real accounts with Argon2id hashes, and the logins made sessions.
      expect(counts).toMatchObject({ seeded: SMALL, signIn: LOGIN_USERS, argon2id: LOGIN_USERS });
      expect(counts!.sessions).toBeGreaterThan(0);
    } finally {
      await close();
    }
  });
});

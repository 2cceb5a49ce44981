// npm run bench's TOTP sign-in cases at a tiny scale (dist/bench/run.js as people run it): sign-ins with a code
// against the verify ceiling and plain logins, and lookup p99 under them, with every code accepted. No timing is
// asserted: figures on a shared machine are not test results.
import { afterAll, describe, expect, it } from 'vitest';
import { NUMBER, cleanUpBench, numbersOf, runBench } from '../helpers/bench.js';

const SMALL = 30;
const LOGIN_USERS = 2;
// Each user's code is taken once per 30 s step, and a run may fall within one step: the users must cover all its
// TOTP sign-ins. They run for about 4 s (0.5 s alone before the first round, 1.2 s measured with its warm-up, 0.5 s
// alone before the lookup case and its 1.6 s under lookups), at up to 130 a second from two clients on a fast
// machine (a CI run reached 104): about 520. With the default 2 s alone twice, 600 users ran out in CI.
const TOTP_USERS = 800;
const ARGS = [
  ...['--small', String(SMALL), '--cases', 'logins,loginsTotp,underLoginsTotp', '--no-bulk'],
  ...['--duration', '1', '--rounds', '1', '--warmup', '0.2', '--alone', '0.5', '--concurrency', '2'],
  ...['--login-users', String(LOGIN_USERS), '--totp-users', String(TOTP_USERS), '--lookup-rate', '20'],
];


afterAll(cleanUpBench);

describe('npm run bench: TOTP sign-in cases', { timeout: 240_000 }, () => {
  it('reports sign-ins with a code against the ceiling and plain logins, and lookup p99 under them, every code accepted', async () => {
    const { stdout, open } = await runBench(ARGS, 230_000);

    expect(stdout).toMatch(new RegExp(String.raw`^Sign-in: ${LOGIN_USERS} users with an Argon2id password in tenant bench-login, and ${TOTP_USERS} more with an authenticator app;`, 'm'));
    expect(stdout).toMatch(/^ {2}round 1\/1 POST \/auth\/login \+ \/auth\/mfa\/verify +\d/m);
    const [signIns, ceiling, toCeiling] = numbersOf(
      stdout,
      String.raw`^loginsTotp: 2 clients sign in with a TOTP code \(POST /auth/login, then POST /auth/mfa/verify\): ${NUMBER} sign-ins/s .*the ceiling\): ${NUMBER}/s; ratio ${NUMBER}x$`,
    );
    expect(signIns).toBeGreaterThan(0);
    expect(ceiling).toBeGreaterThan(0);
    expect(toCeiling).toBeCloseTo(signIns! / ceiling!, 1);
    const [plain, toPlain] = numbersOf(stdout, String.raw`^  against plain logins in the same rounds: ${NUMBER} logins/s; ratio ${NUMBER}x$`);
    expect(plain).toBeGreaterThan(0);
    expect(toPlain).toBeCloseTo(signIns! / plain!, 1);
    // The plain logins line is there as before, against the same ceiling.
    const [logins, sameCeiling] = numbersOf(stdout, String.raw`^logins: 2 clients POST /auth/login: ${NUMBER} logins/s .*the ceiling\): ${NUMBER}/s; ratio ${NUMBER}x$`);
    expect(logins).toBe(plain);
    expect(sameCeiling).toBe(ceiling);
    numbersOf(stdout, String.raw`^  event-loop delay p99: ${NUMBER} ms during TOTP sign-ins, ${NUMBER} ms during in-process verifies`);

    const [idleP50, idleP99, idleCount, during, loadedP50, loadedP99, loadedCount] = numbersOf(
      stdout,
      String.raw`^underLoginsTotp: userName eq on bench-${SMALL} at 20 req/s: idle p50 ${NUMBER} ms, p99 ${NUMBER} ms \(${NUMBER} requests\); ` +
        String.raw`with 2 TOTP sign-in clients \(${NUMBER} TOTP sign-ins/s\): p50 ${NUMBER} ms, p99 ${NUMBER} ms \(${NUMBER} requests\)$`,
    );
    expect(idleCount).toBeGreaterThan(0);
    expect(loadedCount).toBeGreaterThan(0);
    expect(during).toBeGreaterThan(0);
    expect(idleP99).toBeGreaterThanOrEqual(idleP50!);
    expect(loadedP99).toBeGreaterThanOrEqual(loadedP50!);
    const [p99Ratio] = numbersOf(stdout, String.raw`^  p99 under TOTP sign-ins / idle p99: ${NUMBER}x \(target <= 3\.0x\) (?:PASS|MISS); round by round: ${NUMBER}x$`);
    expect(p99Ratio).toBeCloseTo(loadedP99! / idleP99!, 1);
    expect(stdout).not.toMatch(/failed requests/);

    const { store, close } = await open();
    try {
      const [counts] = await store.query<{ withCode: number; signedIn: number; wrongCodes: number }>(
        `select (select count(*)::int from users u join tenants t on t.id = u.tenant_id where t.slug = 'bench-login' and u.mfa_enabled) as "withCode",
                (select count(*)::int from auth_tokens a join tenants t on t.id = a.tenant_id
                  where t.slug = 'bench-login' and a.purpose = 'mfa' and a.used_at is not null) as "signedIn",
                (select coalesce(sum(a.failed_attempts), 0)::int from auth_tokens a join tenants t on t.id = a.tenant_id
                  where t.slug = 'bench-login' and a.purpose = 'mfa') as "wrongCodes"`,
      );
      // The users set up their app through the API; every sign-in's code was accepted, none refused as used or late.
      expect(counts).toMatchObject({ withCode: TOTP_USERS, wrongCodes: 0 });
      expect(counts!.signedIn).toBeGreaterThan(0);
    } finally {
      await close();
    }
  });
});

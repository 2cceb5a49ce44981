// The second factor through the app (ASVS V2.8, RFC 6238), on a clock the tests move: setting up an authenticator app,
// the sign-in chain (password, code, new password, set-up), single-use codes and recovery codes, guessing held back as
// password guessing is, turning it off, the tenant's requirement, and an administrator's reset.
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../src/admin/commands.js';
import { totpCode } from '../../src/auth/totp.js';
import { createTestContext, requestFrom, scimRequest, userBody, type TestContext } from '../helpers/app.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ACCOUNT = 'urn:usher:params:scim:schemas:extension:account:2.0:User';
const PASSWORD = 'correct horse battery staple';


let t: TestContext;
// A clock that stands still within a 30-second step (a second into it) until a test moves it: codes are per step.
const START = Math.floor(Date.now() / 30_000) * 30_000 + 1_000;
let offsetMs = 0;
const clock = () => new Date(START + offsetMs);
/** Moves the clock to the next 30-second step: the codes of the last one are used up. */
const nextStep = () => {
  offsetMs += 30_000;
};
let administrators: string;

const request = (method: string, path: string, body?: unknown, options: { token?: string; address?: string } = {}) =>
  requestFrom(t.app, method, path, body, { ...options, address: options.address ?? '198.51.100.1' });

const login = (userName: string, password = PASSWORD, address?: string) =>
  request('POST', '/auth/login', { tenant: 'acme', userName, password }, address ? { address } : {});

async function createUser(userName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await t.client.request('POST', '/Users', userBody(userName, { password: PASSWORD, emails: [{ value: userName, primary: true }], ...extra }));
  expect(created.status).toBe(201);
  return created.body.id;
}

async function makeAdministrator(id: string): Promise<void> {
  const patched = await t.client.request('PATCH', `/Groups/${administrators}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }] });
  expect(patched.status).toBe(204);
}

async function signIn(userName: string): Promise<string> {
  const answer = await login(userName);
  expect(answer.status).toBe(200);
  return answer.body.token;
}

/** Sets up an authenticator app for a signed-in user; returns its key and the recovery codes. */
async function enrol(session: string): Promise<{ secret: Uint8Array; recoveryCodes: string[] }> {
  const enrolment = await request('POST', '/auth/mfa/enrol', { currentPassword: PASSWORD }, { token: session });
  expect(enrolment.status).toBe(200);
  const secret = decodeBase32IgnorePadding(enrolment.body.secret);
  const confirmed = await request('POST', '/auth/mfa/confirm', { code: totpCode(secret, clock()) }, { token: session });
  expect(confirmed.status).toBe(200);
  nextStep();
  return { secret, recoveryCodes: confirmed.body.recoveryCodes };
}

async function account(id: string): Promise<Record<string, unknown>> {
  const user = await t.client.request('GET', `/Users/${id}`);
  return user.body[ACCOUNT];
}

async function mailsTo(address: string): Promise<{ kind: string; subject: string }[]> {
  return t.store.query<{ kind: string; subject: string }>('select kind, subject from outbox where recipient = $1 order by created_at', [address]);
}

async function historyEvents(id: string): Promise<string[]> {
  const rows = await t.store.query<{ event: string }>('select event from history where resource_id = $1 order by seq', [id]);
  return rows.map((row) => row.event);
}

beforeAll(async () => {
  t = await createTestContext({ clock, limits: { authFailuresPerMinute: 1000 } });
  const groups = await t.client.request('GET', '/Groups?count=100');
  administrators = groups.body.Resources.find((g: { displayName: string }) => g.displayName === 'Administrator').id;
});
afterAll(() => t.close());

describe('setting up an authenticator app', () => {
  it('asks for the current password, gives a key and an otpauth:// URI, and turns on with a code: ten recovery codes, a notice, history', async () => {
    const id = await createUser('ada@example.com');
    const session = await signIn('ada@example.com');
    const elsewhere = await signIn('ada@example.com');

    const without = await request('POST', '/auth/mfa/enrol', {}, { token: session });
    expect(without.status).toBe(400);
    const wrong = await request('POST', '/auth/mfa/enrol', { currentPassword: 'not the password' }, { token: session });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_credentials');
    expect((await request('POST', '/auth/mfa/enrol', { currentPassword: PASSWORD })).status).toBe(401);

    const enrolment = await request('POST', '/auth/mfa/enrol', { currentPassword: PASSWORD }, { token: session });
    expect(enrolment.status).toBe(200);
    expect(enrolment.headers.get('cache-control')).toBe('no-store');
    expect(enrolment.body).toMatchObject({ digits: 6, period: 30 });
    expect(enrolment.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(enrolment.body.uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/acme:ada@example.com');
    expect(uri.searchParams.get('secret')).toBe(enrolment.body.secret);
    const secret = decodeBase32IgnorePadding(enrolment.body.secret);

    // Not on until confirmed: sign-in asks for no code yet.
    expect((await login('ada@example.com')).status).toBe(200);
    expect((await account(id)).mfaEnabled).toBe(false);

    const badCode = await request('POST', '/auth/mfa/confirm', { code: '000000' === totpCode(secret, clock()) ? '111111' : '000000' }, { token: session });
    expect(badCode.status).toBe(401);
    expect(badCode.body.error).toBe('invalid_code');

    const confirmed = await request('POST', '/auth/mfa/confirm', { code: totpCode(secret, clock()) }, { token: session });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    expect(new Set(confirmed.body.recoveryCodes).size).toBe(10);
    for (const code of confirmed.body.recoveryCodes) expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);

    expect((await account(id)).mfaEnabled).toBe(true);
    expect(await historyEvents(id)).toContain('mfaAdded');
    expect((await mailsTo('ada@example.com')).map((m) => m.kind)).toContain('mfa-changed');
    // The session that set it up goes on; sessions opened without the factor end.
    expect((await request('GET', '/auth/session', undefined, { token: session })).body.mfa).toEqual({ enabled: true, required: false, recoveryCodesLeft: 10 });
    expect((await request('GET', '/auth/session', undefined, { token: elsewhere })).status).toBe(401);

    // Kept sealed: neither the key nor a recovery code is in the database in clear.
    const [row] = await t.store.query<{ secret: string }>('select secret from user_mfa where user_id = $1', [id]);
    expect(row!.secret).not.toContain(enrolment.body.secret);
    expect(Buffer.from(row!.secret).includes(Buffer.from(secret))).toBe(false);
    const stored = JSON.stringify(await t.store.query('select * from mfa_recovery_codes where user_id = $1', [id]));
    for (const code of confirmed.body.recoveryCodes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace(/-/g, ''));
    }
  });

  it('lists and filters users by mfaEnabled', async () => {
    const listed = await t.client.request('GET', `/Users?filter=${encodeURIComponent(`${ACCOUNT}:mfaEnabled eq true`)}&attributes=userName`);
    expect(listed.status).toBe(200);
    expect(listed.body.Resources.map((u: { userName: string }) => u.userName)).toContain('ada@example.com');
    expect(listed.body.Resources.map((u: { userName: string }) => u.userName)).not.toContain('the.other@example.com');
  });

  it('refuses to write mfaEnabled through SCIM: it is read-only', async () => {
    const id = await createUser('readonly@example.com');
    const patched = await t.client.request('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: `${ACCOUNT}:mfaEnabled`, value: true }] });
    expect(patched.status).toBe(400);
    expect((await account(id)).mfaEnabled).toBe(false);
  });
});

describe('signing in with a second factor', () => {
  let secret: Uint8Array;
  let recoveryCodes: string[];
  let id: string;

  beforeAll(async () => {
    id = await createUser('grace@example.com');
    ({ secret, recoveryCodes } = await enrol(await signIn('grace@example.com')));
  });

  it('answers the right password with 403 mfa_required and a short-lived token, and no session; the code completes it', async () => {
    const before = (await account(id)).lastLogin;
    const first = await login('grace@example.com');
    expect(first.status).toBe(403);
    expect(first.body.error).toBe('mfa_required');
    expect(first.body.mfaToken).toMatch(/^ulink_/);
    expect(Date.parse(first.body.expiresAt) - clock().getTime()).toBeLessThanOrEqual(5 * 60_000);
    expect(first.body.token).toBeUndefined();
    expect((await account(id)).lastLogin).toBe(before);

    const done = await request('POST', '/auth/mfa/verify', { mfaToken: first.body.mfaToken, code: totpCode(secret, clock()) });
    expect(done.status).toBe(200);
    expect(done.body.user.userName).toBe('grace@example.com');
    expect((await request('GET', '/scim/v2/Me', undefined, { token: done.body.token })).status).toBe(200);
    expect((await account(id)).lastLogin).not.toBe(before);
    // The token is single use.
    const again = await request('POST', '/auth/mfa/verify', { mfaToken: first.body.mfaToken, code: totpCode(secret, clock()) });
    expect(again.status).toBe(401);
    expect(again.body.error).toBe('invalid_token');
    nextStep();
  });

  it('accepts each code once (RFC 6238 section 5.2): the same code replayed is refused, the next step is not', async () => {
    const code = totpCode(secret, clock());
    const first = await login('grace@example.com');
    expect((await request('POST', '/auth/mfa/verify', { mfaToken: first.body.mfaToken, code })).status).toBe(200);
    const second = await login('grace@example.com');
    const replayed = await request('POST', '/auth/mfa/verify', { mfaToken: second.body.mfaToken, code });
    expect(replayed.status).toBe(401);
    expect(replayed.body.error).toBe('invalid_code');
    nextStep();
    expect((await request('POST', '/auth/mfa/verify', { mfaToken: second.body.mfaToken, code: totpCode(secret, clock()) })).status).toBe(200);
    nextStep();
  });

  it('accepts a code of the step before or after (a phone clock a little off), and none further away', async () => {
    const far = totpCode(secret, new Date(clock().getTime() + 95_000));
    const near = totpCode(secret, new Date(clock().getTime() + 30_000));
    const started = await login('grace@example.com');
    if (far !== near) expect((await request('POST', '/auth/mfa/verify', { mfaToken: started.body.mfaToken, code: far })).status).toBe(401);
    expect((await request('POST', '/auth/mfa/verify', { mfaToken: started.body.mfaToken, code: near })).status).toBe(200);
    offsetMs += 60_000;
  });

  it('takes a recovery code once, in any case and with or without dashes', async () => {
    const started = await login('grace@example.com');
    const code = recoveryCodes[0]!.toUpperCase().replace(/-/g, ' ');
    const used = await request('POST', '/auth/mfa/verify', { mfaToken: started.body.mfaToken, recoveryCode: code });
    expect(used.status).toBe(200);
    const again = await login('grace@example.com');
    expect((await request('POST', '/auth/mfa/verify', { mfaToken: again.body.mfaToken, recoveryCode: recoveryCodes[0] })).status).toBe(401);
    expect((await request('GET', '/auth/session', undefined, { token: used.body.token })).body.mfa.recoveryCodesLeft).toBe(9);
  });

  it('needs a code or a recovery code: 400 without either', async () => {
    const started = await login('grace@example.com');
    const answer = await request('POST', '/auth/mfa/verify', { mfaToken: started.body.mfaToken });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_request');
  });
});

describe('guessing codes', () => {
  it('voids the sign-in token after five wrong codes, and holds the address back as wrong passwords do', async () => {
    const id = await createUser('guessed@example.com');
    const { secret } = await enrol(await signIn('guessed@example.com'));
    const right = totpCode(secret, clock());
    const wrongCode = (n: number) => String((Number(right) + 1 + n) % 1_000_000).padStart(6, '0');
    const address = '203.0.113.99';
    const started = await login('guessed@example.com', PASSWORD, address);
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) answers.push((await request('POST', '/auth/mfa/verify', { mfaToken: started.body.mfaToken, code: wrongCode(i) }, { address })).status);
    expect(answers).toEqual([401, 401, 401, 401, 401]);
    // Five failures from this address into this account: held back, the right password included.
    const held = await login('guessed@example.com', PASSWORD, address);
    expect(held.status).toBe(429);
    expect(held.headers.get('retry-after')).toBe('60');
    // The token itself is spent: the right code signs in no more, from here or elsewhere.
    expect((await request('POST', '/auth/mfa/verify', { mfaToken: started.body.mfaToken, code: right }, { address })).status).toBe(401);
    const spent = await request('POST', '/auth/mfa/verify', { mfaToken: started.body.mfaToken, code: right }, { address: '203.0.113.100' });
    expect(spent.status).toBe(401);
    expect(spent.body.error).toBe('invalid_token');
    // Counted against the account too; the owner, elsewhere, signs in.
    expect((await account(id)).failedLogins).toBe(5);
    const owner = await login('guessed@example.com', PASSWORD, '192.0.2.10');
    expect(owner.status).toBe(403);
    expect((await request('POST', '/auth/mfa/verify', { mfaToken: owner.body.mfaToken, code: right }, { address: '192.0.2.10' })).status).toBe(200);
    expect((await account(id)).failedLogins).toBe(0);
    nextStep();
  });

  it('does not clear the count on a right password alone: only a completed sign-in does', async () => {
    const id = await createUser('half@example.com');
    const { secret } = await enrol(await signIn('half@example.com'));
    const right = totpCode(secret, clock());
    const wrong = right === '123456' ? '654321' : '123456';
    for (let round = 0; round < 2; round++) {
      const started = await login('half@example.com', PASSWORD, `198.51.100.${30 + round}`);
      for (let i = 0; i < 2; i++) {
        expect((await request('POST', '/auth/mfa/verify', { mfaToken: started.body.mfaToken, code: wrong }, { address: `198.51.100.${30 + round}` })).status).toBe(401);
      }
    }
    expect((await account(id)).failedLogins).toBe(4);
  });
});

describe('the sign-in chain', () => {
  it('goes password, code, new password when the password is temporary', async () => {
    const id = await createUser('chain@example.com');
    const { secret } = await enrol(await signIn('chain@example.com'));
    const temporary = await t.client.request('POST', `/Users/${id}/temporary-password`, {});
    expect(temporary.status).toBe(200);
    const first = await login('chain@example.com', temporary.body.password);
    expect(first.body.error).toBe('mfa_required');
    const second = await request('POST', '/auth/mfa/verify', { mfaToken: first.body.mfaToken, code: totpCode(secret, clock()) });
    expect(second.status).toBe(403);
    expect(second.body.error).toBe('password_change_required');
    const third = await request('POST', '/auth/password', { changeToken: second.body.changeToken, newPassword: 'a brand new passphrase of mine' });
    expect(third.status).toBe(200);
    expect(third.body.token).toMatch(/^usess_/);
    nextStep();
  });

  it('voids an outstanding sign-in token when the password changes', async () => {
    const id = await createUser('voided@example.com');
    const { secret } = await enrol(await signIn('voided@example.com'));
    const started = await login('voided@example.com');
    const changed = await t.client.request('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'password', value: 'the identity providers new one' }] });
    expect(changed.status).toBe(200);
    const answer = await request('POST', '/auth/mfa/verify', { mfaToken: started.body.mfaToken, code: totpCode(secret, clock()) });
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe('invalid_token');
    nextStep();
  });
});

describe('replacing the app, new recovery codes, turning it off', () => {
  it('replaces the authenticator: the old key works until the new one is confirmed, then no more', async () => {
    const id = await createUser('phone@example.com');
    const session = await signIn('phone@example.com');
    const old = await enrol(session);
    const enrolment = await request('POST', '/auth/mfa/enrol', { currentPassword: PASSWORD }, { token: session });
    const fresh = decodeBase32IgnorePadding(enrolment.body.secret);
    const meanwhile = await login('phone@example.com');
    expect((await request('POST', '/auth/mfa/verify', { mfaToken: meanwhile.body.mfaToken, code: totpCode(old.secret, clock()) })).status).toBe(200);
    nextStep();
    const confirmed = await request('POST', '/auth/mfa/confirm', { code: totpCode(fresh, clock()) }, { token: session });
    expect(confirmed.status).toBe(200);
    expect(await historyEvents(id)).toContain('mfaReplaced');
    nextStep();
    const after = await login('phone@example.com');
    expect((await request('POST', '/auth/mfa/verify', { mfaToken: after.body.mfaToken, code: totpCode(old.secret, clock()) })).status).toBe(401);
    expect((await request('POST', '/auth/mfa/verify', { mfaToken: after.body.mfaToken, recoveryCode: old.recoveryCodes[1] })).status).toBe(401);
    expect((await request('POST', '/auth/mfa/verify', { mfaToken: after.body.mfaToken, code: totpCode(fresh, clock()) })).status).toBe(200);
    nextStep();
  });

  it('renews the recovery codes with the password and a code; the old ones stop working', async () => {
    await createUser('renew@example.com');
    const session = await signIn('renew@example.com');
    const { secret, recoveryCodes } = await enrol(session);
    const noCode = await request('POST', '/auth/mfa/recovery-codes', { currentPassword: PASSWORD }, { token: session });
    expect(noCode.status).toBe(400);
    const renewed = await request('POST', '/auth/mfa/recovery-codes', { currentPassword: PASSWORD, code: totpCode(secret, clock()) }, { token: session });
    expect(renewed.status).toBe(200);
    expect(renewed.body.recoveryCodes).toHaveLength(10);
    const started = await login('renew@example.com');
    expect((await request('POST', '/auth/mfa/verify', { mfaToken: started.body.mfaToken, recoveryCode: recoveryCodes[0] })).status).toBe(401);
    expect((await request('POST', '/auth/mfa/verify', { mfaToken: started.body.mfaToken, recoveryCode: renewed.body.recoveryCodes[0] })).status).toBe(200);
    nextStep();
  });

  it('turns off with the password and a code; wrong codes given with a session end it after three', async () => {
    const id = await createUser('off@example.com');
    const session = await signIn('off@example.com');
    const { secret } = await enrol(session);
    const right = totpCode(secret, clock());
    const wrong = right === '123456' ? '654321' : '123456';
    const stolen = await (async () => {
      const started = await login('off@example.com');
      nextStep();
      const answer = await request('POST', '/auth/mfa/verify', { mfaToken: started.body.mfaToken, code: totpCode(secret, clock()) });
      return answer.body.token as string;
    })();
    expect((await request('POST', '/auth/mfa/disable', { currentPassword: PASSWORD, code: wrong }, { token: stolen })).status).toBe(401);
    expect((await request('POST', '/auth/mfa/disable', { currentPassword: PASSWORD, code: wrong }, { token: stolen })).status).toBe(401);
    const third = await request('POST', '/auth/mfa/disable', { currentPassword: PASSWORD, code: wrong }, { token: stolen });
    expect(third.body.error).toBe('session_ended');
    expect((await request('GET', '/auth/session', undefined, { token: stolen })).status).toBe(401);
    expect((await account(id)).mfaEnabled).toBe(true);

    nextStep();
    const off = await request('POST', '/auth/mfa/disable', { currentPassword: PASSWORD, code: totpCode(secret, clock()) }, { token: session });
    expect(off.status).toBe(204);
    expect((await account(id)).mfaEnabled).toBe(false);
    expect(await historyEvents(id)).toContain('mfaRemoved');
    expect((await mailsTo('off@example.com')).filter((m) => m.kind === 'mfa-changed')).toHaveLength(2);
    expect((await login('off@example.com')).status).toBe(200);
    const again = await request('POST', '/auth/mfa/disable', { currentPassword: PASSWORD, code: totpCode(secret, clock()) }, { token: session });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('mfa_not_enabled');
  });
});

describe('an administrator resets a second factor', () => {
  it('removes it (204), with history and a notice; the user signs in with the password alone', async () => {
    const id = await createUser('lost.phone@example.com');
    await enrol(await signIn('lost.phone@example.com'));
    const reset = await t.client.request('POST', `/Users/${id}/mfa-reset`);
    expect(reset.status).toBe(204);
    expect((await account(id)).mfaEnabled).toBe(false);
    expect(await historyEvents(id)).toContain('mfaRemoved');
    expect((await mailsTo('lost.phone@example.com')).map((m) => m.subject)).toContain('Two-step verification changed on your acme account');
    expect((await login('lost.phone@example.com')).status).toBe(200);
    expect((await t.store.query('select 1 from mfa_recovery_codes where user_id = $1', [id])).length).toBe(0);
    // Again: nothing to remove, nothing changes.
    expect((await t.client.request('POST', `/Users/${id}/mfa-reset`)).status).toBe(204);
    expect((await historyEvents(id)).filter((e) => e === 'mfaRemoved')).toHaveLength(1);
  });

  it('404 for a user of another tenant; 403 for a session that lacks what the user holds', async () => {
    const other = await t.newTenant('globex');
    const stranger = await other.request('POST', '/Users', userBody('stranger@example.com'));
    expect((await t.client.request('POST', `/Users/${stranger.body.id}/mfa-reset`)).status).toBe(404);

    const adminId = await createUser('boss@example.com');
    await makeAdministrator(adminId);
    await enrol(await signIn('boss@example.com'));
    const groups = await t.client.request('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'urn:usher:params:scim:schemas:extension:persona:2.0:Group'],
      displayName: 'Helpdesk',
      'urn:usher:params:scim:schemas:extension:persona:2.0:Group': { permissions: ['users:read', 'users:write'] },
    });
    const helper = await createUser('helpdesk@example.com');
    await t.client.request('PATCH', `/Groups/${groups.body.id}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: helper }] }] });
    const session = await signIn('helpdesk@example.com');
    const refused = await scimRequest(t.app, session, 'POST', `/Users/${adminId}/mfa-reset`);
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/permission/);
    expect((await account(adminId)).mfaEnabled).toBe(true);
    nextStep();
  });
});

describe("the tenant's requirement", () => {
  it('makes users who hold users:write set up a factor at sign-in, and keeps them from turning it off', async () => {
    const id = await createUser('must@example.com');
    await makeAdministrator(id);
    const plain = await createUser('plain@example.com');
    const deps = { tenancy: t.tenancy } as Parameters<typeof runAdminCommand>[0];
    const set = await runAdminCommand(deps, { command: 'tenant.update', slug: 'acme', mfaRequired: true });
    expect(set.lines[0]).toMatch(/require-mfa on \(users:write\)/);
    try {
      // A user who manages no one is not asked.
      expect((await login('plain@example.com')).status).toBe(200);
      expect((await account(plain)).mfaEnabled).toBe(false);

      const started = await login('must@example.com');
      expect(started.status).toBe(403);
      expect(started.body.error).toBe('mfa_enrolment_required');
      expect(started.body.detail).toMatch(/two-step verification/);
      // The token sets up a factor and nothing else: it is no session.
      expect((await request('GET', '/auth/session', undefined, { token: started.body.mfaToken })).status).toBe(401);
      expect((await request('POST', '/auth/mfa/verify', { mfaToken: started.body.mfaToken, code: '123456' })).status).toBe(401);

      const enrolment = await request('POST', '/auth/mfa/enrol', { mfaToken: started.body.mfaToken });
      expect(enrolment.status).toBe(200);
      const secret = decodeBase32IgnorePadding(enrolment.body.secret);
      const confirmed = await request('POST', '/auth/mfa/confirm', { mfaToken: started.body.mfaToken, code: totpCode(secret, clock()) });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body.recoveryCodes).toHaveLength(10);
      expect(confirmed.body.session.token).toMatch(/^usess_/);
      const session = confirmed.body.session.token;
      expect((await request('GET', '/auth/session', undefined, { token: session })).body.mfa).toEqual({ enabled: true, required: true, recoveryCodesLeft: 10 });
      // The enrolment token is spent.
      expect((await request('POST', '/auth/mfa/enrol', { mfaToken: started.body.mfaToken })).status).toBe(401);

      nextStep();
      const off = await request('POST', '/auth/mfa/disable', { currentPassword: PASSWORD, code: totpCode(secret, clock()) }, { token: session });
      expect(off.status).toBe(403);
      expect(off.body.error).toBe('mfa_mandatory');
      expect((await account(id)).mfaEnabled).toBe(true);
    } finally {
      await runAdminCommand(deps, { command: 'tenant.update', slug: 'acme', mfaRequired: false });
    }
  });

  it('refuses an unknown tenant', async () => {
    const deps = { tenancy: t.tenancy } as Parameters<typeof runAdminCommand>[0];
    await expect(runAdminCommand(deps, { command: 'tenant.update', slug: 'nobody', mfaRequired: true })).rejects.toThrow(/No tenant "nobody"/);
  });
});

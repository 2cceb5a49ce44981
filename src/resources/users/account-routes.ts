// The account actions over HTTP: POST /Users/{id}/password-reset, /temporary-password, /welcome-email, /mfa-reset,
// /deactivate and /reactivate.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../http/env.js';
import { readScimBody } from '../../http/middleware/scim-body.js';
import { ScimError } from '../../scim/errors.js';
import type { AccountActions } from './account-actions.js';
import { contextOf } from '../route.js';

// `schemas` is tolerated: clients that send SCIM messages everywhere add it out of habit.
const temporaryPasswordBody = z.object({ password: z.string().min(1).max(1024).optional(), schemas: z.array(z.string()).optional() }).strict();

/** The body of a temporary-password request: none or `{}` asks for a generated password. */
async function requestedPassword(c: Context<AppEnv>): Promise<string | undefined> {
  // Hono keeps the text it read, so readScimBody reads the same body again at no cost.
  if ((await c.req.text()).trim() === '') return undefined;
  const parsed = temporaryPasswordBody.safeParse(await readScimBody(c));
  if (!parsed.success) {
    throw ScimError.invalidValue('The body must be empty, {} for a generated password, or {"password": "<temporary password>"}.');
  }
  return parsed.data.password;
}

export function accountRoutes(actions: AccountActions) {
  const app = new Hono<AppEnv>();

  app.post('/:id/password-reset', async (c) => {
    await actions.sendPasswordReset(contextOf(c), c.req.param('id'));
    return c.body(null, 202);
  });

  app.post('/:id/temporary-password', async (c) => {
    const generated = await actions.setTemporaryPassword(contextOf(c), c.req.param('id'), await requestedPassword(c));
    // A generated password is shown this once: nothing may keep a copy on the way.
    return generated === undefined ? c.body(null, 204) : c.json({ password: generated }, 200, { 'Cache-Control': 'no-store' });
  });

  app.post('/:id/mfa-reset', async (c) => {
    await actions.resetMfa(contextOf(c), c.req.param('id'));
    return c.body(null, 204);
  });

  app.post('/:id/welcome-email', async (c) => {
    await actions.sendWelcome(contextOf(c), c.req.param('id'));
    return c.body(null, 202);
  });

  // 204: the user is deactivated (or reactivated), or already was; GET the user for its new state.
  app.post('/:id/deactivate', async (c) => {
    await actions.deactivate(contextOf(c), c.req.param('id'));
    return c.body(null, 204);
  });

  app.post('/:id/reactivate', async (c) => {
    await actions.reactivate(contextOf(c), c.req.param('id'));
    return c.body(null, 204);
  });

  return app;
}

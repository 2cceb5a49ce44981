// `usher admin create`: a tenant's first portal administrator, with a welcome mail and the set-password link printed.
import { randomUUID } from 'node:crypto';
import type { AppDeps } from '../http/app.js';
import { DEFAULT_PERSONAS } from '../auth/permissions.js';
import { isMailAddress } from '../mail/index.js';
import type { RequestContext } from '../resources/context.js';
import { createGroupsService } from '../resources/groups/service.js';
import { CLI_ACTOR } from '../resources/history/recorder.js';
import { createUsersService } from '../resources/users/service.js';
import { ScimError } from '../scim/errors.js';
import { parseListParams } from '../scim/list.js';
import { joinTransaction } from '../store/join.js';

const ADMINISTRATOR = DEFAULT_PERSONAS[0]!.displayName;
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** A command the administrator mistyped or that the data does not allow: one line, exit code 1. */
export class AdminCommandError extends Error {
  override readonly name = 'AdminCommandError';
}

export interface NewAdministrator {
  readonly tenant: string;
  readonly userName: string;
  readonly email: string;
  readonly givenName?: string | undefined;
  readonly familyName?: string | undefined;
}

export interface CreatedAdministrator {
  readonly id: string;
  readonly link: string;
}

/**
 * Creates the user and makes it a member of the Administrator persona in one transaction, through the same services
 * as the API (so validation and history are the same); the welcome mail is queued with it, and its link returned.
 */
export async function createAdministrator(deps: AppDeps, input: NewAdministrator): Promise<CreatedAdministrator> {
  if (!isMailAddress(input.email)) throw new AdminCommandError(`--email must be one e-mail address, such as ada@example.com; got "${input.email}".`);
  const tenant = await deps.tenancy.findTenant(input.tenant);
  const ctx: RequestContext = { tenantId: tenant.id, actor: { kind: 'token', id: 'cli', label: 'Usher CLI' }, historyActor: CLI_ACTOR, requestId: randomUUID() };
  const name = input.givenName || input.familyName ? { name: { givenName: input.givenName, familyName: input.familyName } } : {};
  const displayName = [input.givenName, input.familyName].filter(Boolean).join(' ');
  const body = {
    schemas: [USER_SCHEMA],
    userName: input.userName,
    ...(displayName ? { displayName } : {}),
    ...name,
    emails: [{ value: input.email, type: 'work', primary: true }],
  };
  try {
    const created = await deps.store.transaction(async (tx) => {
      let link: string | undefined;
      const joined: AppDeps = {
        ...deps,
        store: joinTransaction(deps.store.kind, tx),
        // The welcome goes out as for any new user; its link is also kept here, for the CLI to print.
        accountMail: { ...deps.accountMail, sendWelcome: async (...args) => (link = await deps.accountMail.sendWelcome(...args)) },
      };
      const groups = createGroupsService(joined);
      const personas = await groups.list(ctx, parseListParams({ filter: `displayName eq "${ADMINISTRATOR}"`, attributes: 'id' }, 1));
      const persona = personas.Resources[0];
      if (!persona) throw new AdminCommandError(`Tenant ${tenant.slug} has no "${ADMINISTRATOR}" persona; create it with POST /scim/v2/Groups first.`);
      const user = await createUsersService(joined).create(ctx, body, {});
      const id = user.resource.id as string;
      await groups.patch(ctx, persona.id as string, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }] }, {}, undefined);
      if (!link) throw new Error('createAdministrator: no welcome link was issued');
      return { id, link };
    });
    deps.accountMail.notify();
    return created;
  } catch (error) {
    if (error instanceof ScimError) throw new AdminCommandError(error.detail);
    throw error;
  }
}

// RFC 9967's examples as vectors for the events of a change, and the rules the RFC leaves to the server.
import { describe, expect, it } from 'vitest';
import {
  SCIM_EVENT,
  SCIM_EVENT_URIS,
  activationEvents,
  changeEvents,
  changedAttributeNames,
  createdAttributeNames,
  deleteEvent,
  eventsClaim,
  isScimEventUri,
  scimSubject,
  subjectKeyOf,
  withData,
} from '../../../src/scim/events/index.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../src/scim/schema/resource-types.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

interface Vector<I, E> {
  readonly ref: string;
  readonly input: I;
  readonly expected: E;
}

describe('event URIs (RFC 9967 §7.4)', () => {
  it('are the registered provisioning events, and only those', () => {
    expect([...SCIM_EVENT_URIS].sort()).toEqual(
      [
        'urn:ietf:params:scim:event:prov:create:notice',
        'urn:ietf:params:scim:event:prov:create:full',
        'urn:ietf:params:scim:event:prov:patch:notice',
        'urn:ietf:params:scim:event:prov:patch:full',
        'urn:ietf:params:scim:event:prov:put:notice',
        'urn:ietf:params:scim:event:prov:put:full',
        'urn:ietf:params:scim:event:prov:delete',
        'urn:ietf:params:scim:event:prov:activate',
        'urn:ietf:params:scim:event:prov:deactivate',
      ].sort(),
    );
    expect(isScimEventUri('urn:ietf:params:scim:event:prov:delete')).toBe(true);
    expect(isScimEventUri('urn:ietf:params:scim:event:misc:asyncresp')).toBe(false);
    expect(isScimEventUri('urn:ietf:params:scim:event:feed:add')).toBe(false);
  });
});

describe('subject (RFC 9967 §2.1)', () => {
  const vectors: Vector<Parameters<typeof scimSubject>[0], ReturnType<typeof scimSubject>>[] = [
    {
      ref: 'RFC 9967 Figure 1',
      input: { resourceType: 'User', id: '2b2f880af6674ac284bae9381673d462', externalId: 'alice@example.com' },
      expected: { format: 'scim', uri: '/Users/2b2f880af6674ac284bae9381673d462', externalId: 'alice@example.com' },
    },
    {
      ref: 'RFC 9967 Figure 6',
      input: { resourceType: 'Group', id: '176f397ec4c44b94b2cfcb759780b8c2', externalId: 'crmUsers' },
      expected: { format: 'scim', uri: '/Groups/176f397ec4c44b94b2cfcb759780b8c2', externalId: 'crmUsers' },
    },
    {
      ref: 'RFC 9967 Figure 8 (no externalId known)',
      input: { resourceType: 'User', id: '2819c223-7f76-453a-919d-413861904646', externalId: null },
      expected: { format: 'scim', uri: '/Users/2819c223-7f76-453a-919d-413861904646' },
    },
  ];
  it.each(vectors)('$ref', ({ input, expected }) => {
    expect(scimSubject(input)).toEqual(expected);
  });

  it('keys a subject by type and id, for per-subject order', () => {
    expect(subjectKeyOf({ resourceType: 'User', id: 'ABC' })).toBe('User:abc');
    expect(subjectKeyOf({ resourceType: 'Group', id: 'abc' })).toBe('Group:abc');
  });
});

describe('the attributes a notice lists (RFC 9967 §2.2)', () => {
  it('RFC 9967 Figure 5: a created user lists id, what it was created with, and the password by name', () => {
    const data = { userName: 'jdoe', name: { givenName: 'John', familyName: 'Doe' }, emails: [{ type: 'work', value: 'jdoe@example.com' }] };
    expect(createdAttributeNames(USER_RESOURCE_TYPE, data, { password: true })).toEqual(['id', 'userName', 'name', 'password', 'emails']);
  });

  it('after RFC 9967 Figure 9: a replaced user lists what changed, in schema order, a changed name by its sub-attributes (§2.2)', () => {
    const before = { userName: 'jd', name: { formatted: 'Jon Doe', familyName: 'Doe' }, roles: [{ value: 'a' }], emails: [{ value: 'jd@example.com' }] };
    const after = {
      userName: 'jdoe',
      externalId: 'jdoe',
      name: { formatted: 'Mr. Jon Jack Doe III', familyName: 'Doe', givenName: 'Jon', middleName: 'Jack' },
      roles: [],
      emails: [{ value: 'jdoe@example.com' }, { value: 'anon@jdoe.org' }],
    };
    expect(changedAttributeNames(USER_RESOURCE_TYPE, before, after)).toEqual([
      'externalId',
      'userName',
      'name.formatted',
      'name.givenName',
      'name.middleName',
      'emails',
      'roles',
    ]);
  });

  it('RFC 9967 §2.2: a sub-attribute by its path (name.familyName), extension attributes with their schema URN', () => {
    const before = { userName: 'a', name: { familyName: 'Old' }, [ENTERPRISE]: { department: 'Sales', manager: { value: 'm1' } } };
    const after = { userName: 'a', name: { familyName: 'New' }, [ENTERPRISE]: { department: 'Sales', manager: { value: 'm2' } } };
    expect(changedAttributeNames(USER_RESOURCE_TYPE, before, after)).toEqual(['name.familyName', `${ENTERPRISE}:manager`]);
  });

  it('names the password and a changed effective active without their values, and never read-only attributes', () => {
    expect(changedAttributeNames(USER_RESOURCE_TYPE, { userName: 'a', active: true }, { userName: 'a', active: true }, { password: true, active: true })).toEqual([
      'active',
      'password',
    ]);
    expect(changedAttributeNames(USER_RESOURCE_TYPE, { userName: 'a', id: 'x', meta: { version: '1' } }, { userName: 'a', id: 'y', meta: { version: '2' } })).toEqual([]);
  });

  it('RFC 9967 Figure 7: a group whose members changed lists members', () => {
    expect(changedAttributeNames(GROUP_RESOURCE_TYPE, { displayName: 'crm' }, { displayName: 'crm' }, { members: true })).toEqual(['members']);
    expect(changedAttributeNames(GROUP_RESOURCE_TYPE, { displayName: 'crm' }, { displayName: 'crm' })).toEqual([]);
  });
});

describe('the events of a change (RFC 9967 §2.4)', () => {
  const group = { resourceType: 'Group' as const, id: '176f397ec4c44b94b2cfcb759780b8c2', externalId: 'crmUsers' };
  const user = { resourceType: 'User' as const, id: '2819c223-7f76-453a-919d-413861904646' };

  it('RFC 9967 Figure 7: a patch notice names the attributes and the version', () => {
    const [notice] = changeEvents({ method: 'patch', resource: group, attributes: ['members'], version: 'a330bc54f0671c9' });
    expect(notice!.type).toBe(SCIM_EVENT.patchNotice);
    expect(notice!.subject).toEqual({ format: 'scim', uri: '/Groups/176f397ec4c44b94b2cfcb759780b8c2', externalId: 'crmUsers' });
    expect(eventsClaim(notice!)).toEqual({ 'urn:ietf:params:scim:event:prov:patch:notice': { attributes: ['members'], version: 'a330bc54f0671c9' } });
  });

  it('RFC 9967 Figure 8: a put full form carries version and data, never attributes, and never a password', () => {
    const events = changeEvents({ method: 'put', resource: user, attributes: ['userName', 'externalId', 'name', 'roles', 'emails'], version: 'a330bc54f0671c9' });
    expect(events.map((e) => e.type)).toEqual([SCIM_EVENT.putNotice, SCIM_EVENT.putFull]);
    const full = events[1]!;
    expect(full.needsData).toBe(true);
    const data = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'jdoe', externalId: 'jdoe', password: 'leak', emails: [{ value: 'jdoe@example.com' }] };
    const complete = withData(full, data);
    expect(complete.needsData).toBe(false);
    expect(eventsClaim(complete)).toEqual({
      'urn:ietf:params:scim:event:prov:put:full': {
        version: 'a330bc54f0671c9',
        data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'jdoe', externalId: 'jdoe', emails: [{ value: 'jdoe@example.com' }] },
      },
    });
    // RFC 9967 §2.4: exactly one of data and attributes.
    expect(Object.keys(eventsClaim(events[0]!)[SCIM_EVENT.putNotice]!).sort()).toEqual(['attributes', 'version']);
  });

  it('RFC 9967 Figure 4/5: a create has both forms', () => {
    expect(changeEvents({ method: 'create', resource: user, attributes: ['id', 'userName'] }).map((e) => e.type)).toEqual([SCIM_EVENT.createNotice, SCIM_EVENT.createFull]);
  });

  it('a change of the password alone is a notice only, and a change of nothing no event', () => {
    expect(changeEvents({ method: 'patch', resource: user, attributes: ['password'] }).map((e) => e.type)).toEqual([SCIM_EVENT.patchNotice]);
    expect(changeEvents({ method: 'put', resource: user, attributes: [] })).toEqual([]);
  });

  it('RFC 9967 Figures 10 and 11: delete, activate and deactivate have no members', () => {
    expect(eventsClaim(deleteEvent({ resourceType: 'User', id: '2b2f880af6674ac284bae9381673d462', externalId: 'jDoe' }))).toEqual({
      'urn:ietf:params:scim:event:prov:delete': {},
    });
    expect(deleteEvent({ resourceType: 'User', id: '2b2f880af6674ac284bae9381673d462', externalId: 'jDoe' }).subject).toEqual({
      format: 'scim',
      uri: '/Users/2b2f880af6674ac284bae9381673d462',
      externalId: 'jDoe',
    });
    expect(activationEvents(user, false, true).map(eventsClaim)).toEqual([{ 'urn:ietf:params:scim:event:prov:activate': {} }]);
    expect(activationEvents(user, true, false).map(eventsClaim)).toEqual([{ 'urn:ietf:params:scim:event:prov:deactivate': {} }]);
    expect(activationEvents(user, true, true)).toEqual([]);
  });
});

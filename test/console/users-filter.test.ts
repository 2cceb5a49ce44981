// The filters the console's user list sends (src/console/app/users.ts wordsFilter and statusFilter), run by the real
// app: a name as the list shows it ("Smith, John") or as said ("John Smith") finds the person, and the status filter
// tells Active, Locked and Deactivated apart by the account extension's lockReason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, userBody, type TestContext } from '../helpers/app.js';

const ACCOUNT = 'urn:usher:params:scim:schemas:extension:account:2.0:User';
const SEARCHED = ['userName', 'name.givenName', 'name.familyName', 'emails.value'];
const SEARCHED_BY_START = ['userName', 'name.givenName', 'name.familyName'];

/** As users.ts builds it: each word `co` on the searched attributes (`sw` under three characters), words ANDed. */
function wordsFilter(text: string): string {
  const one = (word: string) => {
    const short = [...word].length < 3;
    return (short ? SEARCHED_BY_START : SEARCHED).map((a) => `${a} ${short ? 'sw' : 'co'} ${JSON.stringify(word)}`).join(' or ');
  };
  const words = text.split(/[\s,]+/).filter(Boolean);
  return words.length === 1 ? one(words[0]!) : words.map((w) => `(${one(w)})`).join(' and ');
}

const reasons = (list: string[]) => list.map((r) => `${ACCOUNT}:lockReason eq "${r}"`).join(' or ');
const STATUS = {
  active: 'active eq true',
  locked: `active eq false and (${reasons(['admin', 'failedLogins'])})`,
  deactivated: `active eq false and (${reasons(['provisioning', 'deactivated'])})`,
};

let t: TestContext;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestContext();
  const people = [
    ['john.smith@example.com', 'John', 'Smith'],
    ['jane.smithers@example.com', 'Jane', 'Smithers'],
    ['smith.johnson@example.com', 'Smith', 'Johnson'],
    ['bob.builder@example.com', 'Bob', 'Builder'],
  ] as const;
  for (const [userName, givenName, familyName] of people) {
    const created = await t.client.request('POST', '/Users', userBody(userName, { name: { givenName, familyName }, emails: [{ value: userName, primary: true }] }));
    expect(created.status).toBe(201);
    ids[givenName] = created.body.id;
  }
  // The identity provider turns Bob off: deactivated, not locked.
  const off = await t.client.request('PATCH', `/Users/${ids.Bob}`, {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'replace', path: 'active', value: false }],
  });
  expect(off.status).toBe(200);
});
afterAll(() => t.close());

async function found(filter: string): Promise<string[]> {
  const response = await t.client.request('GET', `/Users?filter=${encodeURIComponent(filter)}&sortBy=userName&count=50`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.Resources.map((r: { userName: string }) => r.userName);
}

describe("the console's user list filters", () => {
  it.each(['Smith, John', 'John Smith', 'john smith', 'Smith John'])('finds John Smith for "%s", and Smith Johnson too (both words in his name)', async (text) => {
    expect(await found(wordsFilter(text))).toEqual(['john.smith@example.com', 'smith.johnson@example.com']);
  });

  it('takes a short word from the start of a name: "Jo Smith" finds John Smith and Smith Johnson, not Jane Smithers', async () => {
    expect(await found(wordsFilter('Jo Smith'))).toEqual(['john.smith@example.com', 'smith.johnson@example.com']);
    expect(await found(wordsFilter('Ja Smith'))).toEqual(['jane.smithers@example.com']);
  });

  it('keeps one word as it was: any of the searched attributes', async () => {
    expect(await found(wordsFilter('smith'))).toEqual(['jane.smithers@example.com', 'john.smith@example.com', 'smith.johnson@example.com']);
  });

  it('filters by status: Active, Locked and Deactivated', async () => {
    expect(await found(STATUS.active)).toHaveLength(3);
    expect(await found(STATUS.deactivated)).toEqual(['bob.builder@example.com']);
    expect(await found(STATUS.locked)).toEqual([]);
    expect(await found(`(${wordsFilter('Bob')}) and (${STATUS.deactivated})`)).toEqual(['bob.builder@example.com']);
  });
});

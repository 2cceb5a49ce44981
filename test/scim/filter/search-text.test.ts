// What a filter implies about a user's search text (sql/0024): the test an index walk makes before the filter's own.
import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../../src/scim/filter/parser.js';
import { impliedFragment, impliedSearchText } from '../../../src/scim/filter/search-text.js';
import { groupSqlModel } from '../../../src/resources/groups/queries.js';
import { numberInto } from '../../../src/resources/list.js';
import { userSqlModel } from '../../../src/resources/users/queries.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../src/scim/schema/resource-types.js';

/** The implied test as SQL and its values, numbered from $2 as the list runner numbers them after the filter's. */
function implied(filter: string): { sql: string; params: unknown[] } | undefined {
  const test = impliedSearchText(parseFilter(filter), USER_RESOURCE_TYPE, userSqlModel);
  if (test === undefined) return undefined;
  const params: unknown[] = [];
  const sql = test(numberInto(params));
  return { sql, params };
}

const like = (n: number) => `(u.search_text like lower($${n}::text) escape '\\')`;

describe('impliedSearchText', () => {
  it('the console search: an OR of substrings on the four searched attributes is one OR on the text', () => {
    const filter = ['userName', 'name.givenName', 'name.familyName', 'emails.value'].map((a) => `${a} co "Sen"`).join(' or ');
    expect(implied(filter)).toEqual({ sql: `(((${like(2)} or ${like(3)}) or ${like(4)}) or ${like(5)})`, params: ['%Sen%', '%Sen%', '%Sen%', '%Sen%'] });
  });

  it('sw and ew imply the value anywhere; `emails co` compares the values; a core URN names the same attribute', () => {
    expect(implied('userName sw "an"')).toEqual({ sql: like(2), params: ['%an%'] });
    expect(implied('name.familyName ew "sen"')).toEqual({ sql: like(2), params: ['%sen%'] });
    expect(implied('emails co "example"')).toEqual({ sql: like(2), params: ['%example%'] });
    expect(implied('urn:ietf:params:scim:schemas:core:2.0:User:userName co "x"')).toEqual({ sql: like(2), params: ['%x%'] });
  });

  it('an AND implies what either side implies, and both when both do', () => {
    expect(implied('userName co "a" and active eq true')).toEqual({ sql: like(2), params: ['%a%'] });
    expect(implied('active eq true and (name.givenName co "b" or emails.value co "b")')).toEqual({ sql: `(${like(2)} or ${like(3)})`, params: ['%b%', '%b%'] });
    expect(implied('(userName co "ann") and (userName co "lee")')).toEqual({ sql: `(${like(2)} and ${like(3)})`, params: ['%ann%', '%lee%'] });
  });

  it('takes LIKE metacharacters literally', () => {
    expect(implied('userName co "50%_a\\\\b"')).toBeUndefined(); // a backslash: the e-mails' JSON escapes it
    expect(implied('userName co "50%_a"')).toEqual({ sql: like(2), params: ['%50\\%\\_a%'] });
  });

  it.each([
    ['an attribute the text does not hold', 'displayName co "sen"'],
    ['an OR with one such side', 'userName co "sen" or displayName co "sen"'],
    ['an e-mail type', 'emails.type co "work"'],
    ['an extension attribute of the same name', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber co "1"'],
    ['an equality', 'userName eq "sen"'],
    ['a negation', 'not (userName co "sen")'],
    ['a value path', 'emails[value co "sen"]'],
    ['a quote, which JSON escapes', 'emails.value co "a\\"b"'],
    ['a line feed, which could span two of the lines', 'userName co "a\\nb"'],
    ['a presence test', 'userName pr'],
  ])('implies nothing for %s', (_, filter) => {
    expect(implied(filter)).toBeUndefined();
  });

  it('implies nothing for a model without a search text', () => {
    expect(impliedSearchText(parseFilter('displayName co "staff"'), GROUP_RESOURCE_TYPE, groupSqlModel)).toBeUndefined();
  });
});

describe('impliedFragment', () => {
  const fragment = (filter: string, type = USER_RESOURCE_TYPE, model = userSqlModel) => impliedFragment(parseFilter(filter), type, model);

  it('the console search: the one fragment it asks of every attribute, as sent', () => {
    const filter = ['userName', 'name.givenName', 'name.familyName', 'emails.value'].map((a) => `${a} co "Sen"`).join(' or ');
    expect(fragment(filter)).toBe('Sen');
    expect(fragment('name.familyName sw "and" or name.familyName ew "and"')).toBe('and');
  });

  it('an AND gives either side\'s, an OR only one both sides give', () => {
    expect(fragment('active eq true and userName co "ann"')).toBe('ann');
    expect(fragment('userName co "ann" and userName co "lee"')).toBe('ann');
    expect(fragment('userName co "ann" or userName co "lee"')).toBeUndefined();
    expect(fragment('userName co "ann" or userName co "ANN"')).toBeUndefined();
    expect(fragment('userName co "ann" or active eq true')).toBeUndefined();
  });

  it('none under three characters, none the text does not hold whole, none outside the text\'s attributes', () => {
    expect(fragment('userName co "an"')).toBeUndefined();
    expect(fragment('userName co "a\\"b"')).toBeUndefined();
    expect(fragment('title co "engineer"')).toBeUndefined();
    expect(fragment('not (userName co "ann")')).toBeUndefined();
    expect(fragment('userName eq "ann"')).toBeUndefined();
    expect(fragment('displayName co "ann"', GROUP_RESOURCE_TYPE, groupSqlModel)).toBeUndefined();
  });
});

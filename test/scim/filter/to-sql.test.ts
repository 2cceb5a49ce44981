// filterToSql's reading of attributes a resource type does not define (RFC 7644 §3.4.2.2, queries across resource types).
import { describe, expect, it } from 'vitest';
import { ScimError } from '../../../src/scim/errors.js';
import { parseFilter } from '../../../src/scim/filter/parser.js';
import { filterToSql } from '../../../src/scim/filter/to-sql.js';
import { GROUP_RESOURCE_TYPE } from '../../../src/scim/schema/resource-types.js';
import { groupSqlModel } from '../../../src/resources/groups/queries.js';

const onGroups = (filter: string, mode?: 'error' | 'unassigned') =>
  filterToSql(parseFilter(filter), GROUP_RESOURCE_TYPE, groupSqlModel, 1, mode ? { unknownAttributes: mode } : {});

describe('filterToSql with unknownAttributes "unassigned"', () => {
  it.each([
    ['userName sw "a"', 'false'],
    ['userName eq "a"', 'false'],
    ['userName gt "a"', 'false'],
    ['userName pr', 'false'],
    ['userName ne "a"', 'true'],
    ['userName eq null', 'true'],
    ['emails[type eq "work"]', 'false', 'emails'],
    ['not (userName pr)', '(not coalesce(false, false))'],
  ])('%s is %s on a Group, which has no such attribute', (filter, sql, path = 'userName') => {
    const compiled = onGroups(filter, 'unassigned');
    expect(compiled.sql).toBe(sql);
    expect(compiled.params).toEqual([]);
    expect(compiled.unknown).toEqual([path]);
  });

  it('compiles the attributes the type has as always, numbering their parameters after the offset', () => {
    const compiled = onGroups('userName sw "a" or displayName eq "Staff"', 'unassigned');
    expect(compiled.sql).toBe('(false or (lower(g.display_name) = lower($2::text)))');
    expect(compiled.params).toEqual(['Staff']);
    expect(compiled.unknown).toEqual(['userName']);
  });

  it('still refuses what the type has but cannot compare, and by default every unknown attribute', () => {
    expect(() => onGroups('displayName gt 3', 'unassigned')).toThrow(ScimError);
    expect(() => onGroups('userName sw "a"')).toThrow(/Unknown attribute "userName" for resource type Group/);
    expect(onGroups('displayName pr').unknown).toBeUndefined();
  });
});

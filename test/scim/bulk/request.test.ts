// Reading a BulkRequest (RFC 7644 §3.7, §3.7.4): a bad envelope fails the request, a bad operation fails only itself.
import { describe, expect, it } from 'vitest';
import { ScimError } from '../../../src/scim/errors.js';
import { BULK_REQUEST_SCHEMA, parseBulkRequest } from '../../../src/scim/bulk/request.js';

const options = { maxOperations: 3, endpoints: ['Users', 'Groups'] };
const parse = (Operations: unknown[], extra: Record<string, unknown> = {}) => parseBulkRequest({ schemas: [BULK_REQUEST_SCHEMA], Operations, ...extra }, options);
const user = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'a' };

const failure = (fn: () => unknown): ScimError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError');
};

describe('the envelope', () => {
  it.each([
    ['not an object', [], 400, 'invalidSyntax'],
    ['no BulkRequest schema', { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{}] }, 400, 'invalidSyntax'],
    ['no Operations', { schemas: [BULK_REQUEST_SCHEMA] }, 400, 'invalidSyntax'],
    ['empty Operations', { schemas: [BULK_REQUEST_SCHEMA], Operations: [] }, 400, 'invalidSyntax'],
    ['failOnErrors 0', { schemas: [BULK_REQUEST_SCHEMA], Operations: [{}], failOnErrors: 0 }, 400, 'invalidValue'],
    ['failOnErrors "1"', { schemas: [BULK_REQUEST_SCHEMA], Operations: [{}], failOnErrors: '1' }, 400, 'invalidValue'],
  ])('%s fails the whole request', (_name, body, status, scimType) => {
    const error = failure(() => parseBulkRequest(body, options));
    expect([error.status, error.scimType]).toEqual([status, scimType]);
  });

  it('RFC 7644 §3.7.4: more operations than maxOperations is 413, naming the limit', () => {
    const error = failure(() => parse([{}, {}, {}, {}]));
    expect(error.status).toBe(413);
    expect(error.detail).toContain('maxOperations (3)');
  });

  it('reads names in any case', () => {
    const request = parseBulkRequest(
      { Schemas: [BULK_REQUEST_SCHEMA.toUpperCase()], operations: [{ Method: 'post', Path: '/users', BULKID: 'q', Data: user }], FailOnErrors: 2 },
      options,
    );
    expect(request.failOnErrors).toBe(2);
    expect(request.operations[0]).toMatchObject({ method: 'POST', endpoint: 'Users', bulkId: 'q', error: undefined });
  });
});

describe('one operation', () => {
  it.each([
    ['not an object', 'x', 'invalidSyntax'],
    ['a GET', { method: 'GET', path: '/Users/1' }, 'invalidSyntax'],
    ['no method', { path: '/Users/1' }, 'invalidSyntax'],
    ['a POST without bulkId', { method: 'POST', path: '/Users', data: user }, 'invalidSyntax'],
    ['a POST to a resource', { method: 'POST', path: '/Users/1', bulkId: 'q', data: user }, 'invalidPath'],
    ['a PUT without an id', { method: 'PUT', path: '/Users', data: user }, 'invalidPath'],
    ['an unknown endpoint', { method: 'DELETE', path: '/Devices/1' }, 'invalidPath'],
    ['no path', { method: 'DELETE' }, 'invalidPath'],
    ['a PATCH without data', { method: 'PATCH', path: '/Users/1' }, 'invalidSyntax'],
    ['a version that is not a string', { method: 'DELETE', path: '/Users/1', version: 3 }, 'invalidSyntax'],
  ])('%s fails alone', (_name, operation, scimType) => {
    const { operations } = parse([operation, { method: 'DELETE', path: '/Users/1' }]);
    expect(operations[0]!.error?.scimType).toBe(scimType);
    expect(operations[1]!.error).toBeUndefined();
  });

  it.each([
    ['/users', 'POST', 'Users', undefined],
    ['/GROUPS/', 'POST', 'Groups', undefined],
    ['/Users/1/', 'DELETE', 'Users', '1'],
    ['/groups/2/', 'DELETE', 'Groups', '2'],
  ])('reads the path %s as the HTTP routes do: endpoint in any case, one trailing slash', (path, method, endpoint, id) => {
    const { operations } = parse([{ method, path, bulkId: 'g', ...(method === 'POST' ? { data: user } : {}) }]);
    expect(operations[0]).toMatchObject({ error: undefined, endpoint, id });
  });

  it.each(['/Users//', '/Users/1//', '//Users', '/Users/1/x'])('%s names no endpoint: invalidPath', (path) => {
    const { operations } = parse([{ method: 'DELETE', path }]);
    expect(operations[0]!.error?.scimType).toBe('invalidPath');
  });

  it('links references to the POST that defines them, in the path and in data', () => {
    const { operations } = parse([
      { method: 'PATCH', path: '/Groups/bulkId:g', data: { Operations: [{ op: 'add', path: 'members', value: [{ value: 'bulkId:u' }] }] } },
      { method: 'POST', path: '/Groups', bulkId: 'g', data: { displayName: 'G' } },
      { method: 'POST', path: '/Users', bulkId: 'u', data: user },
    ]);
    expect(operations[0]).toMatchObject({ references: ['g', 'u'], dependsOn: [1, 2], error: undefined });
  });

  it('an unknown bulkId fails the operation that uses it with invalidValue', () => {
    const { operations } = parse([{ method: 'DELETE', path: '/Users/bulkId:nobody' }]);
    expect(operations[0]!.error).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(operations[0]!.error?.detail).toContain('bulkId:nobody');
  });

  it('a bulkId used twice fails the second POST; references go to the first', () => {
    const { operations } = parse([
      { method: 'POST', path: '/Users', bulkId: 'q', data: user },
      { method: 'POST', path: '/Users', bulkId: 'q', data: user },
      { method: 'DELETE', path: '/Users/bulkId:q' },
    ]);
    expect(operations[1]!.error).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(operations[2]!.dependsOn).toEqual([0]);
  });
});

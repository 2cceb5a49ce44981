// Reads a PatchOp request body (RFC 7644 §3.5.2): the schema, the operations, their names, paths and values.
import { ScimError } from '../errors.js';
import type { PatchPath } from '../filter/ast.js';
import { parsePath } from '../filter/parser.js';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const MAX_PATCH_OPERATIONS = 1000;

export type PatchOpName = 'add' | 'replace' | 'remove';

export interface PatchOperation {
  /** The operation's index in the request, for error details. */
  readonly index: number;
  readonly op: PatchOpName;
  readonly path: PatchPath | undefined;
  /** The path as the client wrote it. */
  readonly pathText: string | undefined;
  readonly value: unknown;
  readonly hasValue: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(object: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

/** Prefixes an error's detail with the operation it comes from, keeping its status and scimType. */
export function inOperation(index: number, error: unknown): unknown {
  if (!(error instanceof ScimError)) return error;
  return new ScimError(error.status, error.scimType, `Operations[${index}]: ${error.detail}`, { cause: error });
}

export function parsePatchRequest(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw ScimError.invalidSyntax('A PATCH body must be a JSON object with "schemas" and "Operations".');
  const schemas = field(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())) {
    throw ScimError.invalidSyntax(`A PATCH body's "schemas" must be ["${PATCH_OP_SCHEMA}"].`);
  }
  const operations = field(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) {
    throw ScimError.invalidSyntax('A PATCH body needs "Operations": a non-empty array.');
  }
  if (operations.length > MAX_PATCH_OPERATIONS) {
    throw ScimError.tooMany(`A PATCH request may hold at most ${MAX_PATCH_OPERATIONS} operations, got ${operations.length}.`);
  }
  return operations.map((raw, index): PatchOperation => {
    try {
      if (!isObject(raw)) throw ScimError.invalidSyntax('An operation must be an object with "op", and "path" or "value".');
      const op = field(raw, 'op');
      // Microsoft Entra ID capitalises operation names ("Replace", "Add"); RFC 7644 spells them in lower case.
      const name = typeof op === 'string' ? op.toLowerCase() : undefined;
      if (name !== 'add' && name !== 'replace' && name !== 'remove') {
        throw ScimError.invalidSyntax(`"op" must be "add", "replace" or "remove", got ${JSON.stringify(op)}.`);
      }
      const pathValue = field(raw, 'path');
      if (pathValue !== undefined && pathValue !== null && typeof pathValue !== 'string') {
        throw ScimError.invalidPath(`"path" must be a string, got ${JSON.stringify(pathValue)}.`);
      }
      const pathText = typeof pathValue === 'string' && pathValue.trim() !== '' ? pathValue.trim() : undefined;
      const keys = Object.keys(raw).map((k) => k.toLowerCase());
      const value = field(raw, 'value');
      const hasValue = keys.includes('value');
      if (name !== 'remove' && !hasValue) throw ScimError.invalidSyntax(`"${name}" needs a "value".`);
      if (name === 'remove' && pathText === undefined) throw ScimError.noTarget('"remove" needs a "path".');
      return { index, op: name, path: pathText === undefined ? undefined : parsePath(pathText), pathText, value, hasValue };
    } catch (error) {
      throw inOperation(index, error);
    }
  });
}

// SCIM protocol errors (RFC 7644 §3.12): one error class, named constructors, one scimType -> status table.

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** RFC 7644 §3.12 Table 9, plus the cursor errors of RFC 9865 §4. */
export const SCIM_TYPE_STATUS = {
  invalidFilter: 400,
  tooMany: 400,
  uniqueness: 409,
  mutability: 400,
  invalidSyntax: 400,
  invalidPath: 400,
  noTarget: 400,
  invalidValue: 400,
  invalidVers: 400,
  sensitive: 403,
  invalidCursor: 400,
  expiredCursor: 400,
  invalidCount: 400,
} as const;

export type ScimType = keyof typeof SCIM_TYPE_STATUS;

export interface ScimErrorBody {
  schemas: [typeof ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail?: string;
}

export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;
  readonly detail: string;

  constructor(status: number, scimType: ScimType | undefined, detail: string, options?: { cause?: unknown }) {
    super(detail, options);
    this.name = 'ScimError';
    this.status = status;
    this.scimType = scimType;
    this.detail = detail;
  }

  private static typed(scimType: ScimType, detail: string, cause?: unknown): ScimError {
    return new ScimError(SCIM_TYPE_STATUS[scimType], scimType, detail, { cause });
  }

  static invalidFilter(detail: string): ScimError {
    return ScimError.typed('invalidFilter', detail);
  }
  static tooMany(detail: string): ScimError {
    return ScimError.typed('tooMany', detail);
  }
  static uniqueness(detail: string): ScimError {
    return ScimError.typed('uniqueness', detail);
  }
  static mutability(detail: string): ScimError {
    return ScimError.typed('mutability', detail);
  }
  static invalidSyntax(detail: string): ScimError {
    return ScimError.typed('invalidSyntax', detail);
  }
  static invalidPath(detail: string): ScimError {
    return ScimError.typed('invalidPath', detail);
  }
  static noTarget(detail: string): ScimError {
    return ScimError.typed('noTarget', detail);
  }
  static invalidValue(detail: string): ScimError {
    return ScimError.typed('invalidValue', detail);
  }
  static invalidVers(detail: string): ScimError {
    return ScimError.typed('invalidVers', detail);
  }
  static invalidCursor(detail: string): ScimError {
    return ScimError.typed('invalidCursor', detail);
  }
  static expiredCursor(detail: string): ScimError {
    return ScimError.typed('expiredCursor', detail);
  }
  static invalidCount(detail: string): ScimError {
    return ScimError.typed('invalidCount', detail);
  }
  static badRequest(detail: string): ScimError {
    return new ScimError(400, undefined, detail);
  }
  static unauthorized(detail = 'Authentication is required.'): ScimError {
    return new ScimError(401, undefined, detail);
  }
  static forbidden(detail: string): ScimError {
    return new ScimError(403, undefined, detail);
  }
  static notFound(detail: string): ScimError {
    return new ScimError(404, undefined, detail);
  }
  static methodNotAllowed(detail: string): ScimError {
    return new ScimError(405, undefined, detail);
  }
  static conflict(detail: string): ScimError {
    return new ScimError(409, undefined, detail);
  }
  static preconditionFailed(detail: string): ScimError {
    return new ScimError(412, undefined, detail);
  }
  static payloadTooLarge(detail: string): ScimError {
    return new ScimError(413, undefined, detail);
  }
  static unsupportedMediaType(detail: string): ScimError {
    return new ScimError(415, undefined, detail);
  }
  static notImplemented(detail: string): ScimError {
    return new ScimError(501, undefined, detail);
  }

  toJSON(): ScimErrorBody {
    return {
      schemas: [ERROR_SCHEMA],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.detail,
    };
  }
}

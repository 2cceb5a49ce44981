// The ServiceProviderConfig resource (RFC 7643 §5): what this server supports, built from the running configuration.
import { SERVICE_PROVIDER_CONFIG_SCHEMA } from '../../scim/schema/meta-schemas.js';

export interface Features {
  readonly maxResults: number;
  readonly maxPayloadSize: number;
  readonly maxBulkOperations: number;
  readonly cursorTtlSeconds: number;
}

export function serviceProviderConfig(features: Features, scimBaseUrl: string): Record<string, unknown> {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA.id],
    patch: { supported: true },
    bulk: { supported: true, maxOperations: features.maxBulkOperations, maxPayloadSize: features.maxPayloadSize },
    filter: { supported: true, maxResults: features.maxResults },
    // A password can be set with POST and replaced with PUT.
    changePassword: { supported: true },
    sort: { supported: true },
    // RFC 9865 §4: both index and cursor paging; a request chooses cursor paging by sending `cursor`.
    pagination: {
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: features.maxResults,
      maxPageSize: features.maxResults,
      cursorTimeout: features.cursorTtlSeconds,
    },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'An API token issued with `usher token create`, sent as Authorization: Bearer <token>.',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: {
      resourceType: 'ServiceProviderConfig',
      location: `${scimBaseUrl}/ServiceProviderConfig`,
    },
  };
}

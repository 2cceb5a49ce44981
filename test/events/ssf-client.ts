// Requests to /ssf and /.well-known through the real app, JSON both ways, for the SSF tests.
import type { App } from '../../src/http/app.js';

export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

export const PUSH = 'urn:ietf:rfc:8935';
export const POLL = 'urn:ietf:rfc:8936';
export const VERIFICATION = 'https://schemas.openid.net/secevent/ssf/event-type/verification';
export const CREATE_FULL = 'urn:ietf:params:scim:event:prov:create:full';
export const PATCH_NOTICE = 'urn:ietf:params:scim:event:prov:patch:notice';

export async function ssfRequest(app: App, token: string | undefined, method: string, path: string, body?: unknown): Promise<JsonResponse> {
  const response = await app.request(path, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the assertion to show.
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** A resolver for the receiver URL policy: names the test knows, and nothing else. */
export const testResolver =
  (names: Record<string, readonly string[]>) =>
  async (host: string): Promise<readonly string[]> => {
    const addresses = names[host];
    if (!addresses) throw new Error(`ENOTFOUND ${host}`);
    return addresses;
  };

// One HTTP exchange with the server under test, with Node's fetch: the token goes only to --url, never into output.

export interface Exchange {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON; the raw text when it is not JSON; undefined when empty. */
  readonly body: unknown;
  readonly text: string;
}

export interface OutgoingRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly auth: boolean;
}

export interface Client {
  send(request: OutgoingRequest): Promise<Exchange>;
}

export interface ClientOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly timeoutMs: number;
}

export function createClient(options: ClientOptions): Client {
  return {
    async send(request) {
      if (!request.url.startsWith(`${options.baseUrl}/`)) throw new Error(`refusing to send a request outside --url: ${request.url}`);
      const headers: Record<string, string> = { Accept: 'application/scim+json, application/json', 'User-Agent': 'usher-conformance' };
      if (request.body !== undefined) headers['Content-Type'] = 'application/scim+json';
      Object.assign(headers, request.headers);
      if (request.auth) headers.Authorization = `Bearer ${options.token}`;
      const response = await fetch(request.url, {
        method: request.method,
        headers,
        body: request.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const text = await response.text();
      let body: unknown;
      if (text.trim() !== '') {
        try {
          body = JSON.parse(text) as unknown;
        } catch {
          body = text;
        }
      }
      const responseHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        responseHeaders[name.toLowerCase()] = value;
      });
      return { status: response.status, headers: responseHeaders, body, text };
    },
  };
}

// Bounds the request body of a route, chunked or not: over the bound the answer is 413, sent before the rest arrives.
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

export interface BoundedBodyOptions {
  /** The most bytes a body may have; 0 for routes that take none. */
  readonly maxSize: number;
  /** The 413 in the route's own error format; `maxSize` is 0 for a GET or HEAD, which takes no body on any route. */
  readonly tooLarge: (c: Context, maxSize: number) => Response;
}

/**
 * A declared Content-Length over the bound is refused before a byte is read; a chunked body is read up to the
 * bound (hono's bodyLimit) and refused at the first byte past it, without reading on. The 413 says
 * `Connection: close`: the unread remainder is not drained into the void, the connection ends with the answer.
 */
export function boundedBody(options: BoundedBodyOptions): MiddlewareHandler {
  const { maxSize } = options;
  const refuse = (c: Context, bound: number) => {
    const response = options.tooLarge(c, bound);
    response.headers.set('Connection', 'close');
    return response;
  };
  const streamed = bodyLimit({ maxSize, onError: (c) => refuse(c, maxSize) });
  return async (c, next) => {
    const bound = c.req.method === 'GET' || c.req.method === 'HEAD' ? 0 : maxSize;
    const chunked = c.req.header('transfer-encoding') !== undefined;
    const declared = Number(c.req.header('content-length') ?? 0);
    if (!chunked && declared > bound) return refuse(c, bound);
    // Node hands no body stream to a GET or HEAD, yet would read and discard one sent all the same.
    if (bound === 0 && chunked) return refuse(c, bound);
    return streamed(c, next);
  };
}

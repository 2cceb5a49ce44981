// One push of a Security Event Token to a receiver (RFC 8935 §2): an HTTP POST of application/secevent+jwt, to the
// address the receiver URL policy checked just now (pinnedLookup), no redirect followed, every wait bounded.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkReceiverUrl, pinnedLookup } from './receiver-url.js';

export interface PushRequest {
  readonly url: string;
  readonly token: string;
  /** The stream's Authorization header value, opened; undefined sends none. */
  readonly authorization: string | undefined;
  readonly allowHttpLoopback: boolean;
  /** Bounds the connection and the wait for each byte of the answer (socket inactivity). */
  readonly timeoutMs: number;
  /** Aborts the push (the worker's stop); the push then rejects. */
  readonly signal: AbortSignal;
  /** Resolves host names (tests); the system resolver by default. */
  readonly resolve?: (host: string) => Promise<readonly string[]>;
}

/**
 * What became of a push: `delivered` (2xx), `refused` (400 with an RFC 8935 §2.3 error: the receiver will never take
 * this token, so it is not sent again), or `retry` (anything else: the receiver may take it later).
 */
export type PushResult =
  | { readonly outcome: 'delivered' }
  | { readonly outcome: 'refused'; readonly error: string }
  | { readonly outcome: 'retry'; readonly error: string };

/** The answer body read at most: an RFC 8935 error is a few hundred bytes. */
const MAX_ANSWER_BYTES = 16 * 1024;
const MAX_DESCRIPTION = 200;

export class PushAborted extends Error {
  override readonly name = 'PushAborted';
}

export async function pushSet(push: PushRequest): Promise<PushResult> {
  const checked = await checkReceiverUrl(push.url, { allowHttpLoopback: push.allowHttpLoopback, ...(push.resolve ? { resolve: push.resolve } : {}) });
  if (!checked.ok) return { outcome: 'retry', error: `receiver URL refused: ${checked.reason}` };
  const { url } = checked;
  const body = Buffer.from(push.token, 'ascii');
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PushResult>((resolve, reject) => {
    if (push.signal.aborted) return reject(new PushAborted('push aborted'));
    let settled = false;
    const finish = (result: PushResult | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      push.signal.removeEventListener('abort', onAbort);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const req = send(url, {
      method: 'POST',
      lookup: pinnedLookup(checked.address, checked.family),
      timeout: push.timeoutMs,
      headers: {
        'Content-Type': 'application/secevent+jwt',
        Accept: 'application/json',
        'Content-Length': String(body.length),
        ...(push.authorization !== undefined ? { Authorization: push.authorization } : {}),
      },
    });
    // The whole exchange is bounded too, not only each silence: a receiver that trickles bytes cannot hold a worker.
    const overall = setTimeout(() => {
      req.destroy();
      finish({ outcome: 'retry', error: `no answer within ${Math.round((push.timeoutMs * 3) / 1000)} s` });
    }, push.timeoutMs * 3);
    overall.unref();
    const onAbort = () => {
      req.destroy();
      finish(new PushAborted('push aborted'));
    };
    push.signal.addEventListener('abort', onAbort, { once: true });
    req.on('timeout', () => {
      req.destroy();
      finish({ outcome: 'retry', error: `no answer within ${Math.round(push.timeoutMs / 1000)} s` });
    });
    req.on('error', (error: NodeJS.ErrnoException) => finish({ outcome: 'retry', error: `cannot reach the receiver: ${error.code ?? error.message}` }));
    req.on('response', (res) => {
      readAnswer(res).then(
        (text) => finish(judge(res, text)),
        (error: NodeJS.ErrnoException) => finish({ outcome: 'retry', error: `the receiver's answer broke off: ${error.code ?? error.message}` }),
      );
    });
    req.end(body);
  });
}

function readAnswer(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      if (size >= MAX_ANSWER_BYTES) return;
      chunks.push(chunk);
      size += chunk.length;
      // Enough read: the rest is not needed and the connection is not reused.
      if (size >= MAX_ANSWER_BYTES) res.destroy();
    });
    res.on('end', () => resolve(Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8')));
    res.on('close', () => resolve(Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8')));
    res.on('error', reject);
  });
}

const clip = (text: string, max: number) => {
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** RFC 8935 §2.2: 202 is the answer; other 2xx are taken as delivered too (the receiver has the token). */
function judge(res: IncomingMessage, text: string): PushResult {
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) return { outcome: 'delivered' };
  if (status === 400) {
    const error = rfc8935Error(text);
    if (error) return { outcome: 'refused', error: error.description ? `${error.err}: ${error.description}` : error.err };
    return { outcome: 'retry', error: 'HTTP 400 without an RFC 8935 error (err, description)' };
  }
  if (status >= 300 && status < 400) {
    const location = res.headers.location;
    return { outcome: 'retry', error: `HTTP ${status}${location ? ` to ${clip(location, MAX_DESCRIPTION)}` : ''}: redirects are not followed; configure the receiver's final URL` };
  }
  return { outcome: 'retry', error: `HTTP ${status}` };
}

/** The error object of RFC 8935 §2.3: `err` a short code, `description` free text, both strings. */
function rfc8935Error(text: string): { err: string; description: string | undefined } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { err, description } = parsed as Record<string, unknown>;
  if (typeof err !== 'string' || err === '') return undefined;
  return { err: clip(err, 64), description: typeof description === 'string' ? clip(description, MAX_DESCRIPTION) : undefined };
}

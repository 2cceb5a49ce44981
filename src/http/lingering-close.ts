// Closes a connection whose request body was not read to its end without losing the answer written on it (a lingering close).
import type { Socket } from 'node:net';

export interface LingerOptions {
  /** How long to go on reading and discarding after the answer, at most. */
  readonly maxMs: number;
  /** How many bytes to read and discard after the answer, at most. */
  readonly maxBytes: number;
}

// The bytes cap is above what the kernel buffers of a connection hold (several MB on loopback): those were sent before
// the client could see the answer, and a close while they arrive would reset the connection all the same.
export const DEFAULT_LINGER: LingerOptions = { maxMs: 2000, maxBytes: 16 * 1024 * 1024 };

/**
 * Node ends a `Connection: close` answer with socket.destroySoon(): FIN, then close(). Closing a socket with unread
 * bytes in its receive buffer makes the kernel send a reset, which can discard the answer before the client read it,
 * so a client still sending a refused body would see a reset instead of its 413. Here the socket half-closes, keeps
 * reading for a bounded time and number of bytes (discarded by Node's HTTP parser, so memory does not grow), then
 * closes, at the latest when the client closes its side: long enough for the client to read the answer and stop,
 * never long enough to take in an endless body.
 */
export function closeLingering(socket: Socket, options: LingerOptions = DEFAULT_LINGER): void {
  let lingering = false;
  // @hono/node-server calls it too, after its own drain of the request; the first call decides.
  socket.destroySoon = function lingeringDestroySoon(this: Socket) {
    if (lingering) return;
    lingering = true;
    if (this.writable) this.end();
    let read = 0;
    const close = () => {
      clearTimeout(timer);
      this.off('data', count);
      this.destroy();
    };
    const count = (chunk: Buffer) => {
      read += chunk.length;
      if (read > options.maxBytes) close();
    };
    const timer = setTimeout(close, options.maxMs);
    timer.unref();
    this.on('data', count);
    this.once('end', close);
    this.once('close', () => clearTimeout(timer));
    this.resume();
  };
}

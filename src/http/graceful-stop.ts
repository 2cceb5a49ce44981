// Stops an HTTP server without resetting a request: stop listening, answer what arrives with `Connection: close`, then end idle connections.
//
// Node's own `server.close()` closes idle keep-alive connections at once, and a connection counts as idle until
// its request's bytes have been parsed: a request already sent by the client, still in the kernel's buffer or
// not yet read from it, is reset, and a client does not retry a PATCH that was reset. So listening stops with
// net.Server's close alone, every connection gets a short grace in which a request that arrives is served (and its
// connection closed after the answer), and only then are the connections that stayed idle ended, with a FIN,
// never a reset. At the deadline the caller destroys whatever is left.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

export interface GracefulStop {
  /**
   * Stops listening and resolves once every connection has closed. Requests that arrive within `graceMs` on
   * connections already open are served with `Connection: close`; after it, idle connections are ended.
   */
  stop(graceMs: number): Promise<void>;
  /** Destroys every connection left: the deadline has come. */
  destroyAll(): void;
}

/** Call before the server accepts its first connection. */
export function gracefulStop(server: Server): GracefulStop {
  /** Open connections, each with the number of its requests not yet answered. */
  const sockets = new Map<Socket, number>();
  /** Responses under way whose headers are not sent: on stop, each closes its connection once sent. */
  const responses = new Set<ServerResponse>();
  let stopping = false;
  let graceOver = false;

  const endIfIdle = (socket: Socket) => {
    if (sockets.get(socket) === 0 && !socket.destroyed) socket.end();
  };

  server.on('connection', (socket: Socket) => {
    sockets.set(socket, 0);
    socket.once('close', () => sockets.delete(socket));
  });
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    sockets.set(socket, (sockets.get(socket) ?? 0) + 1);
    if (stopping) response.shouldKeepAlive = false;
    responses.add(response);
    response.once('close', () => {
      responses.delete(response);
      if (!sockets.has(socket)) return;
      sockets.set(socket, Math.max(0, sockets.get(socket)! - 1));
      // A response sent keep-alive before the stop leaves its connection idle: end it once the grace is over.
      if (graceOver) setImmediate(() => endIfIdle(socket));
    });
  });

  return {
    stop(graceMs) {
      stopping = true;
      for (const response of responses) if (!response.headersSent) response.shouldKeepAlive = false;
      const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
      const timer = setTimeout(() => {
        // In the check phase, after this turn's poll phase has read and parsed every request that has arrived,
        // so a connection whose request is there is not counted idle.
        setImmediate(() => {
          graceOver = true;
          for (const socket of sockets.keys()) endIfIdle(socket);
        });
      }, graceMs);
      void closed.then(() => clearTimeout(timer));
      return closed;
    },
    destroyAll() {
      for (const socket of sockets.keys()) socket.destroy();
    },
  };
}

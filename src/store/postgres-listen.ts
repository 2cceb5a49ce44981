// LISTEN on PostgreSQL over a connection of its own, which says when it is lost and comes back by itself.
//
// postgres.js's sql.listen re-listens after a lost connection but tells nobody that it was lost, and the
// notifications of the gap are gone: a cache kept fresh by them would go on serving what changed meanwhile. Here
// each listener hears state(false) the moment the connection closes, and state(true) once it listens again.
import postgres from 'postgres';
import type { ChannelListener } from './store.js';

/** Waits before each new attempt after a loss, longer while attempts keep failing (ms). */
const RETRY_DELAYS_MS = [50, 250, 1_000, 5_000];

export interface PostgresListener {
  listen(channel: string, listener: ChannelListener): () => void;
  close(): Promise<void>;
}

interface Session {
  readonly sql: postgres.Sql;
  live: boolean;
  lost: boolean;
}

const quoted = (channel: string) => `"${channel.replace(/"/g, '""')}"`;

export function createPostgresListener(url: string): PostgresListener {
  const channels = new Map<string, Set<ChannelListener>>();
  let current: Session | undefined;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;

  const everyone = () => [...channels.values()].flatMap((set) => [...set]);

  function connect(): void {
    retry = undefined;
    if (closed || current || channels.size === 0) return;
    const session: Session = {
      sql: postgres(url, {
        max: 1,
        idle_timeout: 0,
        max_lifetime: null,
        fetch_types: false,
        onnotice: () => {},
        connection: { application_name: 'usher listen' },
        onclose: () => lost(session),
        // Not in postgres.js's types, but what its own sql.listen is built on: each NotificationResponse.
        ...({
          onnotify: (channel: string, payload: string) => {
            if (current !== session || !session.live) return;
            for (const listener of [...(channels.get(channel) ?? [])]) listener.message(payload);
          },
        } as object),
      }),
      live: false,
      lost: false,
    };
    current = session;
    const listened = [...channels.keys()];
    Promise.all(listened.map((channel) => session.sql.unsafe(`listen ${quoted(channel)}`))).then(
      () => {
        if (current !== session || session.lost) return;
        session.live = true;
        failures = 0;
        for (const listener of listened.flatMap((channel) => [...(channels.get(channel) ?? [])])) listener.state(true);
      },
      () => lost(session),
    );
  }

  function lost(session: Session): void {
    if (session.lost) return;
    session.lost = true;
    const wasLive = session.live;
    session.live = false;
    void session.sql.end({ timeout: 0 }).catch(() => {});
    if (current !== session) return;
    current = undefined;
    if (wasLive) for (const listener of everyone()) listener.state(false);
    if (closed) return;
    retry = setTimeout(connect, RETRY_DELAYS_MS[Math.min(failures, RETRY_DELAYS_MS.length - 1)]);
    retry.unref();
    failures++;
  }

  return {
    listen(channel, listener) {
      let set = channels.get(channel);
      const known = set !== undefined;
      if (!set) channels.set(channel, (set = new Set()));
      set.add(listener);
      const session = current;
      if (!session) {
        if (!retry) connect();
      } else if (!known) {
        // A new channel on the open connection: this listener is live once it is listened to.
        session.sql.unsafe(`listen ${quoted(channel)}`).then(
          () => session.live && current === session && set.has(listener) && listener.state(true),
          () => lost(session),
        );
      } else if (session.live) {
        listener.state(true);
      }
      return () => {
        set.delete(listener);
        if (set.size === 0) {
          channels.delete(channel);
          if (current?.live) current.sql.unsafe(`unlisten ${quoted(channel)}`).catch(() => {});
        }
      };
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const session = current;
      current = undefined;
      if (session) {
        session.lost = true;
        await session.sql.end({ timeout: 0 }).catch(() => {});
      }
    },
  };
}

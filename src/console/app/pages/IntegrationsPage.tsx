// Integrations: the account's event streams (where changes are sent, and how they are doing) and its API tokens
// (what identity providers and scripts sign in with). For people holding events:manage.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { request } from '../api';
import { useConfirmation } from '../components/ConfirmDialog';
import { CopyButton } from '../components/CopyButton';
import { Dialog } from '../components/Dialog';
import { DialogForm } from '../components/DialogForm';
import { Field } from '../components/Field';
import { LoadedList } from '../components/LoadedList';
import { PageHeading } from '../components/PageHeading';
import { ActionsHeader, Table } from '../components/Table';
import { formatDateTime } from '../format';

const PUSH = 'urn:ietf:rfc:8935';
const POLL = 'urn:ietf:rfc:8936';

interface Stream {
  readonly stream_id: string;
  readonly delivery: { readonly method: string; readonly endpoint_url: string; readonly authorization_header_set?: boolean };
  readonly description?: string;
  readonly status: 'enabled' | 'paused' | 'disabled';
  readonly reason?: string;
  readonly delivered: number;
  readonly pending: number;
  readonly failed: number;
  readonly last_error: string | null;
  readonly last_error_at: string | null;
}

interface Token {
  readonly id: string;
  readonly label: string;
  readonly scopes: readonly string[] | null;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
}

const PROV = 'urn:ietf:params:scim:event:prov';
const LIFECYCLE = [`${PROV}:delete`, `${PROV}:activate`, `${PROV}:deactivate`];
/** RFC 9967 §2.4: what a stream asks for, by what each event carries (the changed resource, or only what changed). */
const EVENTS = {
  full: [`${PROV}:create:full`, `${PROV}:put:full`, `${PROV}:patch:full`, ...LIFECYCLE],
  notice: [`${PROV}:create:notice`, `${PROV}:put:notice`, `${PROV}:patch:notice`, ...LIFECYCLE],
} as const;

const STATUS_WORDS = { enabled: 'Sending', paused: 'Paused', disabled: 'Stopped' } as const;
const SCOPE_WORDS: Record<string, string> = { 'users:read': 'Read users', 'users:write': 'Manage users', 'events:manage': 'Manage event streams' };
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
const when = (iso: string | null) => (iso ? formatDateTime(iso) : '—');

function useList<T>(load: () => Promise<T[]>): { items?: T[]; error?: string; reload: () => void } {
  const [state, setState] = useState<{ items?: T[]; error?: string }>({});
  const reload = () => {
    load().then(
      (items) => setState({ items }),
      (e: unknown) => setState({ error: messageOf(e) }),
    );
  };
  useEffect(reload, []);
  return { ...state, reload };
}

/** One card of the page: its title with the button that adds to it, a line on what it is for, then its list. */
function Section({ id, title, add, onAdd, intro, children }: { id: string; title: string; add: string; onAdd: () => void; intro: string; children: ComponentChildren }) {
  return (
    <section class="card integrations__section" aria-labelledby={id}>
      <div class="integrations__head">
        <h2 class="card__title" id={id}>
          {title}
        </h2>
        <button type="button" class="button button--primary" onClick={onAdd}>
          {add}
        </button>
      </div>
      <p class="muted">{intro}</p>
      {children}
    </section>
  );
}

function AddStreamDialog({ onClose, onAdded }: { onClose: () => void; onAdded: (stream: Stream) => void }) {
  const [method, setMethod] = useState<'push' | 'poll'>('push');
  const [url, setUrl] = useState('');
  const [authorization, setAuthorization] = useState('');
  const [description, setDescription] = useState('');
  const [carries, setCarries] = useState<'full' | 'notice'>('full');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    const delivery = method === 'push' ? { method: PUSH, endpoint_url: url.trim(), ...(authorization.trim() ? { authorization_header: authorization.trim() } : {}) } : { method: POLL };
    try {
      const stream = await request<Stream>('POST', '/ssf/streams', { body: { delivery, events_requested: EVENTS[carries], ...(description.trim() ? { description: description.trim() } : {}) } });
      onAdded(stream);
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  };
  return (
    <Dialog title="Add an event stream" onClose={onClose} size="medium">
      <DialogForm onSubmit={submit} submitLabel="Add stream" busy={busy} error={error} onCancel={onClose}>
        <fieldset class="personas">
          <legend class="personas__legend">How changes reach the receiver</legend>
          <label class="check__control">
            <input type="radio" name="method" checked={method === 'push'} onChange={() => setMethod('push')} />
            <span>Usher sends them to the receiver (push)</span>
          </label>
          <label class="check__control">
            <input type="radio" name="method" checked={method === 'poll'} onChange={() => setMethod('poll')} />
            <span>The receiver collects them from Usher (poll)</span>
          </label>
        </fieldset>
        {method === 'push' && (
          <>
            <Field label="Receiver URL" type="text" inputMode="text" value={url} onValue={setUrl} required hint="The https address the receiver takes events at." autoComplete="off" spellcheck={false} />
            <Field label="Authorization header (optional)" value={authorization} onValue={setAuthorization} hint='Sent with every event, e.g. "Bearer <token>". Kept encrypted; never shown again.' autoComplete="off" spellcheck={false} />
          </>
        )}
        <fieldset class="personas">
          <legend class="personas__legend">What each event carries</legend>
          <label class="check__control">
            <input type="radio" name="carries" checked={carries === 'full'} onChange={() => setCarries('full')} />
            <span>The whole user or persona after the change</span>
          </label>
          <label class="check__control">
            <input type="radio" name="carries" checked={carries === 'notice'} onChange={() => setCarries('notice')} />
            <span>Only the names of what changed (the receiver reads the rest)</span>
          </label>
        </fieldset>
        <Field label="Description (optional)" value={description} onValue={setDescription} autoComplete="off" />
      </DialogForm>
    </Dialog>
  );
}

function StreamsSection() {
  const streams = useList(() => request<Stream[]>('GET', '/ssf/streams'));
  const [adding, setAdding] = useState(false);
  const removal = useConfirmation();
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();

  const setStatus = async (stream: Stream, status: 'enabled' | 'paused') => {
    setError(undefined);
    try {
      await request('POST', '/ssf/status', { body: { stream_id: stream.stream_id, status } });
      setNotice(status === 'paused' ? 'Stream paused: changes are kept until you resume it.' : 'Stream resumed.');
      streams.reload();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  const remove = (stream: Stream) =>
    removal.ask({
      message: `Remove the stream to ${stream.delivery.endpoint_url}? Changes not yet delivered are dropped.`,
      act: () => request('DELETE', '/ssf/streams', { query: { stream_id: stream.stream_id } }),
      done: () => {
        setNotice('Stream removed.');
        streams.reload();
      },
    });

  return (
    <Section
      id="streams-title"
      title="Event streams"
      add="Add stream"
      onAdd={() => setAdding(true)}
      intro="Each stream sends every change to users and personas to one receiver, as signed security events."
    >
      <LoadedList items={streams.items} notice={notice} loading="Loading streams…" error={error ?? streams.error} empty="No event streams yet.">
        {(items) => (
          <Table
            label="List of event streams"
            head={
              <>
                <th scope="col">Receiver</th>
                <th scope="col">Status</th>
                <th scope="col">Delivered</th>
                <th scope="col">Waiting</th>
                <th scope="col">Failed</th>
                <th scope="col">Last error</th>
                <ActionsHeader />
              </>
            }
          >
            {items.map((stream) => (
              <tr key={stream.stream_id} data-stream={stream.stream_id}>
                <td class="wrap">
                  <span class="strong">{stream.delivery.method === PUSH ? 'Push to ' : 'Poll at '}</span>
                  <code class="integrations__url">{stream.delivery.endpoint_url}</code>
                  {stream.description && <div class="muted small">{stream.description}</div>}
                </td>
                <td>
                  {STATUS_WORDS[stream.status]}
                  {stream.reason && <div class="muted small">{stream.reason}</div>}
                </td>
                <td>{stream.delivered}</td>
                <td>{stream.pending}</td>
                <td>{stream.failed}</td>
                <td class="wrap">
                  {stream.last_error ? (
                    <>
                      {stream.last_error}
                      <div class="muted small">{when(stream.last_error_at)}</div>
                    </>
                  ) : (
                    <span class="muted">None</span>
                  )}
                </td>
                <td class="nowrap">
                  <div class="row-actions">
                    {stream.status === 'paused' ? (
                      <button type="button" class="button button--secondary" onClick={() => setStatus(stream, 'enabled')}>
                        Resume
                      </button>
                    ) : (
                      <button type="button" class="button button--secondary" onClick={() => setStatus(stream, 'paused')}>
                        Pause
                      </button>
                    )}
                    <button type="button" class="button button--danger-outline" onClick={() => remove(stream)}>
                      Remove
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </LoadedList>
      {adding && (
        <AddStreamDialog
          onClose={() => setAdding(false)}
          onAdded={(stream) => {
            setAdding(false);
            setNotice(stream.delivery.method === POLL ? `Stream added. The receiver collects events at ${stream.delivery.endpoint_url}` : 'Stream added.');
            streams.reload();
          }}
        />
      )}
      {removal.dialog}
    </Section>
  );
}

function NewTokenDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const [label, setLabel] = useState('');
  const [scope, setScope] = useState<'all' | 'users:read' | 'users:write' | 'events:manage'>('users:write');
  const [expires, setExpires] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string>();
  const secretRef = useRef<HTMLInputElement>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const body = { label: label.trim(), ...(scope !== 'all' ? { scopes: [scope] } : {}), ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`).toISOString() } : {}) };
      const created = await request<Token & { token: string }>('POST', '/api/tokens', { body });
      setSecret(created.token);
      onCreated();
    } catch (e) {
      setError(messageOf(e));
    }
    setBusy(false);
  };
  if (secret) {
    return (
      <Dialog title="Token created" onClose={onClose} size="medium">
        <div class="dialog__body">
          <p class="alert alert--warning">Copy this token now: it is shown only once. Usher keeps only a fingerprint of it.</p>
          <div class="field">
            <label class="field__label" for="new-token">
              API token
            </label>
            <input id="new-token" ref={secretRef} class="input integrations__secret" readOnly value={secret} />
          </div>
          <CopyButton text={secret} label="Copy token" target={secretRef} />
        </div>
        <div class="dialog__footer">
          <button type="button" class="button button--primary" onClick={onClose}>
            Done
          </button>
        </div>
      </Dialog>
    );
  }
  return (
    <Dialog title="Create an API token" onClose={onClose} size="medium">
      <DialogForm onSubmit={submit} submitLabel="Create token" busy={busy} error={error} onCancel={onClose}>
        <Field label="Label" value={label} onValue={setLabel} required hint="Who or what uses it, e.g. Okta or Microsoft Entra ID." autoComplete="off" />
        <div class="field">
          <label class="field__label" for="token-scope">
            What it may do
          </label>
          <select id="token-scope" class="input select" value={scope} onChange={(event) => setScope(event.currentTarget.value as typeof scope)}>
            <option value="users:write">Manage users (identity providers)</option>
            <option value="users:read">Read users only</option>
            <option value="events:manage">Manage event streams only</option>
            <option value="all">Everything in this account</option>
          </select>
        </div>
        <div class="field">
          <label class="field__label" for="token-expiry">
            Expires (optional)
          </label>
          <input id="token-expiry" class="input" type="date" value={expires} onInput={(event) => setExpires(event.currentTarget.value)} />
        </div>
      </DialogForm>
    </Dialog>
  );
}

function TokensSection() {
  const tokens = useList(async () => (await request<{ tokens: Token[] }>('GET', '/api/tokens')).tokens);
  const [creating, setCreating] = useState(false);
  const revocation = useConfirmation();
  const [notice, setNotice] = useState<string>();
  const revoke = (token: Token) =>
    revocation.ask({
      message: `Revoke the token "${token.label}"? Whatever uses it stops working at once.`,
      act: () => request('DELETE', `/api/tokens/${encodeURIComponent(token.id)}`),
      done: () => {
        setNotice(`Token "${token.label}" revoked.`);
        tokens.reload();
      },
    });
  return (
    <Section
      id="tokens-title"
      title="API tokens"
      add="Create token"
      onAdd={() => setCreating(true)}
      intro="Identity providers such as Okta and Microsoft Entra ID sign in to the SCIM API with a token."
    >
      <LoadedList items={tokens.items} notice={notice} loading="Loading tokens…" error={tokens.error} empty="No API tokens yet.">
        {(items) => (
          <Table
            label="List of API tokens"
            head={
              <>
                <th scope="col">Label</th>
                <th scope="col">May</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <ActionsHeader />
              </>
            }
          >
            {items.map((token) => (
              <tr key={token.id} data-token={token.id}>
                <td class="strong">{token.label}</td>
                <td>{token.scopes ? token.scopes.map((scope) => SCOPE_WORDS[scope] ?? scope).join(', ') : 'Everything'}</td>
                <td class="nowrap">{when(token.createdAt)}</td>
                <td class="nowrap">{token.lastUsedAt ? when(token.lastUsedAt) : 'Never'}</td>
                <td class="nowrap">{token.expiresAt ? when(token.expiresAt) : 'Never'}</td>
                <td class="nowrap">
                  {token.revokedAt ? (
                    <span class="badge badge--inactive">Revoked {when(token.revokedAt)}</span>
                  ) : (
                    <button type="button" class="button button--danger-outline" onClick={() => revoke(token)} aria-label={`Revoke ${token.label}`}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </LoadedList>
      {creating && (
        <NewTokenDialog
          onClose={() => setCreating(false)}
          onCreated={() => {
            setNotice('Token created.');
            tokens.reload();
          }}
        />
      )}
      {revocation.dialog}
    </Section>
  );
}

export function IntegrationsPage() {
  return (
    <main id="main" class="page">
      <div class="page__header">
        <div>
          <PageHeading title="Integrations">Integrations</PageHeading>
          <p class="page__subtitle">Where this account's changes are sent, and the tokens other systems use to reach it.</p>
        </div>
      </div>
      <StreamsSection />
      <TokensSection />
    </main>
  );
}

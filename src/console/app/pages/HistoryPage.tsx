// User History: every recorded change, newest first, for all users or one; searchable and cursor-paged.
import { useEffect, useState } from 'preact/hooks';
import { scim, WITHOUT_TOTAL } from '../api';
import { Field } from '../components/Field';
import { Link } from '../components/Link';
import { PageHeading } from '../components/PageHeading';
import { Pager } from '../components/Pager';
import { formatDateTime, plural } from '../format';
import { useCursorPages, useDebounced } from '../hooks';
import { userPath } from '../router';
import type { HistoryEntry, ListResponse, User } from '../scim-types';
import { attributeName, historyEvent, historyValue } from '../words';

/** An entry as the server sends it: a Group's entries (members added, renamed) name the group, not a user. */
type Entry = HistoryEntry & { readonly resourceType?: string };

const PAGE_SIZE = 25;

function historyPath(userId: string | undefined): string {
  return userId ? `/Users/${encodeURIComponent(userId)}/History` : '/History';
}

/** A page of entries, without their total (RFC 7240 Prefer): a common search's count reads every entry it finds. */
export function fetchHistory(userId: string | undefined, search: string, cursor: string) {
  return scim<ListResponse<Entry>>('GET', historyPath(userId), {
    query: { search: search.trim() || undefined, count: PAGE_SIZE, cursor },
    headers: WITHOUT_TOTAL,
  });
}

/** How many entries the list has (count=0: the number alone), asked once its first page is shown. */
async function fetchHistoryTotal(userId: string | undefined, search: string): Promise<number | undefined> {
  const answer = await scim<ListResponse<Entry>>('GET', historyPath(userId), { query: { search: search.trim() || undefined, count: 0 } });
  return answer.totalResults;
}

function Value({ text }: { text: string | undefined }) {
  return text ? <td class="history__value">{text}</td> : <td class="muted">—</td>;
}

/** Who a row is about: the user; for a group's entry, the member its values name (never the group). */
function subjectOf(entry: Entry): string {
  if (entry.resourceType !== 'Group') return entry.userName ?? '';
  if (entry.event === 'memberAdded') return entry.newValue ?? '';
  if (entry.event === 'memberRemoved') return entry.oldValue ?? '';
  return '';
}

function EventCell({ entry }: { entry: Entry }) {
  const group = entry.resourceType === 'Group';
  return (
    <td class="wrap">
      {historyEvent(entry)}
      {entry.attribute && entry.attribute !== 'lockReason' && !(group && entry.attribute === 'members') && <span class="history__attribute">{attributeName(entry.attribute)}</span>}
      {group && <span class="history__attribute">Group: {entry.userName}</span>}
    </td>
  );
}

export function HistoryTable({ entries, busy }: { entries: readonly Entry[]; busy: boolean }) {
  return (
    <div class="table-scroll" role="region" aria-labelledby="history-caption" tabIndex={0}>
      <table class="table" aria-busy={busy ? 'true' : 'false'}>
        <caption id="history-caption" class="visually-hidden">
          Changes, newest first
        </caption>
        <thead>
          <tr>
            <th scope="col">User Name</th>
            <th scope="col">Event Description</th>
            <th scope="col">Old Value</th>
            <th scope="col">New Value</th>
            <th scope="col">Date/Time Created</th>
            <th scope="col">Updated By</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id}>
              <td class="strong">{subjectOf(entry)}</td>
              <EventCell entry={entry} />
              <Value text={historyValue(entry.attribute, entry.oldValue)} />
              <Value text={historyValue(entry.attribute, entry.newValue)} />
              <td class="nowrap">
                <time dateTime={entry.created}>{formatDateTime(entry.created)}</time>
              </td>
              <td>{entry.updatedBy ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Whose history this is, for the heading's subtitle; nothing when it cannot be read. */
function useUserName(userId: string | undefined): string | undefined {
  const [name, setName] = useState<string>();
  useEffect(() => {
    setName(undefined);
    if (!userId) return;
    scim<User>('GET', `/Users/${encodeURIComponent(userId)}`, { query: { attributes: 'userName' } }).then(
      (user) => setName(user.userName),
      () => setName(undefined),
    );
  }, [userId]);
  return name;
}

export function HistoryPage({ userId }: { userId?: string }) {
  const [searchText, setSearchText] = useState('');
  const search = useDebounced(searchText, 300);
  const userName = useUserName(userId);
  const { list, error: loadError, total, setCursor } = useCursorPages(
    [userId, search],
    (cursor) => fetchHistory(userId, search, cursor),
    0,
    () => fetchHistoryTotal(userId, search),
  );

  const entries = list.data?.Resources ?? [];
  return (
    <main id="main" class="page">
      <div class="page__header">
        <div>
          <PageHeading title="User History">User History</PageHeading>
          {userId && (
            <p class="page__subtitle">
              {userName ? `Changes to ${userName}. ` : 'Changes to one user. '}
              <Link href="/admin/history">Show all users</Link>
              {' · '}
              <Link href={userPath(userId)}>Open the account</Link>
            </p>
          )}
        </div>
      </div>
      <section class="card" aria-labelledby="page-title">
        <div class="toolbar" role="search">
          <Field
            class="toolbar__search"
            label="Search"
            type="search"
            value={searchText}
            onValue={setSearchText}
            hint="User name, event, value or who made the change"
            autoComplete="off"
            spellcheck={false}
          />
        </div>
        <div class="list-meta">
          <p role="status" class="list-meta__count">
            {total === undefined ? (list.loading ? 'Loading history…' : '') : plural(total, 'entry', 'entries')}
          </p>
        </div>
        {loadError !== undefined && (
          <p class="alert alert--error" role="alert">
            {loadError instanceof Error ? loadError.message : String(loadError)}
          </p>
        )}
        {entries.length > 0 ? (
          <HistoryTable entries={entries} busy={list.loading} />
        ) : (
          !list.loading && !list.error && <p class="empty">{search ? 'No changes match your search.' : 'No changes are recorded yet.'}</p>
        )}
        <Pager label="Pages of history" previous={list.data?.previousCursor} next={list.data?.nextCursor} onPage={setCursor} busy={list.loading} />
      </section>
    </main>
  );
}

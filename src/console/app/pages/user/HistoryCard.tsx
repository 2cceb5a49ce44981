// The user's latest history (the User History list's table), with a link to all of it.
import { Link } from '../../components/Link';
import { useLoad } from '../../hooks';
import { userHistoryPath } from '../../router';
import { fetchHistory, HistoryTable } from '../HistoryPage';

export function HistoryCard({ userId, version }: { userId: string; version: string | undefined }) {
  // Read again whenever the user changes, so an action just taken shows here.
  const history = useLoad(() => fetchHistory(userId, '', ''), [userId, version]);
  const entries = (history.data?.Resources ?? []).slice(0, 5);
  return (
    <section class="card user-card user-card--wide" aria-labelledby="history-title">
      <div class="card__header">
        <h2 id="history-title" class="card__title">
          History
        </h2>
        <Link href={userHistoryPath(userId)} class="button button--secondary button--small">
          User History
        </Link>
      </div>
      {history.error !== undefined ? (
        <p class="alert alert--error" role="alert">
          The history could not be loaded: {history.error instanceof Error ? history.error.message : String(history.error)}
        </p>
      ) : entries.length ? (
        <HistoryTable entries={entries} busy={history.loading} />
      ) : (
        <p class="muted">{history.loading ? 'Loading history…' : 'Nothing recorded yet.'}</p>
      )}
    </section>
  );
}

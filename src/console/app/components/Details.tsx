// A read-only list of labelled values (a user's profile): a dash for what is empty.

export type DetailRow = readonly [term: string, value: string | undefined];

export function Details({ rows, columns = false }: { rows: readonly DetailRow[]; columns?: boolean }) {
  return (
    <dl class={columns ? 'details details--columns' : 'details'}>
      {rows.map(([term, value]) => (
        <div key={term} class="details__row">
          <dt>{term}</dt>
          <dd class={value ? '' : 'muted'}>{value || '—'}</dd>
        </div>
      ))}
    </dl>
  );
}

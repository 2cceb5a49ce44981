// The groups a user is in: directly, and through subgroups (read-only; SCIM computes User.groups); and the history link.
import { Link } from '../../components/Link';
import { userHistoryPath } from '../../router';
import type { User } from '../../scim-types';
import { ActionRow } from './ActionRow';

function GroupList({ names }: { names: readonly string[] }) {
  if (names.length === 0) return <p class="muted">None.</p>;
  return (
    <ul class="chips">
      {names.map((name) => (
        <li key={name} class="chip">
          {name}
        </li>
      ))}
    </ul>
  );
}

export function GroupsSections({ user }: { user: User }) {
  const groups = user.groups ?? [];
  const names = (type: 'direct' | 'indirect') =>
    groups.filter((g) => (g.type ?? 'direct') === type).map((g) => g.display ?? g.value ?? '').filter(Boolean);
  return (
    <>
      <ActionRow title="Groups Associated to User">
        <GroupList names={names('direct')} />
      </ActionRow>
      <ActionRow title="Subgroups Associated to User">
        <GroupList names={names('indirect')} />
      </ActionRow>
      <ActionRow title="History" action={<Link href={userHistoryPath(user.id)} class="button button--secondary">User History</Link>}>
        <p>Every change to this account: what changed, who changed it and when.</p>
      </ActionRow>
    </>
  );
}

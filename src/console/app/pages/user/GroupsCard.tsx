// The groups the user is in (directly, and through a group they are in: User.groups "indirect"), and the subgroups:
// the groups nested under the user's direct groups (their members of type Group), read from /Groups.
import { useLoad } from '../../hooks';
import type { User } from '../../scim-types';
import { directGroupIds } from '../../users';
import { subgroupsOf } from './actions';

function Chips({ names, empty }: { names: readonly string[]; empty: string }) {
  if (names.length === 0) return <p class="muted">{empty}</p>;
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

export function GroupsCard({ user }: { user: User }) {
  const groups = user.groups ?? [];
  const direct = [...directGroupIds(user)];
  const named = (type: 'direct' | 'indirect') => groups.filter((g) => (g.type ?? 'direct') === type).map((g) => g.display ?? g.value ?? '').filter(Boolean);
  const key = direct.sort().join(',');
  const subgroups = useLoad(async () => {
    const lists = await Promise.all(direct.map((id) => subgroupsOf(id)));
    return [...new Set(lists.flat().map((g) => g.name))].sort((a, b) => a.localeCompare(b));
  }, [key]);

  return (
    <section class="card user-card" aria-labelledby="groups-title">
      <h2 id="groups-title" class="card__title">
        Groups
      </h2>
      <h3 class="user-card__subtitle">Groups Associated to User</h3>
      <Chips names={named('direct')} empty="None." />
      {named('indirect').length > 0 && (
        <>
          <h3 class="user-card__subtitle">Also a member through a group</h3>
          <Chips names={named('indirect')} empty="None." />
        </>
      )}
      <h3 class="user-card__subtitle">Subgroups Associated to User</h3>
      <p class="muted small">The groups nested under this user's groups.</p>
      {subgroups.loading && !subgroups.data ? (
        <p class="muted">Loading subgroups…</p>
      ) : subgroups.error !== undefined ? (
        <p class="alert alert--error" role="alert">
          The subgroups could not be loaded: {subgroups.error instanceof Error ? subgroups.error.message : String(subgroups.error)}
        </p>
      ) : (
        <Chips names={subgroups.data ?? []} empty="None." />
      )}
    </section>
  );
}

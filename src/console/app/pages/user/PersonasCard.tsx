// The user's personas: one checkbox each; "Update personas" changes only the ones that changed, and asks first when
// it removes any (what the person loses), warning especially when you remove your own administrator rights.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { LiveStatus } from '../../components/LiveStatus';
import { PersonaChoices } from '../../components/PersonaChoices';
import { addMember, removeMember, type Persona } from '../../personas';
import type { User } from '../../scim-types';
import { USERS_WRITE } from '../../session';
import { directGroupIds, displayNameOf } from '../../users';
import type { Action } from './use-action';

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((id) => b.has(id));
}

const names = (list: readonly Persona[]) => list.map((p) => p.displayName).join(', ');

export interface PersonasCardProps {
  readonly user: User;
  readonly canWrite: boolean;
  readonly own: boolean;
  readonly personas: readonly Persona[];
  readonly action: Action;
  readonly onDirty: (dirty: boolean) => void;
}

export function PersonasCard({ user, canWrite, own, personas, action, onDirty }: PersonasCardProps) {
  const direct = directGroupIds(user);
  const held = new Set(personas.filter((p) => direct.has(p.id)).map((p) => p.id));
  const [selected, setSelected] = useState<ReadonlySet<string>>(held);
  const [confirming, setConfirming] = useState<readonly Persona[]>();
  const base = useRef<ReadonlySet<string>>(held);
  useEffect(() => {
    if (sameSet(selected, base.current)) setSelected(held);
    base.current = held;
  }, [user, personas]);
  const dirty = !sameSet(selected, held);
  useEffect(() => onDirty(dirty), [dirty]);

  if (!canWrite) {
    const list = personas.filter((p) => held.has(p.id));
    return (
      <section class="card user-card" aria-labelledby="personas-title">
        <h2 id="personas-title" class="card__title">
          Personas
        </h2>
        <p>{list.length ? names(list) : 'No personas.'}</p>
      </section>
    );
  }

  const name = displayNameOf(user);
  const toggle = (id: string, checked: boolean) => {
    const next = new Set(selected);
    if (checked) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  const apply = () =>
    action.run(async () => {
      const changed = personas.filter((p) => selected.has(p.id) !== held.has(p.id));
      for (const persona of changed) await (selected.has(persona.id) ? addMember(persona.id, user.id) : removeMember(persona.id, user.id));
      return changed.length ? 'Personas updated.' : 'No persona changed.';
    });
  const submit = (event: Event) => {
    event.preventDefault();
    if (action.busy) return;
    const removed = personas.filter((p) => held.has(p.id) && !selected.has(p.id));
    if (removed.length) setConfirming(removed);
    else void apply();
  };

  const removed = confirming ?? [];
  const losesAdmin = own && removed.some((p) => p.permissions.includes(USERS_WRITE) || p.displayName === 'Administrator');
  const message = losesAdmin
    ? `You are removing your own ${names(removed)} persona: you lose its rights at once, and may no longer be able to manage users, or undo this yourself.`
    : `${name} loses what ${removed.length === 1 ? 'this persona grants' : 'these personas grant'} at once.`;

  return (
    <form class="card user-card" aria-labelledby="personas-title" onSubmit={submit} noValidate>
      <h2 id="personas-title" class="card__title">
        Personas
      </h2>
      <PersonaChoices legend="Personas of this user" legendHidden personas={personas} selected={selected} onToggle={toggle} disabled={action.busy} />
      <div class="card__actions">
        <button type="submit" class="button button--primary" aria-disabled={action.busy || !dirty ? 'true' : undefined}>
          {action.busy ? 'Updating…' : 'Update personas'}
        </button>
        {dirty && (
          <button type="button" class="button button--secondary" onClick={() => setSelected(held)}>
            Cancel
          </button>
        )}
      </div>
      <LiveStatus message={action.status} />
      {confirming && (
        <ConfirmDialog
          title={losesAdmin ? `Remove your own ${names(removed)} persona?` : `Remove ${names(removed)} from ${name}?`}
          message={message}
          confirmLabel="Remove"
          onConfirm={async () => {
            const failure = await apply();
            if (failure !== undefined) throw failure;
            setConfirming(undefined);
          }}
          onClose={() => setConfirming(undefined)}
        />
      )}
    </form>
  );
}

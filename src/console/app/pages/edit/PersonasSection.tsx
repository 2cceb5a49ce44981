// The edit dialog's Personas section: one checkbox per persona; Update Personas changes only the ones that changed.
import { useEffect, useRef, useState } from 'preact/hooks';
import { PersonaChoices } from '../../components/PersonaChoices';
import { addMember, removeMember, type Persona } from '../../personas';
import { directGroupIds } from '../../users';
import { ActionButton, ActionRow } from './ActionRow';
import type { SectionProps } from './section-props';

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((id) => b.has(id));
}

export function PersonasSection({ user, busy, run, canWrite, personas }: SectionProps & { canWrite: boolean; personas: readonly Persona[] }) {
  const direct = directGroupIds(user);
  const held = new Set(personas.filter((p) => direct.has(p.id)).map((p) => p.id));
  const [selected, setSelected] = useState<ReadonlySet<string>>(held);
  // What the checkboxes started from: a re-read user replaces them only when nobody has touched them.
  const base = useRef<ReadonlySet<string>>(held);
  useEffect(() => {
    if (sameSet(selected, base.current)) setSelected(held);
    base.current = held;
  }, [user, personas]);

  if (!canWrite) {
    const names = personas.filter((p) => held.has(p.id)).map((p) => p.displayName);
    return (
      <ActionRow title="Personas">
        <p>{names.length ? names.join(', ') : 'No personas.'}</p>
      </ActionRow>
    );
  }

  const toggle = (id: string, checked: boolean) => {
    const next = new Set(selected);
    if (checked) next.add(id);
    else next.delete(id);
    setSelected(next);
  };

  const update = () =>
    run(async () => {
      const changed = personas.filter((p) => selected.has(p.id) !== held.has(p.id));
      for (const persona of changed) {
        await (selected.has(persona.id) ? addMember(persona.id, user.id) : removeMember(persona.id, user.id));
      }
      return changed.length ? 'Personas updated.' : 'No persona changed.';
    });

  return (
    <ActionRow title="Personas" onSubmit={update} action={<ActionButton submit busy={busy}>Update Personas</ActionButton>}>
      <PersonaChoices legend="Personas of this user" legendHidden personas={personas} selected={selected} onToggle={toggle} disabled={busy} />
    </ActionRow>
  );
}

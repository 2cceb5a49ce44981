// The user list's search: free text (name as shown, user name, email), a persona, a status, and a way back to everyone.
import type { ComponentChildren } from 'preact';
import { Field } from '../components/Field';
import { ChevronDownIcon } from '../components/Icons';
import type { Persona } from '../personas';
import type { StatusFilter } from '../users';

export interface UsersToolbarProps {
  readonly searchText: string;
  readonly onSearchText: (text: string) => void;
  readonly personaId: string;
  readonly onPersona: (id: string) => void;
  readonly status: StatusFilter;
  readonly onStatus: (status: StatusFilter) => void;
  readonly personas: readonly Persona[];
  readonly onReset: () => void;
}

function Select({ id, label, value, onValue, class: className, children }: { id: string; label: string; value: string; onValue: (v: string) => void; class: string; children: ComponentChildren }) {
  return (
    <div class={`field ${className}`}>
      <div class="field__label-row">
        <label for={id} class="field__label">
          {label}
        </label>
      </div>
      <span class="select-wrap">
        <select id={id} class="input select" value={value} onChange={(event) => onValue(event.currentTarget.value)}>
          {children}
        </select>
        <ChevronDownIcon />
      </span>
    </div>
  );
}

export function UsersToolbar(props: UsersToolbarProps) {
  return (
    <div class="toolbar" role="search">
      <Field
        class="toolbar__search"
        label="Search"
        type="search"
        value={props.searchText}
        onValue={props.onSearchText}
        hint="Name, user name or email"
        autoComplete="off"
        spellcheck={false}
      />
      <Select id="persona-filter" label="Persona" class="toolbar__persona" value={props.personaId} onValue={props.onPersona}>
        <option value="">All personas</option>
        {props.personas.map((p) => (
          <option key={p.id} value={p.id}>
            {p.displayName}
          </option>
        ))}
      </Select>
      <Select id="status-filter" label="Status" class="toolbar__status" value={props.status} onValue={(v) => props.onStatus(v as StatusFilter)}>
        <option value="">All statuses</option>
        <option value="active">Active</option>
        <option value="locked">Locked</option>
        <option value="deactivated">Deactivated</option>
      </Select>
      <button type="button" class="button button--secondary toolbar__reset" onClick={props.onReset}>
        Reset search
      </button>
    </div>
  );
}

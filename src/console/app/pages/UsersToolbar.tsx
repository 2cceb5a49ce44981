// The user list's search: free text (name, user name, email), a persona, and a way back to everyone.
import { Field } from '../components/Field';
import { ChevronDownIcon } from '../components/Icons';
import type { Persona } from '../personas';

export interface UsersToolbarProps {
  readonly searchText: string;
  readonly onSearchText: (text: string) => void;
  readonly personaId: string;
  readonly onPersona: (id: string) => void;
  readonly personas: readonly Persona[];
  readonly onReset: () => void;
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
      <div class="field toolbar__persona">
        <div class="field__label-row">
          <label for="persona-filter" class="field__label">
            Persona
          </label>
        </div>
        <span class="select-wrap">
          <select id="persona-filter" class="input select" value={props.personaId} onChange={(event) => props.onPersona(event.currentTarget.value)}>
            <option value="">All personas</option>
            {props.personas.map((p) => (
              <option key={p.id} value={p.id}>
                {p.displayName}
              </option>
            ))}
          </select>
          <ChevronDownIcon />
        </span>
      </div>
      <button type="button" class="button button--secondary toolbar__reset" onClick={props.onReset}>
        Reset search
      </button>
    </div>
  );
}

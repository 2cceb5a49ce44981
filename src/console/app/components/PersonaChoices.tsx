// The persona checkboxes: each one's description and permissions as a tooltip (title) and, for screen readers,
// as its accessible description.
import { useId } from 'preact/hooks';
import { personaSummary, type Persona } from '../personas';

export interface PersonaChoicesProps {
  readonly legend: string;
  readonly personas: readonly Persona[];
  readonly selected: ReadonlySet<string>;
  readonly onToggle: (id: string, checked: boolean) => void;
  readonly disabled?: boolean;
  readonly error?: string;
  /** The legend for screen readers only, where a heading just above says the same. */
  readonly legendHidden?: boolean;
}

export function PersonaChoices(props: PersonaChoicesProps) {
  const id = useId();
  return (
    <fieldset class="personas">
      <legend class={props.legendHidden ? 'visually-hidden' : 'personas__legend'}>{props.legend}</legend>
      {props.error && <p class="field__error">{props.error}</p>}
      <div class="personas__grid">
        {props.personas.map((persona, index) => {
          const summary = personaSummary(persona);
          const descriptionId = `${id}-${index}`;
          return (
            <div key={persona.id} class="check">
              <label class="check__control" title={summary}>
                <input
                  type="checkbox"
                  checked={props.selected.has(persona.id)}
                  disabled={props.disabled}
                  aria-describedby={descriptionId}
                  onChange={(event) => props.onToggle(persona.id, event.currentTarget.checked)}
                />
                <span class="check__label">{persona.displayName}</span>
              </label>
              {/* Outside the label, so it describes the checkbox without becoming part of its name. */}
              <span id={descriptionId} class="visually-hidden">
                {summary}
              </span>
            </div>
          );
        })}
      </div>
      <p class="field__hint">Each persona carries different user permissions. To learn more, hover your cursor over a persona for details.</p>
    </fieldset>
  );
}

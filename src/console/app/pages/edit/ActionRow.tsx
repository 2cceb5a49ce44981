// One section of the edit dialog: a heading and its explanation on the left, its action button on the right.
// With onSubmit it is a form, so Enter in its field presses its button.
import type { ComponentChildren, TargetedSubmitEvent } from 'preact';
import { useId } from 'preact/hooks';

export interface ActionRowProps {
  readonly title: string;
  readonly children?: ComponentChildren;
  readonly action?: ComponentChildren;
  readonly onSubmit?: () => void;
}

export function ActionRow({ title, children, action, onSubmit }: ActionRowProps) {
  const id = useId();
  const content = (
    <>
      <div class="action-row__text">
        <h3 id={id} class="action-row__title">
          {title}
        </h3>
        {children}
      </div>
      {action && <div class="action-row__action">{action}</div>}
    </>
  );
  if (!onSubmit) {
    return (
      <section class="action-row" aria-labelledby={id}>
        {content}
      </section>
    );
  }
  const submit = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form class="action-row" aria-labelledby={id} onSubmit={submit} noValidate>
      {content}
    </form>
  );
}

/**
 * An action button: uppercase by CSS only, so its name stays as written. When it cannot be used (another action is
 * running, or it does not apply) it is aria-disabled rather than disabled: it keeps keyboard focus in its place.
 */
export function ActionButton(props: { children: string; disabled?: boolean; busy?: boolean; onClick?: () => void; submit?: boolean }) {
  const off = props.busy || props.disabled;
  const click = (event: MouseEvent) => {
    if (off) event.preventDefault();
    else props.onClick?.();
  };
  return (
    <button type={props.submit ? 'submit' : 'button'} class="button button--action" aria-disabled={off ? 'true' : undefined} onClick={click}>
      {props.children}
    </button>
  );
}

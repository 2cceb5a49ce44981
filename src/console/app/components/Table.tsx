// A table in a region of its own, named by the table's hidden caption or by a label, that scrolls sideways by
// itself when it is wider than the page (focusable, so the keyboard scrolls it too).
import type { ComponentChildren } from 'preact';

export interface TableProps {
  /** The table's caption, hidden on screen, which names the region too. */
  readonly caption?: { readonly id: string; readonly text: string };
  /** The region's name when there is no caption. */
  readonly label?: string;
  /** The header row's cells. */
  readonly head: ComponentChildren;
  /** The region's class; table-scroll when not given. */
  readonly class?: string;
  /** False where the region holds no scroll of its own to reach by keyboard. */
  readonly focusable?: boolean;
  readonly tableClass?: string;
  /** aria-busy on the table, where the rows are reloaded in place. */
  readonly busy?: boolean;
  /** The rows. */
  readonly children: ComponentChildren;
}

export function Table(props: TableProps) {
  return (
    <div
      class={props.class ?? 'table-scroll'}
      role="region"
      aria-label={props.caption ? undefined : props.label}
      aria-labelledby={props.caption?.id}
      tabIndex={props.focusable === false ? undefined : 0}
    >
      <table class={props.tableClass ?? 'table'} aria-busy={props.busy === undefined ? undefined : props.busy ? 'true' : 'false'}>
        {props.caption && (
          <caption id={props.caption.id} class="visually-hidden">
            {props.caption.text}
          </caption>
        )}
        <thead>
          <tr>{props.head}</tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

/** The header of the row actions' column: named for screen readers, blank on screen. */
export function ActionsHeader({ class: className }: { class?: string }) {
  return (
    <th scope="col" class={className}>
      <span class="visually-hidden">Actions</span>
    </th>
  );
}

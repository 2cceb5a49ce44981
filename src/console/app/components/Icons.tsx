// Inline SVG icons: decorative (aria-hidden); the button around each one carries the name.

const common = { width: 18, height: 18, viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', 'stroke-width': 2,
  'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'aria-hidden': 'true', focusable: 'false' } as const;

export function PencilIcon() {
  return (
    <svg {...common} class="icon">
      <path d="M4 20h4L19 9a2.8 2.8 0 0 0-4-4L4 16v4z" />
      <path d="M13.5 6.5l4 4" />
    </svg>
  );
}

export function CrossIcon() {
  return (
    <svg {...common} class="icon">
      <path d="M6 6l12 12M18 6L6 18" />
    </svg>
  );
}

export function SearchIcon() {
  return (
    <svg {...common} class="icon">
      <circle cx="11" cy="11" r="7" />
      <path d="M20 20l-3.5-3.5" />
    </svg>
  );
}

export function PlusIcon() {
  return (
    <svg {...common} class="icon">
      <path d="M12 5v14M5 12h14" />
    </svg>
  );
}

/** Which way a column is sorted: up, down, or both faint when it is not. */
export function SortIcon({ direction }: { direction: 'ascending' | 'descending' | undefined }) {
  return (
    <svg {...common} class={`icon sort-icon${direction ? ' sort-icon--active' : ''}`} width={14} height={14}>
      {direction !== 'descending' && <path d="M8 10l4-4 4 4" />}
      {direction !== 'ascending' && <path d="M8 14l4 4 4-4" />}
    </svg>
  );
}

export function LogoMark() {
  return (
    <svg width={26} height={26} viewBox="0 0 32 32" aria-hidden="true" focusable="false" class="logo-mark">
      <rect width="32" height="32" rx="8" fill="currentColor" />
      <path d="M10 9v8a6 6 0 0 0 12 0V9" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" />
    </svg>
  );
}

export function ChevronDownIcon() {
  return (
    <svg {...common} class="icon" width={14} height={14}>
      <path d="M6 9l6 6 6-6" />
    </svg>
  );
}

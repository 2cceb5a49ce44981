// A polite live region: what the last action did, or why it failed.

export interface StatusMessage {
  readonly text: string;
  readonly tone: 'success' | 'error' | 'info';
}

export function LiveStatus({ message, class: className }: { message: StatusMessage | undefined; class?: string }) {
  return (
    <div class={`live-status${className ? ` ${className}` : ''}`} role="status" aria-live="polite" aria-atomic="true">
      {message && <p class={`alert alert--${message.tone}`}>{message.text}</p>}
    </div>
  );
}

export function errorMessage(error: unknown): StatusMessage {
  return { text: error instanceof Error ? error.message : String(error), tone: 'error' };
}

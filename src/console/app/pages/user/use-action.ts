// One area of the user page doing something: busy while it runs, then what happened, shown next to that area.
import { useState } from 'preact/hooks';
import { ApiError } from '../../api';
import { errorMessage, type StatusMessage } from '../../components/LiveStatus';

export const CHANGED_MEANWHILE = 'Someone else changed this user meanwhile: the page now shows the latest details. Make your change again.';
export const GONE = 'This user does not exist any more.';

export interface Action {
  readonly busy: boolean;
  readonly status: StatusMessage | undefined;
  /** Runs `work` (resolving to what to announce), then re-reads the user; resolves to the error when it failed. */
  run(work: () => Promise<string>): Promise<unknown>;
  say(message: StatusMessage | undefined): void;
}

export function useAction(reread: () => Promise<void>): Action {
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<StatusMessage>();
  const run = async (work: () => Promise<string>) => {
    if (busy) return new Error('Another action is still running.');
    setBusy(true);
    setStatus({ text: 'Working…', tone: 'info' });
    try {
      const text = await work();
      // Announced once the page shows the new state, so what is heard and what is seen agree.
      await reread();
      setStatus({ text, tone: 'success' });
      return undefined;
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        setStatus({ text: CHANGED_MEANWHILE, tone: 'error' });
        await reread();
      } else {
        setStatus(error instanceof ApiError && error.status === 404 ? { text: GONE, tone: 'error' } : errorMessage(error));
      }
      return error;
    } finally {
      setBusy(false);
    }
  };
  return { busy, status, run, say: setStatus };
}

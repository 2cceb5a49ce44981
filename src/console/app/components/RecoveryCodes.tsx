// The ten recovery codes, shown once right after they are made, with why to save them and a button to copy them.
import { useRef } from 'preact/hooks';
import { CopyButton } from './CopyButton';

export function RecoveryCodes({ codes }: { codes: readonly string[] }) {
  const listRef = useRef<HTMLOListElement>(null);
  return (
    <div class="recovery-codes stack">
      <p class="alert alert--warning">
        <strong>Save these recovery codes now.</strong> They are shown only this once.
      </p>
      <p>
        If you lose your phone or cannot use your authenticator app, each code signs you in once in place of a code from the app. Keep them
        somewhere safe, such as a password manager.
      </p>
      <ol class="recovery-codes__list" ref={listRef} aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div>
        <CopyButton text={codes.join('\n')} label="Copy recovery codes" target={listRef} />
      </div>
    </div>
  );
}

// How to add a new key to an authenticator app: scan the QR code, type the key grouped in fours, or open the
// otpauth link on the phone itself. The form around it asks for the first code.
import { useId, useRef } from 'preact/hooks';
import { groupedKey, type Enrolment } from '../mfa';
import { CopyButton } from './CopyButton';
import { QrCode } from './QrCode';

export function AuthenticatorKey({ enrolment }: { enrolment: Enrolment }) {
  const keyRef = useRef<HTMLElement>(null);
  const labelId = useId();
  const key = groupedKey(enrolment.secret);
  return (
    <ol class="mfa-steps">
      <li>Open an authenticator app on your phone, such as Google Authenticator, Microsoft Authenticator or 1Password, and add an account.</li>
      <li>
        Scan this QR code with the app, or type in the key.
        <div class="mfa-key">
          <QrCode text={enrolment.uri} label="QR code of the key for your authenticator app" />
          <div class="mfa-key__text">
            <p class="small muted" id={labelId}>
              Key
            </p>
            <code class="mfa-key__secret" ref={keyRef} aria-labelledby={labelId}>
              {key}
            </code>
            <div class="mfa-key__actions">
              <CopyButton text={enrolment.secret} label="Copy key" target={keyRef} />
              <a href={enrolment.uri} class="small">
                Open in an authenticator app on this device
              </a>
            </div>
          </div>
        </div>
      </li>
      <li>Enter the {enrolment.digits}-digit code the app shows.</li>
    </ol>
  );
}

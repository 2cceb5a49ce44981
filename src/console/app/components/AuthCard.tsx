// The centred card of the signed-out pages: sign in, and the password pages behind mail links.
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { LogoMark } from './Icons';

export function AuthCard({ title, children }: { title: string; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} · Usher`;
  }, [title]);
  return (
    <main class="auth" id="main">
      <div class="auth__card">
        <div class="auth__brand">
          <LogoMark />
          <span>Usher</span>
        </div>
        <h1 class="auth__title">{title}</h1>
        {children}
      </div>
    </main>
  );
}


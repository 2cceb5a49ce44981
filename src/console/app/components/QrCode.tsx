// A QR code as SVG (one path of dark squares on white), for an authenticator app to scan; drawn in the browser, so
// the key it holds never leaves the page.
import { useMemo } from 'preact/hooks';
import { encode } from 'uqr';

/** Squares of one module each, as one path: `M x y h1 v1 h-1 z` per dark module. */
function pathOf(modules: readonly (readonly boolean[])[]): string {
  const parts: string[] = [];
  modules.forEach((row, y) => row.forEach((dark, x) => dark && parts.push(`M${x} ${y}h1v1h-1z`)));
  return parts.join('');
}

export function QrCode({ text, label }: { text: string; label: string }) {
  // Level M survives a smudged or glaring phone screen; the border of 4 modules is the quiet zone scanners need.
  const qr = useMemo(() => encode(text, { ecc: 'M', border: 4 }), [text]);
  return (
    <svg class="qr-code" viewBox={`0 0 ${qr.size} ${qr.size}`} role="img" aria-label={label} shape-rendering="crispEdges">
      <rect width={qr.size} height={qr.size} fill="#fff" />
      <path d={pathOf(qr.data)} fill="#000" />
    </svg>
  );
}

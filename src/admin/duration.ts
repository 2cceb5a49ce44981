// Durations as the CLI takes them (`--expires-in 90d`): a whole number of days, hours or minutes.

const DURATION = /^([1-9][0-9]{0,5})([dhm])$/;
const UNIT_SECONDS = { d: 86_400, h: 3_600, m: 60 } as const;

/** `90d`, `12h`, `30m` as seconds; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
}

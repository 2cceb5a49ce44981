// Checks a worker factory's numeric options once, so that a bad setting fails at start-up and names the factory.

export function positive(factory: string, name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${factory}: ${name} must be a positive number`);
  return value;
}

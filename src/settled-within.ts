// Whether a promise settles before a deadline: the race every bounded stop and close runs.

/** True when `promise` settled (either way) within `ms`, false when the time ran out first; the timer never outlives the race. */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]);
  clearTimeout(timer);
  return settled;
}

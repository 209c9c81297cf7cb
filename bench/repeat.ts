/** A rate measured once, or three times if one run was short: median and spread. */
export interface Repeated {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** Below this a single run is mostly noise on a shared machine. */
const SHORT_SECONDS = 5;

/**
 * Runs `measure` (which returns a rate and the seconds it took); a run under SHORT_SECONDS is
 * repeated twice more and the median reported, so one scheduling hiccup cannot set a ceiling.
 */
export async function repeatIfShort(
  measure: () => Promise<{ rate: number; seconds: number }>,
): Promise<Repeated> {
  const first = await measure();
  const rates = [first.rate];
  if (first.seconds < SHORT_SECONDS) {
    for (let i = 0; i < 2; i++) rates.push((await measure()).rate);
  }
  rates.sort((a, b) => a - b);
  return {
    median: rates[Math.floor(rates.length / 2)],
    min: rates[0],
    max: rates[rates.length - 1],
    runs: rates.length,
  };
}

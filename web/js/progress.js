// What a run's progress says: the unit it counts ("trial 3 of 20") and an honest time left,
// from the run's own rate once that rate can be measured, never from its first sliver.

const COARSE_UNITS = new Set(["trial", "algorithm"]); // each a whole model: a few show the pace

/** "round 26 of 1000", "trial 3 of 20" (the one running), "trial 4 (time-boxed)",
 * "45 s of 300 s budget". */
export function stepText({ step, total, unit }) {
  if (step === undefined || step === null) return null;
  if (!unit) return total ? `step ${step} of ${total}` : `step ${step}`;
  // An AutoML counts its budget: "45 s of 300 s budget".
  if (unit === "second") return total ? `${step} s of ${total} s budget` : `${step} s`;
  if (!COARSE_UNITS.has(unit)) return total ? `${unit} ${step} of ${total}` : `${unit} ${step}`;
  // A coarse step counts the units done; the person wants the one under way.
  if (!total) return `${unit} ${step + 1} (time-boxed)`;
  if (step >= total) return `${total} of ${total} ${unit}s done`;
  return `${unit} ${step + 1} of ${total}`;
}

/** Coarse units done, which make a rate measurable sooner; null for rounds, epochs, steps. */
export function coarseUnitsDone({ step, unit }) {
  return COARSE_UNITS.has(unit) && typeof step === "number" ? step : null;
}

/** Where a progress report's live metrics go on the chart's x axis: a leaderboard's rounds
 * spread over their algorithm (1.5 = the second algorithm half trained), others by step. */
export function chartStep(event) {
  if (event.unit === "algorithm" && typeof event.progress === "number" && event.total) {
    return event.progress * event.total;
  }
  return event.step ?? event.seq;
}

/**
 * Time left from (time, share done) points. No estimate until the rate is measurable: at
 * least `minShare` done over at least `minSeconds` of progress, or `minUnits` coarse units
 * done. The rate is that of the later half of the progress so far, so a run that speeds up
 * or slows down is followed, and a slow start (loading, the first round) is forgotten.
 */
export class EtaEstimator {
  constructor({ minShare = 0.1, minSeconds = 5, minUnits = 3 } = {}) {
    this.minShare = minShare;
    this.minSeconds = minSeconds;
    this.minUnits = minUnits;
    this.points = []; // [seconds, share], share never going back
    this.units = 0;
  }

  /** Progress at `seconds`: `share` of the run done, `units` coarse units done (or null). */
  add(seconds, share, units = null) {
    const last = this.points.at(-1);
    if (last && (seconds < last[0] || share < last[1])) return;
    this.points.push([seconds, share]);
    if (typeof units === "number") this.units = Math.max(this.units, units);
  }

  measurable() {
    if (this.points.length < 2) return false;
    const [t0, s0] = this.points[0];
    const [t1, s1] = this.points.at(-1);
    if (s1 <= s0 || t1 <= t0) return false;
    return (s1 >= this.minShare && t1 - t0 >= this.minSeconds) || this.units >= this.minUnits;
  }

  /** Seconds per share, from the later half of the progress so far. */
  rate() {
    const [t1, s1] = this.points.at(-1);
    let reference = this.points[0];
    for (const point of this.points) {
      if (point[1] > s1 / 2 || point[0] >= t1) break;
      reference = point;
    }
    const [t0, s0] = reference;
    return s1 > s0 && t1 > t0 ? (s1 - s0) / (t1 - t0) : null;
  }

  /** Seconds left at `now` (same clock as the points), or null while it cannot be said. */
  remaining(now) {
    if (!this.measurable()) return null;
    const rate = this.rate();
    if (!rate) return null;
    const [t1, s1] = this.points.at(-1);
    return Math.max(0, (1 - s1) / rate - Math.max(0, now - t1));
  }
}

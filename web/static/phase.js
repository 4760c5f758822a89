// The colour phase of a countdown: one pure rule for the régie and the moderators' timer.
//
// A phase is one of "idle" (nothing to show yet), "waiting" (before the first segment),
// "break" (a pause, planned or between segments), "normal", "warning", "danger" (the last
// seconds of a segment, from its own thresholds), "overtime" (past its end) and "finished".
// Nothing here reads the clock: `now` (show time, epoch ms) is an argument.

import { ms } from "./format.js";

/** Thresholds for a segment that carries none (the state document normally gives them). */
export const DEFAULT_WARNING_SECONDS = 300;
export const DEFAULT_DANGER_SECONDS = 60;

/** A segment (or the item on air inside it) is a break. */
export function isBreak(segment) {
  return Boolean(segment && (segment.kind === "break" || segment.item?.kind === "break"));
}

/** Seconds (fractional) until the segment's expected end; negative in overtime. */
export function secondsToEnd(segment, now) {
  return (ms(segment.ends_at) - now) / 1000;
}

/** The phase of a segment on air by its time left alone: normal, warning, danger or overtime. */
export function segmentPhase(segment, now) {
  const left = secondsToEnd(segment, now);
  if (left <= 0) return "overtime";
  if (left <= (segment.danger_seconds ?? DEFAULT_DANGER_SECONDS)) return "danger";
  if (left <= (segment.warning_seconds ?? DEFAULT_WARNING_SECONDS)) return "warning";
  return "normal";
}

/** The phase of a channel of the state document (null: not known yet) at show time `now`. */
export function phase(channel, now) {
  if (!channel) return "idle";
  if (channel.status === "finished") return "finished";
  if (channel.status === "gap") return "break";
  if (channel.status === "before" || !channel.now) return "waiting";
  if (isBreak(channel.now)) return "break";
  return segmentPhase(channel.now, now);
}

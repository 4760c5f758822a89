// The day's schedule (GET /api/schedule): fetched once per version and shared.
//
// The link (client.js) needs it to join the live state (live-state.js) and the pages that
// draw the whole plan (the programme, the régie's timeline) need it too: both go through
// loadSchedule(), so a page fetches a version of the schedule once. A version is named by
// the server's run (the welcome's `boot`) and its `schedule_version` (a live edit puts a
// new one on air): a restart on another file is never taken for the same version.

const cache = new Map(); // key -> Promise of the schedule document

/**
 * The schedule of `key` (a string naming the server run and the version): fetched the first
 * time, shared after. A failed fetch is forgotten, so the next call tries again.
 */
export function loadSchedule(key) {
  let promise = cache.get(key);
  if (!promise) {
    promise = fetch("/api/schedule", { cache: "no-store" }).then((response) => {
      if (!response.ok) throw new Error(`GET /api/schedule: ${response.status}`);
      return response.json();
    });
    promise.catch(() => cache.delete(key));
    cache.set(key, promise);
    while (cache.size > 4) cache.delete(cache.keys().next().value);
  }
  return promise;
}

/**
 * Call onLoad(schedule) with the schedule the link's state is joined with: now if the link
 * has one, and each time it takes another (a live edit, a server restarted on a new file).
 */
export function followSchedule(link, onLoad) {
  let last = null;
  const give = (schedule) => {
    if (!schedule || schedule === last) return;
    last = schedule;
    onLoad(schedule);
  };
  link.on("plan", give);
  if (link.plan) give(link.plan);
}

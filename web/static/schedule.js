// The day's schedule (GET /api/schedule), for the pages that draw the whole plan.
//
// The state stream carries what is on air; the plan itself is fetched once, after the first
// state, again after each reconnect (the server may have been restarted on a new file), and
// whenever a state names another schedule_version (a live edit put a new version on air).

/**
 * Fetch the schedule when the link first has a state, and again after every reconnect;
 * call onLoad(schedule) each time one arrives. A failed fetch is retried at the next connect.
 */
export function followSchedule(link, onLoad) {
  let asked = false;
  let askedAt = 0; // link.connects when it was last fetched
  let inFlight = false;
  let version = null; // the schedule_version last fetched (or being fetched)
  let again = false; // a newer version was announced while a fetch was in flight
  const load = async () => {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    askedAt = link.connects;
    try {
      const response = await fetch("/api/schedule", { cache: "no-store" });
      if (response.ok) onLoad(await response.json());
    } catch {
      // the link's reconnect will try again
    } finally {
      inFlight = false;
      if (again) {
        again = false;
        load();
      }
    }
  };
  link.on("state", (_state, msg) => {
    const announced = msg?.schedule_version ?? null;
    if (asked && (announced === null || announced === version)) return;
    asked = true;
    version = announced;
    load();
  });
  link.on("welcome", () => {
    // after a reconnect (one fetch per connect, however many greetings it brings)
    if (asked && link.connects !== askedAt) load();
  });
}

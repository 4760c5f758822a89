// The server's clock as a screen sees it: the offset of the server's wall clock from
// ping/pong samples (NTP formula, the median offset of the samples with the lowest round
// trip), and the clock model (origin and speed) that turns it into show time.

import { ms } from "./format.js";

const SAMPLES_KEPT = 16;
const BEST_SAMPLES = 3;

/** Estimates the server's wall clock and turns it into show time with the clock model. */
export class ServerClock {
  constructor() {
    this.samples = [];
    this.offsetMs = 0; // server wall clock - this machine's Date.now()
    this.rttMs = null;
    this.synced = false; // true once a ping/pong sample has been taken
    this.model = null; // {originShow, originWall, speed}
  }

  /** A rough first estimate from a message's server_time, until a ping/pong sample exists. */
  observeServerTime(serverMs, localMs) {
    if (!this.synced && serverMs !== null) this.offsetMs = serverMs - localMs;
  }

  /** One ping/pong exchange: t0 sent, t1 server received, t2 server sent, t3 received. */
  addSample(t0, t1, t2, t3) {
    if (![t0, t1, t2, t3].every(Number.isFinite)) return;
    const rtt = Math.max(0, t3 - t0 - (t2 - t1));
    const offset = (t1 - t0 + (t2 - t3)) / 2;
    this.samples.push({ rtt, offset });
    if (this.samples.length > SAMPLES_KEPT) this.samples.shift();
    const best = [...this.samples].sort((a, b) => a.rtt - b.rtt).slice(0, BEST_SAMPLES);
    const offsets = best.map((s) => s.offset).sort((a, b) => a - b);
    this.offsetMs = offsets[Math.floor(offsets.length / 2)];
    this.rttMs = best[0].rtt;
    this.synced = true;
  }

  /** Forget the samples (after a reconnect or a sleep): the current offset stays until new ones. */
  forgetSamples() {
    this.samples = [];
  }

  setModel(clock) {
    if (!clock) return;
    const originShow = ms(clock.origin_show);
    const originWall = Number.isFinite(clock.origin_wall_ms) ? clock.origin_wall_ms : ms(clock.origin_wall);
    const speed = Number(clock.speed ?? 1);
    if (originShow === null || originWall === null || !Number.isFinite(speed)) return;
    this.model = { originShow, originWall, speed, rehearsal: clock.rehearsal };
  }

  /** The server's wall clock now (epoch ms). */
  wallNow() {
    return Date.now() + this.offsetMs;
  }

  /** The show time now (epoch ms): what every countdown is computed against. */
  showNow() {
    const wall = this.wallNow();
    if (!this.model) return wall;
    return this.model.originShow + (wall - this.model.originWall) * this.model.speed;
  }

  get speed() {
    return this.model ? this.model.speed : 1;
  }

  /** A rehearsal runs faster or slower than real time, or at another instant. */
  get rehearsal() {
    if (!this.model) return false;
    if (typeof this.model.rehearsal === "boolean") return this.model.rehearsal;
    return this.model.speed !== 1 || Math.abs(this.model.originShow - this.model.originWall) > 1000;
  }
}

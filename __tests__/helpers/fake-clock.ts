import type { Clock } from "../../lib/webhook-check/runner/attempts";

/** A clock that only moves when told to: sleep() advances it at once and records the pause. */
export class FakeClock implements Clock {
  public readonly sleeps: number[] = [];
  constructor(private t = 0) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += Math.max(0, ms);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

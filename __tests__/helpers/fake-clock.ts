import type { StopReason } from "../../lib/webhook-check/kube/deadline";
import type { Clock } from "../../lib/webhook-check/runner/attempts";

/**
 * A clock that only moves when told to: sleep() advances it at once and records the pause,
 * advance() moves it. Deadlines (the requests' and the retry loop's) fire when it moves past
 * them, never on their own: a slow machine cuts no request, and a test cuts one by moving
 * the clock while it is in flight (for example from the stand-in's `hang` callback).
 */
export class FakeClock implements Clock {
  public readonly sleeps: number[] = [];
  private readonly pending = new Set<{ deadline: number; stop: (why: StopReason) => void }>();
  constructor(private t = 0) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.advance(Math.max(0, ms));
  }
  advance(ms: number): void {
    this.t += ms;
    for (const entry of [...this.pending]) if (entry.deadline <= this.t) entry.stop("deadline");
  }
  onDeadline(deadline: number, signal: AbortSignal | undefined, fire: (why: StopReason) => void): () => void {
    let done = false;
    const onAbort = () => entry.stop("abort");
    const cancel = () => {
      done = true;
      this.pending.delete(entry);
      signal?.removeEventListener("abort", onAbort);
    };
    const entry = {
      deadline,
      stop: (why: StopReason) => {
        if (done) return;
        cancel();
        fire(why);
      },
    };
    this.pending.add(entry);
    signal?.addEventListener("abort", onAbort, { once: true });
    // As the system timer: a deadline already passed (or a signal already aborted) fires on the next tick.
    if (deadline <= this.t || signal?.aborted) queueMicrotask(() => entry.stop(signal?.aborted ? "abort" : "deadline"));
    return cancel;
  }
}

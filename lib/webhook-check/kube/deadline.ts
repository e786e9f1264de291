/**
 * The one timer/abort helper: calls `fire` once, when the absolute `deadline` (ms
 * since epoch) passes or `signal` aborts, whichever comes first; the returned
 * function cancels both. Every wait of the check (a request, a proxy tunnel, an exec
 * plugin, the pause between attempts) is bounded with it.
 */
export type StopReason = "deadline" | "abort";

/**
 * Where deadlines are measured and how they fire: the system's clock in the CLI, a
 * fake one in tests, so that whether a request is cut by the deadline never depends
 * on how fast the machine is.
 */
export interface Timer {
  now(): number;
  onDeadline(deadline: number, signal: AbortSignal | undefined, fire: (why: StopReason) => void): () => void;
}

export function onDeadline(deadline: number, signal: AbortSignal | undefined, fire: (why: StopReason) => void): () => void {
  let done = false;
  const stop = (why: StopReason) => {
    if (done) return;
    cancel();
    fire(why);
  };
  const onAbort = () => stop("abort");
  const timer = setTimeout(() => stop("deadline"), Math.max(0, deadline - Date.now()));
  signal?.addEventListener("abort", onAbort, { once: true });
  function cancel() {
    done = true;
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
  // Already aborted: fired on the next microtask, so the caller has its cancel function first.
  if (signal?.aborted) queueMicrotask(() => stop("abort"));
  return cancel;
}

export const SYSTEM_TIMER: Timer = { now: () => Date.now(), onDeadline };

/**
 * Ctrl-C for long runs: the first SIGINT or SIGTERM aborts a signal, so the run can write a checkpoint
 * at its next step and stop; a second one exits at once (code 130).
 *
 * @example
 * ```ts
 * import { stopOnInterrupt } from "./interrupt.ts";
 * const stop = stopOnInterrupt("stopping after this step (a checkpoint will be written)...");
 * try {
 *   // await train({ signal: stop.signal });
 * } finally {
 *   stop.dispose();
 * }
 * ```
 *
 * @module
 */

/** A stop request wired to the process's signals; `dispose` removes the listeners. */
export interface InterruptStop {
  signal: AbortSignal;
  dispose(): void;
}

/** Listens for SIGINT and SIGTERM; the first aborts `signal` (printing `message`), the second exits. */
export function stopOnInterrupt(message: string): InterruptStop {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) Deno.exit(130);
    console.error(`\n${message} (again to quit now)`);
    controller.abort();
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of signals) Deno.removeSignalListener(s, onSignal);
    },
  };
}

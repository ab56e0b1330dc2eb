/**
 * Peak resident memory of this process, resettable so each measurement gets its own peak.
 *
 * @module
 */

/** Resets the kernel's peak-RSS counter (Linux: writing 5 to /proc/self/clear_refs). */
export function resetPeakRss(): void {
  try {
    Deno.writeTextFileSync("/proc/self/clear_refs", "5");
  } catch {
    // Not Linux, or not allowed: the peak then covers the whole process so far.
  }
}

/** Peak RSS since the last reset in MiB (VmHWM), or the current RSS where /proc is missing. */
export function peakRssMiB(): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1]);
    if (Number.isFinite(kb)) return kb / 1024;
  } catch {
    // fall through
  }
  return Deno.memoryUsage().rss / 2 ** 20;
}

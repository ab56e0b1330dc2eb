/**
 * Runs one TensorFlow.js measurement (a suite, a backend, its thread count, a ratio) in a fresh Deno
 * process (bench/isolated_worker.ts), so each record's peak memory is its own: the WASM heap, which
 * `wasm` and `native` share, never shrinks, and in one process every later record would report the
 * largest earlier one's heap.
 *
 * @module
 */
import type { BackendName } from "../lib/config.ts";
import type { BenchOptions, BenchRecord } from "./types.ts";

/** One measurement to run in its own process. */
export interface IsolatedJob {
  suite: "cnn" | "dcgan" | "cdcgan";
  backend: BackendName;
  forced: boolean;
  threads?: number;
  ratio: number;
  options: BenchOptions;
}

/** Runs `job` in a new Deno process and returns the records it prints. */
export async function measureIsolated(job: IsolatedJob): Promise<BenchRecord[]> {
  const worker = new URL("./isolated_worker.ts", import.meta.url).pathname;
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", worker, JSON.stringify(job)],
    stderr: "inherit",
  }).output();
  if (!result.success) {
    throw new Error(
      `bench: ${job.suite} on ${job.backend} failed in its process (exit ${result.code}); see above.`,
    );
  }
  return JSON.parse(new TextDecoder().decode(result.stdout)) as BenchRecord[];
}

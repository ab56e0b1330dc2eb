/**
 * The record every benchmark suite returns; `deno task bench --json` prints an array of them.
 *
 * @module
 */

/** One measured figure. */
export interface BenchRecord {
  /** What was measured. */
  task: "cnn-train" | "cnn-infer" | "dcgan-train" | "data-load" | string;
  /** The TensorFlow.js backend, or `pytorch` for the peer, or `none` for work without one. */
  backend: string;
  /** Poster size in percent of 182x268 (DCGAN: 0, see `note`). */
  ratio: number;
  /** Images per step. */
  batch: number;
  /** Throughput. */
  imagesPerSecond: number;
  /** Peak resident memory of the process during the measurement, MiB. */
  peakRssMiB: number;
  /** Anything a reader needs to read the figure right (e.g. "second load, from cache"). */
  note?: string;
}

/** Options every suite gets from the command line. */
export interface BenchOptions {
  /** Backends to measure; empty means every one that loads. */
  backends: string[];
  /** Ratios to measure. */
  ratios: number[];
  /** Batch size. */
  batch: number;
  /** Dataset folder for suites that read real data. */
  dataDir: string;
  /** Quick mode: fewer steps (for smoke tests). */
  quick: boolean;
}

/** A named group of measurements. */
export interface BenchSuite {
  name: string;
  run(options: BenchOptions): Promise<BenchRecord[]>;
}

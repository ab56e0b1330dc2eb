/**
 * Log lines of the library (`dcgan: epoch 3 quality: ...`, `backend: using wasm`): on stderr in a
 * terminal, and in a Jupyter notebook as one plain output of the cell that is updated in place, so a
 * report shows a compact block next to its tables and plots instead of red stderr blocks.
 *
 * Each long operation makes its own log when it starts (`options.log ?? createLog()`), so its lines
 * land in the cell that called it, and passes that log to the operations it calls.
 *
 * @example
 * ```ts
 * import { createLog } from "./log.ts";
 * const log = createLog();
 * log("dcgan: 64 posters, resized to 16x16");
 * log("dcgan: epoch 1 quality: Fréchet distance 2.1");
 * ```
 *
 * @module
 */
import { jupyter, type JupyterDisplay } from "./jupyter.ts";

/** Receives one log line. */
export type Log = (line: string) => void;

/** Options of {@linkcode createLog}. */
export interface LogOptions {
  /** The kernel's display API (default: the kernel's when in a notebook; tests pass a fake). */
  jupyter?: JupyterDisplay;
  /** In a notebook, at most this many lines are shown: the first and the latest, with a count between. */
  maxLines?: number;
}

/** Lines a notebook log block shows by default before eliding the middle. */
export const NOTEBOOK_LOG_MAX_LINES = 24;

let blocks = 0;

/**
 * A log for one operation: stderr outside a notebook; inside, one `text/plain` output created at the
 * first line and updated in place with every later one.
 */
export function createLog(options: LogOptions = {}): Log {
  const kernel = options.jupyter ?? jupyter();
  if (!kernel) return (line) => console.error(line);
  const maxLines = options.maxLines ?? NOTEBOOK_LOG_MAX_LINES;
  const id = `posterlab-log-${Date.now()}-${blocks++}`;
  const lines: string[] = [];
  let shown = false;
  return (line) => {
    // A leading newline ends a terminal's progress line; in a notebook it would only leave a gap.
    lines.push(...line.replace(/^\n+|\n+$/g, "").split("\n"));
    const text = compactLines(lines, maxLines).join("\n");
    void kernel.display({ "text/plain": text }, { raw: true, display_id: id, update: shown });
    shown = true;
  };
}

/** `lines` when there are at most `max`, else the first and the last ones with `… N more lines …` between. */
export function compactLines(lines: readonly string[], max: number): string[] {
  if (lines.length <= max) return [...lines];
  const head = Math.max(1, Math.floor((max - 1) / 3));
  const tail = Math.max(1, max - 1 - head);
  return [
    ...lines.slice(0, head),
    `… ${lines.length - head - tail} more lines …`,
    ...lines.slice(-tail),
  ];
}

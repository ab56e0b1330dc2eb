/**
 * Progress for long work: a bar with count, rate and ETA.
 *
 * In a terminal it redraws one line in place; when stderr is not a terminal
 * (CI logs) it prints a line at most every few seconds; in a Jupyter notebook
 * on the Deno kernel it updates one display output in place, so a long run
 * shows one live line instead of thousands.
 *
 * @module
 */
import { jupyter, type JupyterDisplay } from "./jupyter.ts";

/** Options for {@linkcode Progress}. */
export interface ProgressOptions {
  /** What is being counted, e.g. "posters" or "images". */
  unit?: string;
  /** Seconds between lines when output is not a terminal. */
  logEverySeconds?: number;
  /** Where the progress goes; defaults to the notebook display or stderr. */
  sink?: (line: string, final: boolean) => void;
  /** Clock in milliseconds; tests pass a fake one. */
  now?: () => number;
}

/** Formats seconds as `1h02m`, `3m05s` or `42s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/** Renders one progress line: `label [=====>    ] 40/100 posters 12.5/s ETA 5s  extra`. */
export function renderProgress(
  label: string,
  done: number,
  total: number,
  elapsedSeconds: number,
  unit = "",
  extra = "",
  width = 24,
): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(fraction * width);
  const bar = "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? (fraction >= 1 ? "=" : ">") : "") +
    " ".repeat(width - filled);
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  const eta = rate > 0 ? (total - done) / rate : Infinity;
  const rateText = rate >= 10 ? rate.toFixed(0) : rate.toFixed(1);
  const timeText = done >= total ? `in ${formatDuration(elapsedSeconds)}` : `ETA ${formatDuration(eta)}`;
  return `${label} [${bar}] ${done}/${total}${unit ? " " + unit : ""} ${rateText}/s ${timeText}${
    extra ? "  " + extra : ""
  }`;
}

/** A progress bar over a known number of steps. */
export class Progress {
  #label: string;
  #total: number;
  #done = 0;
  #extra = "";
  #unit: string;
  #start: number;
  #lastDraw = -Infinity;
  #lastShown = "";
  #minInterval: number;
  #sink: (line: string, final: boolean) => void;
  #now: () => number;

  constructor(label: string, total: number, options: ProgressOptions = {}) {
    this.#label = label;
    this.#total = total;
    this.#unit = options.unit ?? "";
    this.#now = options.now ?? (() => performance.now());
    this.#start = this.#now();
    const kernel = jupyter();
    this.#sink = options.sink ??
      (kernel ? notebookSink(kernel) : Deno.stderr.isTerminal() ? terminalSink : logSink);
    // Redraw often where a redraw replaces the line, rarely where each one is a new log line.
    this.#minInterval = this.#sink === terminalSink
      ? 100
      : kernel && !options.sink
      ? 500
      : (options.logEverySeconds ?? 5) * 1000;
  }

  /** Steps done so far. */
  get done(): number {
    return this.#done;
  }

  /** Seconds since the bar started. */
  get elapsedSeconds(): number {
    return (this.#now() - this.#start) / 1000;
  }

  /** Adds `steps` done steps; `extra` replaces the text after the bar (e.g. `loss 0.41`). */
  tick(steps = 1, extra?: string): void {
    this.#done += steps;
    if (extra !== undefined) this.#extra = extra;
    const now = this.#now();
    if (this.#done >= this.#total || now - this.#lastDraw >= this.#minInterval) {
      this.#lastDraw = now;
      this.#lastShown = `${this.#done}|${this.#extra}`;
      this.#sink(this.line(), false);
    }
  }

  /** The current line. */
  line(): string {
    return renderProgress(this.#label, this.#done, this.#total, this.elapsedSeconds, this.#unit, this.#extra);
  }

  /** Draws the last line and ends it. */
  finish(extra?: string): void {
    if (extra !== undefined) this.#extra = extra;
    // A log or notebook display that already shows the completed bar with the same extra text needs no
    // repeat (only the rate would differ); a terminal line still needs its newline.
    const shown = `${this.#done}|${this.#extra}`;
    if (shown !== this.#lastShown || this.#sink === terminalSink) this.#sink(this.line(), true);
    this.#lastShown = shown;
  }
}

const encoder = new TextEncoder();

function terminalSink(line: string, final: boolean): void {
  const columns = (() => {
    try {
      return Deno.consoleSize().columns;
    } catch {
      return 120;
    }
  })();
  Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${line.slice(0, columns - 1)}${final ? "\n" : ""}`));
}

function logSink(line: string): void {
  Deno.stderr.writeSync(encoder.encode(line + "\n"));
}

let displayCounter = 0;

function notebookSink(kernel: JupyterDisplay): (line: string, final: boolean) => void {
  const id = `posterlab-progress-${Date.now()}-${displayCounter++}`;
  let first = true;
  return (line) => {
    const bundle = { "text/plain": line };
    void kernel.display(bundle, { raw: true, display_id: id, update: !first });
    first = false;
  };
}

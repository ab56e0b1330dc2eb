/**
 * Command-line flags for every `deno task`: one parser, typed results, errors that name the flag.
 *
 * ```ts
 * const flags = parseArgs(Deno.args, {
 *   epochs: { type: "number", help: "passes over the training split" },
 *   resume: { type: "boolean", help: "continue from the last checkpoint" },
 * });
 * ```
 *
 * @module
 */
import {
  BACKEND_ORDER,
  type BackendName,
  type DatasetConfig,
  DEFAULT_DATASET,
  DEFAULT_THREADS,
  genreGroup,
  imageSize,
} from "./config.ts";

/** How one flag is read. */
export interface FlagSpec {
  /** `string`, `number`, `boolean` (no value), or `list` (comma-separated strings). */
  type: "string" | "number" | "boolean" | "list";
  /** One line for `--help`. */
  help: string;
  /** Value when the flag is absent. */
  default?: string | number | boolean | readonly string[];
}

/** Specs by flag name (without `--`). */
export type FlagSpecs = Record<string, FlagSpec>;

type ValueOf<S extends FlagSpec> = S["type"] extends "number" ? number
  : S["type"] extends "boolean" ? boolean
  : S["type"] extends "list" ? string[]
  : string;

/** Parsed flags: each present (or defaulted) flag with its type; `_` holds positional arguments. */
export type Flags<T extends FlagSpecs> = { [K in keyof T]?: ValueOf<T[K]> } & { _: string[] };

/** Thrown for a bad command line; CLIs print its message and exit with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Reads `args` against `specs`. Accepts `--name value`, `--name=value`; kebab-case names. */
export function parseArgs<T extends FlagSpecs>(args: string[], specs: T): Flags<T> {
  const result: Record<string, unknown> = { _: [] as string[] };
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.default !== undefined) result[name] = spec.default;
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) {
      (result._ as string[]).push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq > 0 ? eq : undefined);
    const spec = specs[name];
    if (!spec) {
      throw new UsageError(`Unknown flag --${name}. Known flags:\n${usage(specs)}`);
    }
    if (spec.type === "boolean") {
      result[name] = eq > 0 ? !["false", "0", "no"].includes(arg.slice(eq + 1)) : true;
      continue;
    }
    const text = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (text === undefined || (eq < 0 && text.startsWith("--"))) {
      throw new UsageError(`Flag --${name} needs a value (${spec.help}).`);
    }
    if (spec.type === "number") {
      const value = Number(text);
      if (text.trim() === "" || !Number.isFinite(value)) {
        throw new UsageError(`Flag --${name} needs a number, got "${text}" (${spec.help}).`);
      }
      result[name] = value;
    } else if (spec.type === "list") {
      result[name] = text.split(",").map((s) => s.trim()).filter(Boolean);
    } else {
      result[name] = text;
    }
  }
  return result as Flags<T>;
}

/** The `--help` text of `specs`, one flag a line. */
export function usage(specs: FlagSpecs): string {
  return Object.entries(specs)
    .map(([name, spec]) => {
      const value = spec.type === "boolean"
        ? ""
        : spec.type === "list"
        ? " A,B,..."
        : ` ${spec.type.toUpperCase()}`;
      const fallback = spec.default !== undefined ? ` (default ${spec.default})` : "";
      return `  --${name}${value}`.padEnd(28) + spec.help + fallback;
    })
    .join("\n");
}

/** The dataset flags every command that reads the dataset takes. */
export const DATASET_FLAGS = {
  "data-dir": { type: "string", help: "dataset folder", default: DEFAULT_DATASET.dataDir },
  "min-year": { type: "number", help: "first release year kept", default: DEFAULT_DATASET.minYear },
  "max-year": { type: "number", help: "last release year kept", default: DEFAULT_DATASET.maxYear },
  genres: { type: "number", help: "genre group: 3, 7 or 14", default: DEFAULT_DATASET.genres.length },
  ratio: { type: "number", help: "poster size in percent of 182x268", default: DEFAULT_DATASET.ratio },
  limit: { type: "number", help: "at most this many movies per split (quick runs)" },
} as const satisfies FlagSpecs;

/** Builds a {@linkcode DatasetConfig} from flags parsed with {@linkcode DATASET_FLAGS}. */
export function datasetConfigFromArgs(flags: Flags<typeof DATASET_FLAGS>): DatasetConfig {
  const config: DatasetConfig = {
    dataDir: flags["data-dir"] ?? DEFAULT_DATASET.dataDir,
    minYear: flags["min-year"] ?? DEFAULT_DATASET.minYear,
    maxYear: flags["max-year"] ?? DEFAULT_DATASET.maxYear,
    genres: genreGroup(flags.genres ?? DEFAULT_DATASET.genres.length),
    ratio: flags.ratio ?? DEFAULT_DATASET.ratio,
    ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
  };
  if (config.minYear > config.maxYear) {
    throw new UsageError(`--min-year ${config.minYear} is after --max-year ${config.maxYear}.`);
  }
  if (config.limit !== undefined && (config.limit < 1 || !Number.isInteger(config.limit))) {
    throw new UsageError(`--limit needs a positive whole number, got ${config.limit}.`);
  }
  imageSize(config.ratio); // throws a clear error for a bad ratio
  return config;
}

/** The flags of every command that picks a TensorFlow.js backend. */
export const BACKEND_FLAGS = {
  backend: {
    type: "string",
    help: `force a backend: ${BACKEND_ORDER.join(", ")} (default: the first that loads)`,
  },
  threads: {
    type: "number",
    help: "threads of the native backend (default: every core)",
    default: DEFAULT_THREADS,
  },
} as const satisfies FlagSpecs;

/** The backend choice of flags parsed with {@linkcode BACKEND_FLAGS}; a bad name or count is a UsageError. */
export function backendFromArgs(
  flags: Flags<typeof BACKEND_FLAGS>,
): { name: BackendName | undefined; threads: number } {
  if (flags.backend !== undefined && !(BACKEND_ORDER as readonly string[]).includes(flags.backend)) {
    throw new UsageError(`--backend ${flags.backend} is unknown: use one of ${BACKEND_ORDER.join(", ")}.`);
  }
  const threads = flags.threads ?? DEFAULT_THREADS;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new UsageError(`--threads needs a whole number of at least 1, got ${flags.threads}.`);
  }
  return { name: flags.backend as BackendName | undefined, threads };
}

/**
 * Runs a CLI's main function: `--help` prints usage; a {@linkcode UsageError} or any other error
 * prints its message (no stack trace for bad input) and exits non-zero.
 */
export async function runCli(
  description: string,
  specs: FlagSpecs,
  main: () => Promise<void> | void,
): Promise<void> {
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(`${description}\n\n${usage(specs)}`);
    return;
  }
  try {
    await main();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`error: ${message}`);
    if (!(error instanceof UsageError) && Deno.env.get("POSTERLAB_DEBUG")) console.error(error);
    Deno.exit(error instanceof UsageError ? 2 : 1);
  }
}

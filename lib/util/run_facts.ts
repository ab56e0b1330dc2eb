/**
 * Facts a run notes for whoever started it: `deno task report` sets `POSTERLAB_RUN_FACTS` to a file
 * before it starts a notebook's kernel, and library code inside the kernel appends what only it knows
 * (the TensorFlow.js backend it chose), so the report's header says what actually ran.
 *
 * Outside such a run (the variable unset) recording does nothing.
 *
 * @example
 * ```ts
 * import { readRunFacts, recordRunFact } from "./run_facts.ts";
 * recordRunFact("backend", "wasm (TensorFlow.js 4.22.0)");
 * const facts = await readRunFacts("/tmp/facts.jsonl"); // { backend: ["wasm (TensorFlow.js 4.22.0)"] }
 * ```
 *
 * @module
 */

/** The environment variable naming the facts file. */
export const RUN_FACTS_ENV = "POSTERLAB_RUN_FACTS";

/** Facts by name, each with its values in the order they were recorded (without repeats). */
export type RunFacts = Record<string, string[]>;

/** Appends `name = value` to the facts file of the current run, if there is one. */
export function recordRunFact(name: string, value: string): void {
  let path: string | undefined;
  try {
    path = Deno.env.get(RUN_FACTS_ENV);
  } catch {
    return; // no env permission: not a report run
  }
  if (!path) return;
  // One short line per append: concurrent writers can't interleave within it.
  Deno.writeTextFileSync(path, JSON.stringify({ name, value }) + "\n", { append: true, create: true });
}

/** The facts recorded in `path` (none when it does not exist). */
export async function readRunFacts(path: string): Promise<RunFacts> {
  const text = await Deno.readTextFile(path).catch(() => "");
  const facts: RunFacts = {};
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const { name, value } = JSON.parse(line) as { name: string; value: string };
    const values = (facts[name] ??= []);
    if (!values.includes(value)) values.push(value);
  }
  return facts;
}

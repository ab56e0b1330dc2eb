/** Placeholder until the dataset helper lands: replaced by the real data-load suite. */
import type { BenchSuite } from "./types.ts";
export const suite: BenchSuite = { name: "data-load", run: () => Promise.resolve([]) };

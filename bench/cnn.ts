/** Placeholder until the CNN bench lands: replaced by the real cnn suite. */
import type { BenchSuite } from "./types.ts";
export const suite: BenchSuite = { name: "cnn", run: () => Promise.resolve([]) };

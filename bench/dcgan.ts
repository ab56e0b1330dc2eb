/** Placeholder until the DCGAN bench lands: replaced by the real dcgan suite. */
import type { BenchSuite } from "./types.ts";
export const suite: BenchSuite = { name: "dcgan", run: () => Promise.resolve([]) };

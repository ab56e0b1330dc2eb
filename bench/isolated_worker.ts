/**
 * The process bench/isolated.ts starts: loads one backend, runs one measurement and prints its
 * records as JSON on stdout (everything else goes to stderr).
 *
 * @module
 */
import { tryBackend } from "../lib/backend/select.ts";
import { measureBackend } from "./cnn.ts";
import { measure, PAPER_CASE } from "./dcgan.ts";
import { RECOMMENDED_CASE } from "./cdcgan.ts";
import type { IsolatedJob } from "./isolated.ts";

const job = JSON.parse(Deno.args[0]) as IsolatedJob;
// tfjs prints its "install the node backend" banner with console.log: keep stdout for the records.
console.log = (...args: unknown[]) => console.error(...args);
const reason = await tryBackend(job.backend, job.forced, job.threads);
if (reason !== undefined) throw new Error(`${job.backend} did not load: ${reason}`);
const dcganCases = { dcgan: PAPER_CASE, cdcgan: RECOMMENDED_CASE };
const records = job.suite === "cnn"
  ? await measureBackend(job.backend, job.ratio, job.options, job.threads)
  : [await measure(job.backend, dcganCases[job.suite], job.options, job.threads)];
Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(records) + "\n"));

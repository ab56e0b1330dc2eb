/**
 * The images of a folder: the files whose names end in an image extension that posters come in
 * (lib/config.ts `PREDICT_DEFAULTS.imageExtensions`, case-insensitive), sorted by name, not recursive.
 *
 * @module
 */
import { extname, join } from "node:path";
import { PREDICT_DEFAULTS } from "../config.ts";

/** Whether a file name has one of the image extensions a folder is searched for. */
export function hasImageExtension(name: string): boolean {
  return (PREDICT_DEFAULTS.imageExtensions as readonly string[]).includes(extname(name).toLowerCase());
}

/** The image files of folder `dir` as paths (`dir/name`), sorted by name; empty when it holds none. */
export async function imageFilesIn(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && hasImageExtension(entry.name)) names.push(entry.name);
  }
  return names.sort().map((name) => join(dir, name));
}

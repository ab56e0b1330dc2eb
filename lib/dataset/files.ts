/**
 * File helpers of the dataset pipeline: atomic writes and directory listings with sizes.
 *
 * @module
 */
import { dirname, join } from "node:path";

/**
 * Writes `data` to `path` atomically: first to `<path>.tmp-<pid>`, then a rename, so a crash or a
 * full disk never leaves a half-written file under the final name.
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${Deno.pid}`;
  try {
    await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}

/** Copies `from` to `to` atomically (see {@linkcode writeFileAtomic}). */
export async function copyFileAtomic(from: string, to: string): Promise<void> {
  await Deno.mkdir(dirname(to), { recursive: true });
  const tmp = `${to}.tmp-${Deno.pid}`;
  try {
    await Deno.copyFile(from, tmp);
    await Deno.rename(tmp, to);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}

/** Size and modification time of a file. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
}

/** Regular files of `dir` whose names pass `keep`, with size and mtime; empty when `dir` is missing. */
export async function listFiles(
  dir: string,
  keep: (name: string) => boolean = () => true,
): Promise<Map<string, FileStamp>> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && keep(entry.name)) names.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return new Map();
    throw error;
  }
  names.sort();
  const stamps = new Map<string, FileStamp>();
  // Stat in chunks: thousands of files, but not thousands of open requests at once.
  for (let i = 0; i < names.length; i += 256) {
    const chunk = names.slice(i, i + 256);
    const infos = await Promise.all(chunk.map((name) => Deno.stat(join(dir, name))));
    chunk.forEach((name, k) =>
      stamps.set(name, { size: infos[k].size, mtimeMs: infos[k].mtime?.getTime() ?? 0 })
    );
  }
  return stamps;
}

/** Runs `work` on each item with at most `concurrency` running at once; results keep input order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}

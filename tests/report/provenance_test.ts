import assert from "node:assert/strict";
import { join } from "node:path";
import { codeVersion, datasetCounts, machine, notebookTitle } from "../../lib/report/provenance.ts";
import { makeFixtureDataDir } from "../fixtures.ts";

async function git(dir: string, ...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command("git", {
    args: ["-c", "user.name=t", "-c", "user.email=t@t", ...args],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout).trim();
}

Deno.test("codeVersion names the commit and notices changed tracked files, not untracked ones", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.deepEqual(await codeVersion(dir), { uncommittedChanges: false });
    await git(dir, "init", "-q");
    await Deno.writeTextFile(join(dir, "a.ts"), "1\n");
    await git(dir, "add", "a.ts");
    await git(dir, "commit", "-qm", "one");
    const head = await git(dir, "rev-parse", "HEAD");
    await Deno.writeTextFile(join(dir, "scratch.txt"), "not tracked\n");
    assert.deepEqual(await codeVersion(dir), { commit: head, uncommittedChanges: false });
    await Deno.writeTextFile(join(dir, "a.ts"), "2\n");
    assert.deepEqual(await codeVersion(dir), { commit: head, uncommittedChanges: true });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("datasetCounts counts CSV rows, movies, posters and resized images per ratio", async () => {
  const { dataDir, movies } = await makeFixtureDataDir({ movies: 12, ratio: 30 });
  try {
    const counts = await datasetCounts(dataDir);
    assert.equal(counts.folder, dataDir);
    assert.equal(counts.csvRows, movies.length);
    assert.equal(counts.movies, movies.length);
    assert.equal(counts.posterFiles, movies.length);
    assert.deepEqual(counts.resized, { "30": movies.length });
    assert.deepEqual(await datasetCounts(join(dataDir, "missing")), {
      folder: join(dataDir, "missing"),
      resized: {},
    });
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("machine and notebookTitle", () => {
  const m = machine();
  assert.ok(m.cores >= 1);
  assert.equal(m.deno, Deno.version.deno);
  assert.equal(
    notebookTitle([
      { cell_type: "code", source: "# not a heading" },
      { cell_type: "markdown", source: ["Intro\n", "# 1 · Movie *posters*\n"] },
    ]),
    "1 · Movie posters",
  );
  assert.equal(notebookTitle([{ cell_type: "markdown", source: "no heading" }]), undefined);
});

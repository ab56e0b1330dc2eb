import assert from "node:assert/strict";
import { join } from "node:path";
import {
  copyFileAtomic,
  FOLDER_COMPLETE,
  folderSwapHooks,
  type FolderSwapStep,
  listFileNames,
  listFiles,
  readTextIfExists,
  readWholeFile,
  recoverFolder,
  removeStaleTempFiles,
  writeFileAtomic,
  writeFolderAtomically,
} from "../../lib/util/files.ts";
import { mapConcurrent } from "../../lib/util/concurrent.ts";

Deno.test("writeFileAtomic creates folders, replaces files and leaves no temp file", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "a", "b", "x.bin");
  await writeFileAtomic(path, new Uint8Array([1, 2]));
  await writeFileAtomic(path, new Uint8Array([3]));
  assert.deepEqual(await Deno.readFile(path), new Uint8Array([3]));
  assert.deepEqual(await listFileNames(join(dir, "a", "b")), ["x.bin"]);
  await copyFileAtomic(path, join(dir, "copy.bin"));
  assert.deepEqual(await readWholeFile(join(dir, "copy.bin")), new Uint8Array([3]));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a failed atomic write leaves neither the final name nor a temp file", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(join(dir, "taken")); // the final name is a folder: the rename fails
  await assert.rejects(writeFileAtomic(join(dir, "taken"), new Uint8Array([1])));
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["taken"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("listFiles gives sizes of the files that pass the filter; a missing folder is empty", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(join(dir, "2.jpg"), new Uint8Array(5));
  await Deno.writeFile(join(dir, "1.jpg"), new Uint8Array(3));
  await Deno.writeFile(join(dir, "notes.txt"), new Uint8Array(1));
  const files = await listFiles(dir, (name) => name.endsWith(".jpg"));
  assert.deepEqual([...files.keys()], ["1.jpg", "2.jpg"]);
  assert.equal(files.get("2.jpg")!.size, 5);
  assert.deepEqual(await listFiles(join(dir, "nope")), new Map());
  await Deno.remove(dir, { recursive: true });
});

/** The id of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

/** A running process (a `sleep`), to stand for another posterlab writing; kill it when done. */
function runningProcess(): Deno.ChildProcess {
  return new Deno.Command("sleep", { args: ["60"] }).spawn();
}

Deno.test("removeStaleTempFiles deletes temp files of ended processes and old ones, never a running one's fresh file", async () => {
  const dir = await Deno.makeTempDir();
  const running = runningProcess();
  try {
    const [dead, live] = [await deadPid(), running.pid];
    await Deno.writeFile(join(dir, `1.png.tmp-${live}`), new Uint8Array(1));
    await Deno.writeFile(join(dir, `2.png.tmp-${live}`), new Uint8Array(1));
    await Deno.writeFile(join(dir, `3.png.tmp-${dead}`), new Uint8Array(1)); // an interrupted resize
    await Deno.writeFile(join(dir, `.x.pdf.tmp-${dead}`), new Uint8Array(1)); // an interrupted export
    await Deno.writeFile(join(dir, `4.png.tmp-${Deno.pid}`), new Uint8Array(1)); // not being written
    await Deno.writeFile(join(dir, "5.png"), new Uint8Array(1));
    const old = new Date(Date.now() - 2 * 3_600_000);
    await Deno.utime(join(dir, `1.png.tmp-${live}`), old, old); // its process id was taken since
    assert.equal(await removeStaleTempFiles(dir), 4);
    assert.deepEqual(await listFileNames(dir), [`2.png.tmp-${live}`, "5.png"]);
  } finally {
    running.kill("SIGKILL");
    await running.status;
    await Deno.remove(dir, { recursive: true });
  }
});

/** Writes `dir` holding `v.txt` = `version` atomically; a crash (a throw) after `crashAfter`. */
async function writeVersion(dir: string, version: string, crashAfter?: FolderSwapStep): Promise<void> {
  folderSwapHooks.afterStep = (step) => {
    if (step === crashAfter) throw new Error(`crash after ${step}`);
  };
  try {
    await writeFolderAtomically(dir, (tmp) => Deno.writeTextFile(join(tmp, "v.txt"), version), {
      complete: (folder) => Deno.stat(join(folder, "v.txt")).then(() => true, () => false),
      log: () => {},
    });
  } finally {
    folderSwapHooks.afterStep = undefined;
  }
}

const complete = (folder: string) => Deno.stat(join(folder, "v.txt")).then(() => true, () => false);

Deno.test("a crash between the two renames of a folder swap: recovery puts the complete new copy in place and says so", async () => {
  const parent = await Deno.makeTempDir();
  const dir = join(parent, "model");
  try {
    await writeVersion(dir, "1");
    await assert.rejects(writeVersion(dir, "2", "movedAside"), /crash after movedAside/);
    assert.deepEqual([...Deno.readDirSync(parent)].map((e) => e.name).sort(), [
      `model.old-${Deno.pid}`,
      `model.tmp-${Deno.pid}`,
    ]);
    const lines: string[] = [];
    const line = await recoverFolder(dir, { complete, log: (l) => lines.push(l) });
    assert.equal(await Deno.readTextFile(join(dir, "v.txt")), "2");
    assert.deepEqual(lines, [line]);
    assert.match(
      line!,
      new RegExp(`recovered ${dir} .*missing.*model\\.tmp-${Deno.pid}.*removed model\\.old-`),
    );
    assert.deepEqual([...Deno.readDirSync(parent)].map((e) => e.name), ["model"]);
    assert.equal(await recoverFolder(dir, { complete, log: () => assert.fail("nothing to say") }), undefined);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("a crash at any step of a folder swap leaves one complete copy: the new one once it is marked complete", async () => {
  const parent = await Deno.makeTempDir();
  try {
    for (const step of ["written", "movedAside", "renamed"] as const) {
      for (const before of [true, false]) { // replacing a folder, or writing it the first time
        if (step === "movedAside" && !before) continue; // nothing to move aside
        const dir = join(parent, `${step}_${before}`);
        if (before) await writeVersion(dir, "1");
        await assert.rejects(writeVersion(dir, "2", step));
        const lines: string[] = [];
        await recoverFolder(dir, { complete, log: (l) => lines.push(l) });
        assert.equal(await Deno.readTextFile(join(dir, "v.txt")), "2", `${step}, before: ${before}`);
        assert.equal(lines.length, step === "renamed" && !before ? 0 : 1, `${step}: ${lines}`);
        assert.ok(lines.every((l) => l.includes(dir)));
      }
    }
    // A crash while the new copy is written (no marker yet): the previous copy stays, the rest goes.
    const dir = join(parent, "writing");
    await writeVersion(dir, "1");
    const unfinished = `${dir}.tmp-${await deadPid()}`;
    await Deno.mkdir(unfinished);
    const lines: string[] = [];
    await recoverFolder(dir, { complete, log: (l) => lines.push(l) });
    assert.equal(await Deno.readTextFile(join(dir, "v.txt")), "1");
    assert.ok(!(await Deno.stat(unfinished).then(() => true, () => false)));
    assert.match(lines[0], /cleaned up after an interrupted save of .*writing: removed writing\.tmp-\d+/);
    // Every folder is alone again: no leftovers.
    assert.deepEqual(
      [...Deno.readDirSync(parent)].map((e) => e.name).filter((n) => /\.(tmp|old)-/.test(n)),
      [],
    );
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("the next save after a crash between the renames deletes nothing complete, even when it fails", async () => {
  const parent = await Deno.makeTempDir();
  const dir = join(parent, "model");
  try {
    await writeVersion(dir, "1");
    await assert.rejects(writeVersion(dir, "2", "movedAside"));
    await assert.rejects(
      writeFolderAtomically(dir, () => Promise.reject(new Error("disk full")), { complete, log: () => {} }),
      /disk full/,
    );
    assert.equal(await Deno.readTextFile(join(dir, "v.txt")), "2", "the complete copy is back in place");
    await writeVersion(dir, "3");
    assert.equal(await Deno.readTextFile(join(dir, "v.txt")), "3");
    assert.deepEqual([...Deno.readDirSync(parent)].map((e) => e.name), ["model"]);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("recovery of a swap left by an older posterlab: the caller says which copies are complete", async () => {
  const parent = await Deno.makeTempDir();
  const dir = join(parent, "model");
  try {
    const pid = await deadPid();
    // What a crash between the renames left before completion markers: two complete copies, no `dir`.
    await Deno.mkdir(`${dir}.old-${pid}`);
    await Deno.writeTextFile(join(`${dir}.old-${pid}`, "v.txt"), "1");
    await Deno.mkdir(`${dir}.tmp-${pid}`);
    await Deno.writeTextFile(join(`${dir}.tmp-${pid}`, "v.txt"), "2");
    await recoverFolder(dir, { complete, log: () => {} });
    assert.equal(await Deno.readTextFile(join(dir, "v.txt")), "2");
    assert.deepEqual([...Deno.readDirSync(parent)].map((e) => e.name), ["model"]);
    // No complete new copy: the previous one is put back.
    await Deno.rename(dir, `${dir}.old-${pid}`);
    await Deno.mkdir(`${dir}.tmp-${pid}`);
    await recoverFolder(dir, { complete, log: () => {} });
    assert.equal(await Deno.readTextFile(join(dir, "v.txt")), "2");
    assert.deepEqual([...Deno.readDirSync(parent)].map((e) => e.name), ["model"]);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("recovery never touches the folders of a running process; one stuck between its renames is waited for", async () => {
  const parent = await Deno.makeTempDir();
  const dir = join(parent, "model");
  const running = runningProcess();
  try {
    await writeVersion(dir, "1");
    // Being written by the running process (no marker yet): left alone, with or without `dir`.
    const writing = `${dir}.tmp-${running.pid}`;
    await Deno.mkdir(writing);
    await Deno.writeTextFile(join(writing, "v.txt"), "2");
    assert.equal(await recoverFolder(dir, { complete, log: () => {} }), undefined);
    await Deno.remove(dir, { recursive: true });
    assert.equal(await recoverFolder(dir, { complete, log: () => {}, waitMs: 0 }), undefined);
    assert.ok(await Deno.stat(writing).then(() => true));
    // Marked complete while `dir` stays missing: its process id belongs to another process by now.
    await Deno.writeTextFile(join(writing, FOLDER_COMPLETE), "");
    const started = Date.now();
    assert.match((await recoverFolder(dir, { complete, log: () => {}, waitMs: 200 }))!, /recovered/);
    assert.ok(Date.now() - started >= 200, "waited for the swap to finish");
    assert.equal(await Deno.readTextFile(join(dir, "v.txt")), "2");
  } finally {
    running.kill("SIGKILL");
    await running.status;
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("a process killed (SIGKILL) between the two renames: the next reader finds the complete copy", async () => {
  const parent = await Deno.makeTempDir();
  const dir = join(parent, "model");
  try {
    const script = join(parent, "writer.ts");
    const files = new URL("../../lib/util/files.ts", import.meta.url).href;
    await Deno.writeTextFile(
      script,
      `import { folderSwapHooks, writeFolderAtomically } from "${files}";
const [dir, version] = Deno.args;
folderSwapHooks.afterStep = (step) => { if (step === "movedAside") Deno.kill(Deno.pid, "SIGKILL"); };
await writeFolderAtomically(dir, (tmp) => Deno.writeTextFile(tmp + "/v.txt", version));
`,
    );
    const write = (version: string) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--no-config", "--no-lock", script, dir, version],
        stdout: "null",
        stderr: "null",
      }).output();
    await writeVersion(dir, "1");
    const killed = await write("2");
    assert.equal(killed.signal, "SIGKILL");
    assert.ok(!(await Deno.stat(dir).then(() => true, () => false)), "the crash left no folder");
    const lines: string[] = [];
    await recoverFolder(dir, { complete, log: (l) => lines.push(l) });
    assert.equal(await Deno.readTextFile(join(dir, "v.txt")), "2");
    assert.match(lines[0], /recovered .*model after an interrupted save/);
    assert.deepEqual([...Deno.readDirSync(parent)].map((e) => e.name).sort(), ["model", "writer.ts"]);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("mapConcurrent keeps input order and never runs more than the limit at once", async () => {
  let running = 0;
  let most = 0;
  const results = await mapConcurrent([5, 1, 4, 2, 3, 0], 2, async (ms, i) => {
    running++;
    most = Math.max(most, running);
    await new Promise((resolve) => setTimeout(resolve, ms));
    running--;
    return `${i}:${ms}`;
  });
  assert.deepEqual(results, ["0:5", "1:1", "2:4", "3:2", "4:3", "5:0"]);
  assert.equal(most, 2);
  assert.deepEqual(await mapConcurrent([], 4, () => Promise.resolve(1)), []);
});

Deno.test("readTextIfExists gives the text, undefined for a missing file, and throws other errors", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "a.json"), "{}");
  assert.equal(await readTextIfExists(join(dir, "a.json")), "{}");
  assert.equal(await readTextIfExists(join(dir, "missing.json")), undefined);
  await assert.rejects(readTextIfExists(dir)); // a folder is not a text file
  await Deno.remove(dir, { recursive: true });
});

import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { DEFAULT_AUGMENT, DEFAULT_DATASET, DEFAULT_MODEL, modelDefaults } from "../../lib/config.ts";
import { buildGenreCnn } from "../../lib/models/cnn.ts";
import {
  listSavedModels,
  loadGenreModel,
  readMetadata,
  type SavedModelMetadata,
  savedModelName,
  saveGenreModel,
} from "../../lib/models/saved.ts";
import { FOLDER_COMPLETE, folderSwapHooks, type FolderSwapStep } from "../../lib/util/files.ts";

await tf.setBackend("cpu");

function metadataFor(name: string): SavedModelMetadata {
  return {
    name,
    savedAt: new Date().toISOString(),
    dataset: DEFAULT_DATASET,
    model: DEFAULT_MODEL,
    imageSize: { width: 12, height: 14 },
    genres: DEFAULT_DATASET.genres,
    splitCounts: { train: 10, validation: 2 },
    trainGenreFrequencies: DEFAULT_DATASET.genres.map(() => 0.2),
    threshold: 0.3,
    baselineThreshold: 0.2,
    backend: "cpu",
    history: [],
    stoppedEarly: false,
    timings: { trainSeconds: 1, imagesPerSecond: 10, totalSeconds: 2 },
  };
}

async function savedFixture(): Promise<{ root: string; name: string; model: tf.Sequential }> {
  const root = await Deno.makeTempDir();
  const name = "genres7_ratio30_v1_e2_1977-2017_bce";
  const model = buildGenreCnn({ height: 14, width: 12, genres: 7, version: 1, seed: 3 });
  await saveGenreModel(model, metadataFor(name), root);
  return { root, name, model };
}

Deno.test("savedModelName is built from the run's parameters", () => {
  assert.equal(savedModelName(DEFAULT_DATASET, DEFAULT_MODEL), "genres7_ratio30_v1_e2_1977-2017_bce");
  assert.equal(
    savedModelName({ ...DEFAULT_DATASET, limit: 500 }, {
      ...DEFAULT_MODEL,
      loss: "categorical_crossentropy",
    }),
    "genres7_ratio30_v1_e2_1977-2017_cce_limit500",
  );
  const v4 = modelDefaults(4);
  assert.equal(savedModelName(DEFAULT_DATASET, v4), "genres7_ratio30_v4_e15_1977-2017_bce");
  assert.equal(
    savedModelName(DEFAULT_DATASET, { ...v4, augment: { ...DEFAULT_AUGMENT, mirror: true } }),
    "genres7_ratio30_v4_e15_1977-2017_bce_mirror",
  );
  assert.equal(
    savedModelName(DEFAULT_DATASET, { ...v4, augment: undefined }),
    "genres7_ratio30_v4_e15_1977-2017_bce_noaug",
  );
  assert.equal(
    savedModelName(DEFAULT_DATASET, { ...DEFAULT_MODEL, augment: DEFAULT_AUGMENT }),
    "genres7_ratio30_v1_e2_1977-2017_bce_aug",
  );
});

Deno.test("save and load round trip gives identical predictions and the same metadata", async () => {
  const { root, name, model } = await savedFixture();
  const input = tf.randomUniform([3, 14, 12, 3], 0, 1, "float32", 5);
  const before = await (model.predict(input) as tf.Tensor).data();
  const loaded = await loadGenreModel(name, root);
  const after = await (loaded.model.predict(input) as tf.Tensor).data();
  assert.deepEqual(Array.from(after), Array.from(before));
  assert.deepEqual(loaded.metadata, { ...metadataFor(name), savedAt: loaded.metadata.savedAt });
  assert.deepEqual(await listSavedModels(root), [name]);
  input.dispose();
  model.dispose();
  loaded.model.dispose();
  await Deno.remove(root, { recursive: true });
});

Deno.test("a corrupt saved model gives an error naming the file and what to do", async (t) => {
  const { root, name, model } = await savedFixture();
  model.dispose();
  const dir = `${root}/${name}`;
  await t.step("truncated weights.bin", async () => {
    const weights = await Deno.readFile(`${dir}/weights.bin`);
    await Deno.writeFile(`${dir}/weights.bin`, weights.slice(0, 1000));
    await assert.rejects(loadGenreModel(name, root), (error: Error) => {
      assert.match(error.message, /weights\.bin holds 1000 bytes where model\.json needs \d+/);
      assert.match(error.message, /Delete the folder and train the model again/);
      return true;
    });
    await Deno.writeFile(`${dir}/weights.bin`, weights);
  });
  await t.step("model.json that is not JSON", async () => {
    const text = await Deno.readTextFile(`${dir}/model.json`);
    await Deno.writeTextFile(`${dir}/model.json`, text.slice(0, 50));
    await assert.rejects(loadGenreModel(name, root), /model\.json is not valid JSON/);
    await Deno.writeTextFile(`${dir}/model.json`, text);
  });
  await t.step("missing metadata.json", async () => {
    await Deno.remove(`${dir}/metadata.json`);
    await assert.rejects(loadGenreModel(name, root), /metadata\.json is missing/);
    assert.deepEqual(await listSavedModels(root), [], "a folder without metadata.json is not listed");
  });
  await Deno.remove(root, { recursive: true });
});

Deno.test("an interrupted save leaves no folder that looks complete", async () => {
  const root = await Deno.makeTempDir();
  const failing = buildGenreCnn({ height: 14, width: 12, genres: 7, version: 1 });
  // A model whose save throws midway stands for a crash during the write.
  failing.save = () => Promise.reject(new Error("disk full"));
  await assert.rejects(saveGenreModel(failing, metadataFor("broken"), root), /disk full/);
  assert.deepEqual(await listSavedModels(root), []);
  assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), [], "the temporary folder is removed");
  failing.dispose();
  await Deno.remove(root, { recursive: true });
});

Deno.test("loading an unknown model lists the saved ones", async () => {
  const { root, name, model } = await savedFixture();
  model.dispose();
  await assert.rejects(
    loadGenreModel("nope", root),
    new RegExp(`No saved model .*nope.*Saved models: ${name}`),
  );
  await Deno.remove(root, { recursive: true });
});

/** Saves the fixture's model again with `threshold`; a crash (a throw, nothing cleaned up) after `crashAfter`. */
async function saveAgain(
  root: string,
  name: string,
  model: tf.LayersModel,
  threshold: number,
  crashAfter?: FolderSwapStep,
): Promise<void> {
  folderSwapHooks.afterStep = (step) => {
    if (step === crashAfter) throw new Error(`crash after ${step}`);
  };
  try {
    await saveGenreModel(model, { ...metadataFor(name), threshold }, root, () => {});
  } finally {
    folderSwapHooks.afterStep = undefined;
  }
}

Deno.test("a crash between the two renames of a save: the model is listed, loaded and read again, with a line saying so", async () => {
  const { root, name, model } = await savedFixture();
  try {
    await assert.rejects(saveAgain(root, name, model, 0.4, "movedAside"), /crash after movedAside/);
    assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name).sort(), [
      `${name}.old-${Deno.pid}`,
      `${name}.tmp-${Deno.pid}`,
    ]);
    const lines: string[] = [];
    assert.deepEqual(await listSavedModels(root, (l) => lines.push(l)), [name]); // compare, evaluate --all
    assert.equal(lines.length, 1);
    assert.match(
      lines[0],
      new RegExp(`recovered ${root}/${name} after an interrupted save: .*${name}\\.tmp-`),
    );
    assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), [name]);

    // Loading (evaluate, predict) and reading the metadata (serve, compare) recover just the same.
    await assert.rejects(saveAgain(root, name, model, 0.5, "movedAside"));
    const loaded = await loadGenreModel(name, root, (l) => lines.push(l));
    assert.equal(loaded.metadata.threshold, 0.5, "the newer, complete copy");
    loaded.model.dispose();
    await assert.rejects(saveAgain(root, name, model, 0.6, "movedAside"));
    assert.equal((await readMetadata(`${root}/${name}`, (l) => lines.push(l))).threshold, 0.6);
    assert.equal(lines.length, 3);
    assert.ok(lines.every((l) => l.includes(`${root}/${name}`)));
  } finally {
    model.dispose();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a crash at any step of saving a model leaves a model that loads", async () => {
  const { root, name, model } = await savedFixture();
  try {
    for (const step of ["written", "movedAside", "renamed"] as const) {
      await assert.rejects(saveAgain(root, name, model, 0.4, step));
      const loaded = await loadGenreModel(name, root, () => {});
      assert.equal(loaded.metadata.threshold, 0.4, step);
      loaded.model.dispose();
      await saveAgain(root, name, model, 0.3);
    }
    // A first save that crashes between the renames: the name exists after recovery.
    await assert.rejects(saveAgain(root, "other", model, 0.4, "written"));
    assert.deepEqual(await listSavedModels(root, () => {}), [name, "other"]);
    assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name).sort(), [name, "other"]);
  } finally {
    model.dispose();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the two complete copies an older posterlab's crash left: the newer one is put in place", async () => {
  const { root, name, model } = await savedFixture();
  try {
    const child = new Deno.Command("true").spawn();
    await child.status; // its process id is one of an ended process
    await Deno.rename(`${root}/${name}`, `${root}/${name}.old-${child.pid}`);
    await saveAgain(root, name, model, 0.4);
    await Deno.rename(`${root}/${name}`, `${root}/${name}.tmp-${child.pid}`);
    await Deno.remove(`${root}/${name}.tmp-${child.pid}/${FOLDER_COMPLETE}`); // written before markers
    assert.deepEqual(await listSavedModels(root, () => {}), [name]);
    assert.equal((await readMetadata(`${root}/${name}`)).threshold, 0.4);
    assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), [name]);
  } finally {
    model.dispose();
    await Deno.remove(root, { recursive: true });
  }
});

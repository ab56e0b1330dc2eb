import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  DEFAULT_AUGMENT,
  DEFAULT_DATASET,
  DEFAULT_FEATURE_BRANCH,
  DEFAULT_MODEL,
  modelDefaults,
} from "../../lib/config.ts";
import { buildGenreCnn } from "../../lib/models/cnn.ts";
import {
  checkSavedModel,
  listSavedModels,
  loadGenreModel,
  readMetadata,
  type SavedModelMetadata,
  savedModelName,
  savedModelProblems,
  saveGenreModel,
  saveModelFiles,
} from "../../lib/models/saved.ts";
import { damageFixtureModel } from "../inference/model_fixture.ts";
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
  assert.equal(savedModelName(DEFAULT_DATASET, v4), "genres7_ratio30_v4_e30_1977-2017_bce_year_rating");
  const heads = { ...v4, targets: ["year", "rating"] as ("year" | "rating")[] };
  const usualWeight = heads.headWeight;
  assert.doesNotMatch(savedModelName(DEFAULT_DATASET, heads), /_hw/);
  assert.match(
    savedModelName(DEFAULT_DATASET, { ...heads, headWeight: (usualWeight ?? 1) / 2 }),
    /_year_rating_hw0\.\d+$/,
  );
  assert.equal(
    savedModelName(DEFAULT_DATASET, { ...v4, augment: { ...DEFAULT_AUGMENT, mirror: true } }),
    "genres7_ratio30_v4_e30_1977-2017_bce_mirror_year_rating",
  );
  assert.equal(
    savedModelName(DEFAULT_DATASET, { ...v4, augment: undefined }),
    "genres7_ratio30_v4_e30_1977-2017_bce_noaug_year_rating",
  );
  assert.equal(
    savedModelName(DEFAULT_DATASET, { ...DEFAULT_MODEL, augment: DEFAULT_AUGMENT }),
    "genres7_ratio30_v1_e2_1977-2017_bce_aug",
  );
  assert.equal(
    savedModelName(DEFAULT_DATASET, { ...v4, featureBranch: undefined }),
    "genres7_ratio30_v4_e30_1977-2017_bce_year_rating_nobranch",
  );
  assert.equal(
    savedModelName(DEFAULT_DATASET, { ...DEFAULT_MODEL, featureBranch: DEFAULT_FEATURE_BRANCH }),
    "genres7_ratio30_v1_e2_1977-2017_bce_branch",
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

Deno.test("savedModelProblems: a whole model has none; NaN weights, a cut weights.bin, a bad model.json are named", async (t) => {
  const { root, name, model } = await savedFixture();
  model.dispose();
  const dir = `${root}/${name}`;
  assert.deepEqual(await savedModelProblems(dir), []);
  await checkSavedModel(dir);
  const weights = await Deno.readFile(`${dir}/weights.bin`);
  await t.step("a NaN weight: named without loading, and loading refuses it", async () => {
    await damageFixtureModel(dir, "nan", 3);
    const problems = await savedModelProblems(dir);
    assert.equal(problems.length, 1);
    assert.match(
      problems[0],
      /^weights\.bin holds 1 NaN or infinite weight \(the first in [\w/]+\).*lower --learning-rate/,
    );
    await assert.rejects(checkSavedModel(dir), (error: Error) => {
      assert.match(error.message, new RegExp(`^Saved model ${dir} is unusable: weights\\.bin holds 1 NaN`));
      assert.match(error.message, /Delete the folder and train the model again/);
      return true;
    });
    await assert.rejects(loadGenreModel(name, root), /weights\.bin holds 1 NaN or infinite weight/);
    await Deno.writeFile(`${dir}/weights.bin`, weights);
  });
  await t.step("infinite weights past the first 4 MiB piece of a larger model are counted too", async () => {
    const large = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1100], units: 1000 })] });
    const largeDir = `${root}/large`;
    await saveModelFiles(large, largeDir);
    large.dispose();
    const bytes = await Deno.readFile(`${largeDir}/weights.bin`);
    assert.ok(bytes.length > 4 << 20);
    const view = new DataView(bytes.buffer);
    view.setFloat32(bytes.length - 4004, Infinity, true); // the kernel's last value, in the second piece
    view.setFloat32(bytes.length - 4, -Infinity, true); // the bias's last value
    await Deno.writeFile(`${largeDir}/weights.bin`, bytes);
    assert.match(
      (await savedModelProblems(largeDir))[0],
      /holds 2 NaN or infinite weights \(the first in dense_\w+\/kernel\)/,
    );
  });
  await t.step("a truncated weights.bin", async () => {
    await damageFixtureModel(dir, "truncate");
    assert.deepEqual(await savedModelProblems(dir), [
      `weights.bin holds ${
        Math.floor(weights.length / 8) * 4
      } bytes where model.json needs ${weights.length}`,
    ]);
    await Deno.writeFile(`${dir}/weights.bin`, weights);
  });
  await t.step("a missing weights.bin, a model.json that is not JSON or has no manifest", async () => {
    await Deno.remove(`${dir}/weights.bin`);
    assert.deepEqual(await savedModelProblems(dir), ["weights.bin is missing"]);
    await Deno.writeFile(`${dir}/weights.bin`, weights);
    const text = await Deno.readTextFile(`${dir}/model.json`);
    await Deno.writeTextFile(`${dir}/model.json`, text.slice(0, 50));
    assert.match((await savedModelProblems(dir))[0], /^model\.json is not valid JSON/);
    await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify({ modelTopology: {} }));
    assert.deepEqual(await savedModelProblems(dir), ["model.json has no modelTopology or weightsManifest"]);
    await Deno.writeTextFile(`${dir}/model.json`, text);
  });
  assert.deepEqual(await savedModelProblems(dir), []);
  await Deno.remove(root, { recursive: true });
});

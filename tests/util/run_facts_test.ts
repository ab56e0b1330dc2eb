import assert from "node:assert/strict";
import { join } from "node:path";
import { readRunFacts, recordRunFact, RUN_FACTS_ENV } from "../../lib/util/run_facts.ts";

Deno.test("recordRunFact appends to the file the run names, and does nothing without one", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "facts.jsonl");
  const previous = Deno.env.get(RUN_FACTS_ENV);
  try {
    Deno.env.delete(RUN_FACTS_ENV);
    recordRunFact("backend", "ignored");
    assert.deepEqual(await readRunFacts(file), {});
    Deno.env.set(RUN_FACTS_ENV, file);
    recordRunFact("backend", "wasm");
    recordRunFact("backend", "wasm");
    recordRunFact("backend", "cpu");
    recordRunFact("note", 'a "quoted" value\nover two lines');
    assert.deepEqual(await readRunFacts(file), {
      backend: ["wasm", "cpu"],
      note: ['a "quoted" value\nover two lines'],
    });
  } finally {
    if (previous === undefined) Deno.env.delete(RUN_FACTS_ENV);
    else Deno.env.set(RUN_FACTS_ENV, previous);
    await Deno.remove(dir, { recursive: true });
  }
});

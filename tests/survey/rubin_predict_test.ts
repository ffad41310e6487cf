/**
 * `predict --alerts` on the Rubin fixtures with a tiny run trained here on
 * ZTF-band (g, r, i) data: objects with frames in the run's bands are
 * classified; frames in bands the run has never seen (u, z, y) are dropped,
 * and an object left with none is reported by name and skipped, not crashed on.
 */
import { assert, assertEquals, assertMatch } from "../util/assert.ts";
import { cli } from "../util/cli.ts";
import { merge, trainPreset } from "../../lib/train/config.ts";
import { train } from "../../lib/train/train.ts";
import { selectBackend } from "../../lib/train/backend.ts";
import { writeTinySurvey } from "../train/fixture.ts";
import { loadRubinReference, RUBIN_DIR } from "./rubin_reference.ts";

Deno.test("predict --alerts on Rubin alerts with a g,r,i run: unseen bands handled", async () => {
  await selectBackend("wasm", { quiet: true });
  const root = await Deno.makeTempDir({ prefix: "convention-rubin-" });
  try {
    await writeTinySurvey(`${root}/survey`, 6);
    const cfg = merge(trainPreset("tiny"), {
      name: "tiny",
      runsDir: `${root}/runs`,
      backend: "wasm",
      data: { source: `${root}/survey`, store: `${root}/store`, bands: ["g", "r", "i"] },
    } as Record<string, unknown>);
    await train({ config: cfg, log: () => {}, tty: false });

    // Independent expectation from the reference: objects (diaObjectId, else ss:ssObjectId)
    // and whether any of their alerts is in g, r or i.
    const objects = new Map<string, Set<string>>();
    for (const a of loadRubinReference()) {
      const id = a.diaObjectId !== "0" ? a.diaObjectId : `ss:${a.ssObjectId}`;
      if (!objects.has(id)) objects.set(id, new Set());
      objects.get(id)!.add(a.band);
    }
    const inRun = [...objects].filter(([, b]) => [...b].some((x) => "gri".includes(x)));
    const outside = [...objects].filter(([, b]) => ![...b].some((x) => "gri".includes(x)));
    assertEquals([objects.size, outside.length], [54, 5]);

    const r = await cli(
      "predict",
      "--model",
      "tiny",
      "--runs-dir",
      `${root}/runs`,
      "--alerts",
      RUBIN_DIR,
    );
    assertEquals(r.code, 0, r.stderr);
    const preds = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assertEquals(preds.map((p) => p.id).sort(), inRun.map(([id]) => id).sort());
    for (const p of preds) {
      const probs = Object.values(p.probabilities) as number[];
      assertEquals(probs.length, 4);
      assert(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 1e-4, "probabilities sum to 1");
      assert(p.frames >= 1, `${p.id} has frames`);
    }
    for (const [id] of outside) assertMatch(r.stderr, new RegExp(`"${id}"`));
    assertMatch(r.stderr, new RegExp(`predicted ${inRun.length} objects`));

    // One Parquet file as the input (not a folder): the same objects as the folder's for it.
    const one = `${RUBIN_DIR}/part-1-0-398764591.parquet`;
    const single = await cli("predict", "--model", "tiny", "--runs-dir", `${root}/runs`, one);
    assertEquals(single.code, 0, single.stderr);
    const fromFile = single.stdout.trim().split("\n").map((l) => JSON.parse(l).id as string);
    assert(fromFile.length >= 1, "the file's objects are classified");
    for (const id of fromFile) assert(preds.some((p) => p.id === id), `${id} also from the folder`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

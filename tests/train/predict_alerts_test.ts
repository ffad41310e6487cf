/**
 * Issue 8, item 2: predicting on a folder of ZTF alert packets with a tiny
 * trained model gives one result per valid object, and the packets that
 * cannot be used (JPEG cut-outs, re-issued duplicates) are reported.
 */
import { assert, assertEquals, assertMatch } from "../util/assert.ts";
import { cli } from "../util/cli.ts";
import { merge, trainPreset } from "../../lib/train/config.ts";
import { train } from "../../lib/train/train.ts";
import { selectBackend } from "../../lib/train/backend.ts";
import { alertSeries } from "../../lib/survey/ztf_series.ts";
import { writeTinySurvey } from "./fixture.ts";

const ALERTS = "fixtures/ztf/alerts";

Deno.test("predict --alerts: one prediction per valid alert object, skipped packets reported", async () => {
  await selectBackend("wasm", { quiet: true });
  const root = await Deno.makeTempDir({ prefix: "convention-alerts-" });
  try {
    await writeTinySurvey(`${root}/survey`, 6);
    const cfg = merge(trainPreset("tiny"), {
      name: "tiny",
      runsDir: `${root}/runs`,
      backend: "wasm",
      data: { source: `${root}/survey`, store: `${root}/store` },
    } as Record<string, unknown>);
    await train({ config: cfg, log: () => {}, tty: false });

    // The independent count: objects the alert reader can build a series for.
    const { series, report } = await alertSeries(ALERTS, { cutout: "difference" });
    const valid = series.filter((s) => s.frames.length > 0).map((s) => s.id).sort();
    assert(valid.length > 0 && report.packetsSkipped > 0, JSON.stringify(report));

    const { code, stdout, stderr } = await cli(
      "predict",
      "--model",
      "tiny",
      "--runs-dir",
      `${root}/runs`,
      "--alerts",
      ALERTS,
      "--cutout",
      "difference",
    );
    assertEquals(code, 0, stderr);
    const preds = stdout.trim().split("\n").map((l) => JSON.parse(l));
    assertEquals(preds.map((p) => p.id).sort(), valid);
    for (const p of preds) {
      const probs = Object.values(p.probabilities) as number[];
      assertEquals(probs.length, 4);
      assert(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 1e-4, "probabilities sum to 1");
      assert(p.frames >= 1, `${p.id} has frames`);
    }
    // The JPEG packets are reported by file and cut-out name.
    assertMatch(stderr, /1726958725155000\.avro.*JPEG/);
    assertMatch(stderr, /87704463155000\.avro.*JPEG/);
    assertMatch(stderr, new RegExp(`predicted ${valid.length} objects .*objects/s`));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

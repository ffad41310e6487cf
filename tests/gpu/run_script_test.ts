import { assert, assertEquals, assertMatch } from "../util/assert.ts";

Deno.test("run.sh parses (bash -n)", async () => {
  const r = await new Deno.Command("bash", { args: ["-n", "tasks/gpu/run.sh"], stderr: "piped" })
    .output();
  assertEquals(new TextDecoder().decode(r.stderr), "");
  assert(r.success);
});

Deno.test("run.sh without a pack fails fast with a JSON verdict (exit 2)", async () => {
  const out = await Deno.makeTempDir();
  try {
    const r = await new Deno.Command("bash", {
      args: ["tasks/gpu/run.sh", "--pack", `${out}/no-such-pack`, "--out", out],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(r.code, 2);
    const verdict = JSON.parse(await Deno.readTextFile(`${out}/gpu_check.json`));
    assertEquals(verdict.status, "failed");
    assertMatch(verdict.verdict[0], /pack missing/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

/**
 * The one way a test says it needs an outside tool (fitsverify, Chromium,
 * python3 with a module).
 *
 * - Tool present: the test runs.
 * - Tool missing, `CI` unset: the test is `ignored` in the summary and one
 *   line says why and how to install the tool (printed once per tool).
 * - Tool missing, `CI=true`: the test runs and fails with that line, so CI
 *   cannot pass without the tools it installs (`.ci/run`). A tool that CI
 *   does not install (`python3-torch`: about 230 MB with libtorch) is never
 *   required.
 *
 * ```text
 * await toolTest({ name: "...", tools: ["fitsverify"], fn: async () => { ... } });
 * ```
 *
 * For a tool check inside a larger test, {@link hasTool} answers the same
 * question (false with the printed reason, or a failure under `CI=true`).
 *
 * @module
 */

/** The outside tools tests may need. */
export type ToolName =
  | "fitsverify"
  | "chromium"
  | "python3-torch"
  | "python3-astropy"
  | "python3-avro";

/** How a tool is found and installed. */
interface ToolSpec {
  /** How to install it (the hint printed when it is missing). */
  install: string;
  /** Whether a run with `CI=true` must have it (`.ci/run` installs it). */
  requiredInCi: boolean;
  /** Resolves true when the tool works here. */
  probe: () => Promise<boolean>;
}

/** The Python the tests use (override with PYTHON). */
export const PYTHON: string = Deno.env.get("PYTHON") ?? "/usr/bin/python3";

/** Where Debian installs Chromium (override with CHROMIUM_PATH). */
export const CHROMIUM_PATH: string = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

async function runs(cmd: string, args: string[]): Promise<boolean> {
  try {
    const r = await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).output();
    return r.code === 0;
  } catch {
    return false;
  }
}

async function pythonHas(module: string): Promise<boolean> {
  return await runs(PYTHON, ["-c", `import ${module}`]);
}

const TOOLS: Record<ToolName, ToolSpec> = {
  // fitsverify -h exits 0 and prints its usage.
  fitsverify: {
    install: "apt-get install fitsverify",
    requiredInCi: true,
    probe: async () => {
      try {
        await new Deno.Command("fitsverify", { args: ["-h"], stdout: "null", stderr: "null" })
          .output();
        return true;
      } catch {
        return false;
      }
    },
  },
  chromium: {
    install: "apt-get install chromium, or set CHROMIUM_PATH",
    requiredInCi: true,
    probe: async () => {
      try {
        return (await Deno.stat(CHROMIUM_PATH)).isFile;
      } catch {
        return false;
      }
    },
  },
  "python3-torch": {
    install:
      "apt-get install python3-torch (Debian 1.13; not installed by CI, never required there)",
    requiredInCi: false,
    probe: () => pythonHas("torch"),
  },
  "python3-astropy": {
    install: "apt-get install python3-astropy",
    requiredInCi: true,
    probe: () => pythonHas("astropy"),
  },
  "python3-avro": {
    install: "apt-get install python3-avro",
    requiredInCi: true,
    probe: () => pythonHas("avro"),
  },
};

const found = new Map<ToolName, Promise<boolean>>();
const told = new Set<ToolName>();

/** Whether `CI=true` (or `CI=1`) is set. */
export function inCi(): boolean {
  const v = Deno.env.get("CI")?.toLowerCase();
  return v === "true" || v === "1";
}

/** Resolves true when the tool works here (probed once per process). */
export function toolPresent(name: ToolName): Promise<boolean> {
  let p = found.get(name);
  if (!p) found.set(name, p = TOOLS[name].probe());
  return p;
}

/** The one-line reason a test needing `name` cannot run here. */
export function missingReason(name: ToolName): string {
  const where = name.startsWith("python3-") ? ` (${PYTHON})` : "";
  return `${name} not found${where}: ${TOOLS[name].install}`;
}

/** Whether a missing `name` must fail the run (CI=true and CI can install it). */
export function toolRequired(name: ToolName): boolean {
  return inCi() && TOOLS[name].requiredInCi;
}

function tell(name: ToolName, what: string): void {
  if (told.has(name)) return;
  told.add(name);
  console.log(`ignored: ${what}: ${missingReason(name)}`);
}

/**
 * Resolves whether the test can go on with `name`: true when present; false
 * (and the reason printed once) when missing outside CI; under `CI=true` a
 * missing required tool throws with the reason.
 */
export async function hasTool(name: ToolName, what = "a check"): Promise<boolean> {
  if (await toolPresent(name)) return true;
  if (toolRequired(name)) throw new Error(`CI=true but ${missingReason(name)}`);
  tell(name, `tests needing ${name} (${what})`);
  return false;
}

/** A Deno test that needs outside tools. */
export interface ToolTestDefinition {
  /** The test name. */
  name: string;
  /** The tools it needs. */
  tools: ToolName[];
  /** The test body. */
  fn: (t: Deno.TestContext) => void | Promise<void>;
  /** Extra Deno.test options (sanitizers…). */
  options?: Omit<Deno.TestDefinition, "name" | "fn" | "ignore">;
}

/**
 * Registers a test that needs `tools`: ignored with a printed reason when one
 * is missing, run (and failing with that reason) under `CI=true`.
 */
export async function toolTest(def: ToolTestDefinition): Promise<void> {
  const missing: ToolName[] = [];
  for (const t of def.tools) if (!(await toolPresent(t))) missing.push(t);
  const required = missing.filter(toolRequired);
  const ignore = missing.length > 0 && required.length === 0;
  for (const t of missing) if (ignore) tell(t, `tests needing ${t}`);
  Deno.test({
    ...def.options,
    name: def.name,
    ignore,
    fn: async (t) => {
      if (required.length > 0) {
        throw new Error(`CI=true but ${required.map(missingReason).join("; ")}`);
      }
      await def.fn(t);
    },
  });
}

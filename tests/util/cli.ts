/**
 * Runs the CLI (`main.ts`) as a subprocess, as a user would, with the
 * permissions of the `cli` task minus `--allow-run` (or the ones given).
 *
 * @module
 */

/** What a CLI run printed and returned. */
export interface CliResult {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** Default permissions of a CLI run in the tests. */
export const CLI_PERMISSIONS: readonly string[] = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys",
];

/** Runs `deno run <permissions> main.ts ...args` and collects its output. */
export async function runCli(
  args: readonly string[],
  permissions: readonly string[] = CLI_PERMISSIONS,
): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, "main.ts", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** {@link runCli} with the default permissions, arguments spread. */
export function cli(...args: string[]): Promise<CliResult> {
  return runCli(args);
}

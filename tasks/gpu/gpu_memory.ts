/**
 * GPU memory as nvidia-smi reports it (MiB used on GPU 0), or null where
 * nvidia-smi is missing or fails (the rehearsal machine).
 *
 * @module
 */

/** memory.used of GPU 0 in MiB, or null. */
export async function nvidiaSmiMemoryMiB(): Promise<number | null> {
  try {
    const out = await new Deno.Command("nvidia-smi", {
      args: ["--query-gpu=memory.used", "--format=csv,noheader,nounits", "-i", "0"],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return null;
    const v = Number(new TextDecoder().decode(out.stdout).trim().split("\n")[0]);
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

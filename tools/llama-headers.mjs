// Extracts llama.cpp's C headers (include/, ggml/include/) matching the pinned native libraries
// into .tmp/llama-headers, for the ABI test, with the converter-made vocabulary GGUF files
// (models/ggml-vocab-*.gguf) that the GGUF reader is tested against. Source: the llama.cpp git bundle shipped inside the
// npm package node-llama-cpp (same version as @node-llama-cpp/linux-x64), checked by integrity.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, ".tmp", "llama-headers");
const spec = "node-llama-cpp@3.22.1";
const integrity =
  "sha512-bltIipuWmc123H7tMIgDGKSsSrhmhlQYeVUC48XTjVW7XGJJiJJyCdlTMzQ/LiWoPkGDpcL4FviDpgw7qfTiDw==";
const commit = "de3ff815ea7d559ee917f063901b8986f038abc6";

if (existsSync(join(target, "include", "llama.h")) && existsSync(join(target, "models", "ggml-vocab-llama-spm.gguf"))) {
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), "llama-headers-"));
try {
  const packed = JSON.parse(
    execFileSync("npm", ["pack", spec, "--json", "--pack-destination", work], { encoding: "utf8" }));
  if (packed[0].integrity !== integrity) {
    throw new Error(`${spec} has integrity ${packed[0].integrity}, expected ${integrity}`);
  }
  const tgz = join(work, packed[0].filename);
  execFileSync("tar", ["-xzf", tgz, "-C", work, "package/llama/gitRelease.bundle"]);
  const repo = join(work, "llama.git");
  execFileSync("git", ["clone", "--quiet", "--bare", join(work, "package/llama/gitRelease.bundle"), repo]);
  const head = execFileSync("git", ["-C", repo, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();
  if (head !== commit) {
    throw new Error(`bundle HEAD is ${head}, expected ${commit}`);
  }
  mkdirSync(target, { recursive: true });
  const archive = join(work, "headers.tar");
  execFileSync("git", ["-C", repo, "archive", "--output", archive, "HEAD", "include", "ggml/include", ":(glob)models/ggml-vocab-*.gguf"]);
  execFileSync("tar", ["-xf", archive, "-C", target]);
  console.log(`llama.cpp headers (${commit}) in ${target}: ${readdirSync(join(target, "include")).join(", ")}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

// Print the licence of every npm package bundled into query-editor.js (all of node_modules that
// the bundle can import: the runtime dependencies, not esbuild).
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const out = ["Licences of the npm packages bundled into query-editor.js (built by build.sh).", ""];
for (const [path, info] of Object.entries(lock.packages).sort()) {
  if (!path || info.dev) continue;
  const name = path.replace(/^.*node_modules\//, "");
  const licence = readdirSync(path).find((file) => /^(LICEN[CS]E|COPYING)/i.test(file));
  out.push("=".repeat(78), `${name} ${info.version} — ${info.license}`, "=".repeat(78));
  out.push(licence && existsSync(join(path, licence)) ? readFileSync(join(path, licence), "utf8").trim()
                                                      : `(no licence file; package.json says ${info.license})`);
  out.push("");
}
console.log(out.join("\n"));

// Build the partial plotly.js bundles bilateral ships: only the trace types its charts draw.
// Run from this folder: `npm ci && node build.mjs` (scripts/plotly_bundle/README.md). Writes
// bilateral/views/static/vendor/plotly-<name>.min.js with .br and .gz beside it, LICENSE-plotly.js and
// bundles.json (trace types, versions, sha256 of each file). Same inputs, same bytes.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const esbuild = require("esbuild");
const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "..", "bilateral", "views", "static", "vendor");
const plotlyVersion = JSON.parse(readFileSync(join(here, "node_modules", "plotly.js", "package.json"))).version;
const esbuildVersion = esbuild.version;

// name -> trace modules registered on plotly.js's core (which always carries scatter)
const BUNDLES = {
  basic: ["bar"],
  geo: ["bar", "scattergeo"],
};

function sha256(buf) { return createHash("sha256").update(buf).digest("hex"); }

mkdirSync(out, { recursive: true });
const manifest = { plotly_js: plotlyVersion, esbuild: esbuildVersion, built_by: "scripts/plotly_bundle/build.mjs",
                   licence: "MIT (LICENSE-plotly.js); bundled dependencies' licence comments kept at the end of each file",
                   bundles: {} };
for (const [name, traces] of Object.entries(BUNDLES)) {
  const entry = ["var Plotly = require('plotly.js/lib/core');",
                 `Plotly.register([${traces.map((t) => `require('plotly.js/lib/${t}')`).join(", ")}]);`,
                 "module.exports = Plotly;"].join("\n");
  const result = await esbuild.build({
    stdin: { contents: entry, resolveDir: here, sourcefile: `plotly-${name}.js` },
    bundle: true, minify: true, format: "iife", globalName: "Plotly", target: "es2016", write: false,
    legalComments: "eof",
    // plotly.js requires maplibre's style sheet for map subplots, which these bundles do not register
    loader: { ".css": "empty" },
    define: { global: "window", "define.amd": "false", "process.env.NODE_DEBUG": "false" },
    banner: { js: `/* plotly.js v${plotlyVersion} partial bundle (traces: scatter, ${traces.join(", ")}), MIT licence, ` +
                  "Copyright Plotly, Inc.; built by bilateral's scripts/plotly_bundle/build.mjs */" },
    logLevel: "warning",
  });
  const js = Buffer.from(result.outputFiles[0].contents);
  const file = `plotly-${name}.min.js`;
  const br = brotliCompressSync(js, { params: { [constants.BROTLI_PARAM_QUALITY]: 11,
                                                [constants.BROTLI_PARAM_SIZE_HINT]: js.length } });
  const gz = gzipSync(js, { level: 9 });
  writeFileSync(join(out, file), js);
  writeFileSync(join(out, file + ".br"), br);
  writeFileSync(join(out, file + ".gz"), gz);
  manifest.bundles[name] = { file, traces: ["scatter", ...traces], bytes: js.length, sha256: sha256(js),
                             br_bytes: br.length, br_sha256: sha256(br), gz_bytes: gz.length, gz_sha256: sha256(gz) };
}
copyFileSync(join(here, "node_modules", "plotly.js", "LICENSE"), join(out, "LICENSE-plotly.js"));
writeFileSync(join(out, "bundles.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(JSON.stringify(manifest, null, 2));

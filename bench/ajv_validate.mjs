// ajv_validate.mjs - ajv's side of bench/bench_validate_ajv.sh: compile the
// schema once (draft 2020-12, formats from ajv-formats when --formats), then
// JSON.parse and validate each line of an NDJSON file.
//
//   AJV_DIR=DIR node bench/ajv_validate.mjs [--formats] SCHEMA.json FILE.ndjson
//
// DIR holds node_modules/ with ajv and ajv-formats (npm install --prefix DIR
// ajv ajv-formats). Prints the same "key: value" lines as bench_validate.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const args = process.argv.slice(2);
const formats = args[0] === "--formats";
if (formats) args.shift();
if (args.length !== 2) {
  console.error("usage: node ajv_validate.mjs [--formats] SCHEMA.json FILE.ndjson");
  process.exit(2);
}
const base = process.env.AJV_DIR ? path.resolve(process.env.AJV_DIR, "x.js") : import.meta.url;
const require = createRequire(base);
const Ajv2020 = require("ajv/dist/2020").default;

const schema = JSON.parse(readFileSync(args[0], "utf8"));
const t0 = process.hrtime.bigint();
const ajv = new Ajv2020({ strict: false, allErrors: false });
if (formats) require("ajv-formats").default(ajv);
const validate = ajv.compile(schema);
const t1 = process.hrtime.bigint();
const c1 = process.cpuUsage();
const text = readFileSync(args[1], "utf8");
let records = 0, valid = 0, invalid = 0, broken = 0;
let start = 0;
while (start < text.length) {
  let end = text.indexOf("\n", start);
  if (end < 0) end = text.length;
  const line = text.slice(start, end);
  start = end + 1;
  if (line.trim() === "") continue;
  let value;
  try {
    value = JSON.parse(line);
  } catch {
    broken++;
    continue;
  }
  records++;
  if (validate(value)) valid++;
  else invalid++;
}
const t2 = process.hrtime.bigint();
const c2 = process.cpuUsage(c1); // user + system of every thread of the process (GC too)
const secs = Number(t2 - t1) / 1e9;
console.log(`records: ${records}\nvalid: ${valid}\ninvalid: ${invalid}\nunreadable: ${broken}`);
console.log(`compile_seconds: ${(Number(t1 - t0) / 1e9).toFixed(4)}\nseconds: ${secs.toFixed(3)}`);
console.log(`cpu_seconds: ${((c2.user + c2.system) / 1e6).toFixed(3)}`);
console.log(`records_per_second: ${Math.round(records / secs)}`);

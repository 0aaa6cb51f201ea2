// check.mjs - differential test of the thb-event JSON Schema with ajv, a
// validator independent of thbx's own engine: every record of
// samples/events.json must be valid, every record of samples/invalid/*.json
// invalid. Exit 0 when all agree, 1 otherwise (each disagreement printed).
//
// Usage: node check.mjs SOURCE_DIR   (ajv and ajv-formats installed beside it
// with `npm ci`, see tests/cmake/profile.cmake)
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const root = process.argv[2];
if (!root) {
  console.error("usage: node check.mjs SOURCE_DIR");
  process.exit(2);
}
const load = (rel) => JSON.parse(readFileSync(join(root, rel), "utf8"));

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(load("schemas/thb-event-1.0.schema.json"));

let failures = 0;
let checked = 0;
const problem = (msg) => {
  failures++;
  console.error(`FAIL: ${msg}`);
};

const valid = load("samples/events.json");
if (!Array.isArray(valid) || valid.length < 20)
  problem("samples/events.json: expected an array of at least 20 records");
valid.forEach((record, i) => {
  checked++;
  if (!validate(record))
    problem(`samples/events.json[${i}] (${record.record_id}) is valid by the spec but ajv ` +
            `rejects it: ${ajv.errorsText(validate.errors)}`);
});

const dir = "samples/invalid";
const files = readdirSync(join(root, dir)).filter((n) => n.endsWith(".json")).sort();
if (files.length < 15) problem(`${dir}: expected at least 15 invalid files, found ${files.length}`);
for (const name of files) {
  const records = load(join(dir, name));
  if (!Array.isArray(records) || records.length !== 1) {
    problem(`${dir}/${name}: expected an array with exactly one record`);
    continue;
  }
  checked++;
  if (validate(records[0])) problem(`${dir}/${name} breaks a rule but ajv accepts it`);
  else console.log(`ok: ${name}: ${ajv.errorsText(validate.errors).slice(0, 160)}`);
}

console.log(`${checked} records checked, ${failures} disagreement(s)`);
process.exit(failures ? 1 : 0);

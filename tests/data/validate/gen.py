#!/usr/bin/env python3
"""Generate the mixed validation inputs of tests/cli/t0600-validate.sh from
samples/: valid records with broken ones at known lines. Run from the
repository root: python3 tests/data/validate/gen.py. The line numbers the
test checks are printed (and listed in README.md)."""
import csv, io, json, re, copy

S = "samples/events"
OUT = "tests/data/validate/"
recs = [json.loads(l) for l in open(S + ".ndjson", encoding="utf-8")]
R1, R2, R3 = recs[0], recs[1], recs[2]
assert R3.get("assistance"), "record 3 of the samples is an assistance event"


def with_(rec, **changes):
    r = copy.deepcopy(rec)
    for path, value in changes.items():
        keys = path.split("__")
        o = r
        for k in keys[:-1]:
            o = o.setdefault(k, {})
        if value is None:
            o.pop(keys[-1], None)
        else:
            o[keys[-1]] = value
    return r


# ---------------------------------------------------------------- NDJSON
lines = [
    json.dumps(R1, ensure_ascii=False),                                     # 1 valid
    json.dumps(with_(R2, person__sex="F"), ensure_ascii=False),             # 2 enum
    '{"record_id": "AL-BROKEN-1", "schema_version": ',                      # 3 unreadable
    json.dumps(R3, ensure_ascii=False),                                     # 4 valid
    json.dumps(R1, ensure_ascii=False),                                     # 5 duplicate of 1
    json.dumps(with_(R3, record_id="AL-VLORE-2024-0006",
                     assistance__end_date="2024-03-01"), ensure_ascii=False),  # 6 dates
    json.dumps(with_(R2, record_id="AL-TIRANA-2024-0007",
                     event_date="2099-01-01"), ensure_ascii=False),         # 7 future
]
open(OUT + "mixed.ndjson", "w", encoding="utf-8").write("\n".join(lines) + "\n")
print("mixed.ndjson: valid 1 4; sex 2; unreadable 3; duplicate 5 (first 1); dates 6; future 7")

# ---------------------------------------------------------------- CSV
rows = list(csv.reader(open(S + ".csv", encoding="utf-8", newline="")))
header, data = rows[0], rows[1:]
col = {name: i for i, name in enumerate(header)}


def row(i, **cells):
    r = list(data[i])
    for k, v in cells.items():
        r[col[k.replace("__", ".")]] = v
    return r


out = io.StringIO()
w = csv.writer(out, lineterminator="\r\n")
w.writerow(header)                                                           # line 1
w.writerow(row(0, reporting_body__name="Drejtoria Vendore\r\ne Policisë"))  # 2-3 valid
w.writerow(row(1, person__sex="F"))                                          # 4 enum
w.writerow(row(2, reporting_body__name='Qendra "Tjetër\nVizion",\nElbasan',
               event_date="2024-02-30"))                                     # 5-7 date
w.writerow(row(1, record_id="AL-TIRANA-2024-0008"))                          # 8 valid
w.writerow(row(0, record_id="AL-TIRANA-2024-0009", person__age_group="99+"))  # 9 enum
open(OUT + "mixed.csv", "w", encoding="utf-8", newline="").write(out.getvalue())
print("mixed.csv: valid 2 8; sex 4; event_date 5; age_group 9")

# ---------------------------------------------------------------- XML
xml = open(S + ".xml", encoding="utf-8").read()
records = re.findall(r"  <record id=.*?</record>\n", xml, re.S)
head = xml[: xml.index("  <record id=")]
x1, x2, x3 = records[0], records[1], records[2]
x2_bad = x2.replace("<sex>female</sex>", "<sex>F</sex>")
assert x2_bad != x2
# an identified victim without exploitation: only the JSON Schema says no
x1_noexp = re.sub(r"    <exploitation>.*?</exploitation>\n", "", x1, flags=re.S)
x1_noexp = x1_noexp.replace('id="AL-TIRANA-2024-0001"', 'id="AL-TIRANA-2024-0010"')
assert x1_noexp != x1
body = [x1, x2_bad, x3, x1_noexp]
text = head + "".join(body) + "</records>\n"
open(OUT + "mixed.xml", "w", encoding="utf-8").write(text)
starts, line = [], head.count("\n") + 1
for b in body:
    starts.append(line)
    line += b.count("\n")
sex_line = starts[1] + x2_bad[: x2_bad.index("<sex>F")].count("\n")
print("mixed.xml: records at %s; sex element at line %d; no exploitation record at %d"
      % (starts, sex_line, starts[3]))

# ---------------------------------------------------------------- JSON array
arr = [R1, with_(R2, person__sex="F"), R3, with_(R1, record_id="AL-TIRANA-2024-0011",
                                                 exploitation=None)]
parts, starts, line = [], [], 2
for r in arr:
    t = json.dumps(r, ensure_ascii=False, indent=2)
    t = "\n".join("  " + l for l in t.split("\n"))
    starts.append(line)
    line += t.count("\n") + 1
    parts.append(t)
open(OUT + "mixed.json", "w", encoding="utf-8").write("[\n" + ",\n".join(parts) + "\n]\n")
print("mixed.json: records start at lines %s (2nd: sex, 4th: no exploitation)" % starts)

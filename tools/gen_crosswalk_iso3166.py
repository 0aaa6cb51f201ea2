#!/usr/bin/env python3
"""Generate schemas/crosswalks/iso3166-alpha3-alpha2.csv from Debian's
iso-codes (/usr/share/iso-codes/json/iso_3166-1.json, package iso-codes).

Usage: python3 tools/gen_crosswalk_iso3166.py [ISO_3166-1.json] > schemas/crosswalks/iso3166-alpha3-alpha2.csv

Every row is `equivalent` (alpha-3 and alpha-2 name the same country). Codes
that the profile's code list (schemas/codes/countries.csv) lacks are left out
so that every target code of the crosswalk is in the profile; the script says
on stderr which ones.
"""
import csv
import io
import json
import os
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/iso-codes/json/iso_3166-1.json"
here = os.path.dirname(os.path.abspath(__file__))
codes = os.path.join(here, "..", "schemas", "codes", "countries.csv")
with open(codes, newline="", encoding="utf-8") as f:
    profile = {row["code"] for row in csv.DictReader(f)}
with open(src, encoding="utf-8") as f:
    entries = json.load(f)["3166-1"]
out = io.StringIO()
w = csv.writer(out, lineterminator="\n")
w.writerow(["source_code", "target_code", "relationship", "label", "note"])
left_out = []
for e in sorted(entries, key=lambda e: e["alpha_3"]):
    if e["alpha_2"] not in profile:
        left_out.append(e["alpha_3"])
        continue
    w.writerow([e["alpha_3"], e["alpha_2"], "equivalent", e["name"], ""])
# Kosovo: not in ISO 3166-1; XK / XKX are the user-assigned codes that the
# European Commission, Eurostat and the profile's countries list use.
if "XK" in profile:
    w.writerow(["XKX", "XK", "equivalent", "Kosovo", "user-assigned code, not ISO 3166-1"])
sys.stdout.write(out.getvalue())
if left_out:
    print("left out (not in the profile's countries): " + " ".join(left_out), file=sys.stderr)

#!/usr/bin/env python3
"""Generate N valid thb-event 1.0 records as NDJSON (stdlib only, deterministic).

    bench/gen_records.py [-n N] [--seed S] [-o FILE]

Records follow docs/model/thb-event-1.0.md with realistic variety:
every event type, optional parts present or not, arrays of 1..4 distinct
codes from the repository's code lists (schemas/codes/*.csv), non-ASCII
names, and the characters that test a converter (quotes, commas, `|`,
`<&>`, newlines) inside free text. Properties are in schema order, so
`thbx convert` of the output reproduces it byte for byte. Other formats:
    thbx convert records.ndjson -t csv -o records.csv
"""
import argparse
import csv
import datetime
import hashlib
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CODES = os.path.join(HERE, "..", "schemas", "codes")


def codes(name):
    with open(os.path.join(CODES, name + ".csv"), encoding="utf-8", newline="") as f:
        return [row["code"] for row in csv.DictReader(f)]


C = {n: codes(n) for n in (
    "countries", "body_types", "event_types", "person_roles", "sex", "age_groups",
    "vulnerabilities", "exploitation_forms", "labour_sectors", "sexual_exploitation_types",
    "means_of_control", "recruiter_relations", "identification_stages", "indicators",
    "services", "proceeding_stages", "proceeding_outcomes", "compensation_sources")}

# countries that report most, and where people are exploited
REPORTERS = ["AL", "BA", "BG", "HR", "XK", "MD", "ME", "MK", "RO", "RS", "SI", "GR", "AT", "DE", "IT"]
ELSEWHERE = ["NG", "VN", "UA", "CN", "PH", "TR", "GB", "FR", "ES", "NL", "CH", "HU", "CZ", "PL"]

BODY_NAMES = [
    "Drejtoria Vendore e Policisë Tiranë",
    "Ministarstvo unutrašnjih poslova – Odsjek za borbu protiv trgovine ljudima",
    "Centrul Național de Asistență și Protecție a Victimelor",
    "Агенција за борба против трговија со луѓе",
    "Служба за борба против трговије људима",
    "Qendra \"Tjetër Vizion\", Elbasan",
    "La Strada | Moldova",
    "Κέντρο Υποδοχής <Θεσσαλονίκη> & Βορείου Ελλάδος",
    "Caritas, Zagreb; \"Kuća nade\"",
    "Bundeskriminalamt\nReferat THB",
    "Polizia di Stato – Squadra Mobile, Milano",
    "NGO 'Open Gate' / Otvorena vrata",
]
LEGAL = ["Art. 110/a KP", "čl. 388 KZ", "Art. 165, §2 | CP", "StGB § 232a", "art. 601 c.p.",
         "Art. 186 \"trafficking\" (amended 2021)"]
CURRENCIES = ["EUR", "ALL", "RSD", "MKD", "BAM", "MDL", "RON", "BGN", "CHF"]


def some(rng, items, lo=1, hi=4):
    return rng.sample(items, rng.randint(lo, min(hi, len(items))))


def date(rng, start, end):
    days = (end - start).days
    return start + datetime.timedelta(days=rng.randint(0, days))


def record(rng, i):
    country = rng.choice(REPORTERS)
    event = rng.choice(C["event_types"])
    role = rng.choice(C["person_roles"])
    if event in ("identification", "referral", "assistance", "return", "compensation"):
        role = rng.choice(["victim", "presumed_victim"])
    elif event in ("conviction",):
        role = "convicted_offender"
    day = date(rng, datetime.date(2019, 1, 1), datetime.date(2025, 6, 30))
    r = {}
    r["record_id"] = "%s-%s-%d-%07d" % (country, rng.choice(["POL", "NGO", "NC", "PRO", "SOC"]),
                                        day.year, i)
    r["schema_version"] = "1.0"
    r["reporting_country"] = country
    body = {"type": rng.choice(C["body_types"])}
    if rng.random() < 0.8:
        body["name"] = rng.choice(BODY_NAMES)
    r["reporting_body"] = body
    r["event_type"] = event
    r["event_date"] = day.isoformat()
    if rng.random() < 0.85:
        r["case_ref"] = "%s:%d-%04d" % (rng.choice(["TIR", "SKP", "BEG", "KIV", "case"]), day.year,
                                        rng.randint(1, 9999))
    person = {}
    person["person_ref"] = hashlib.sha256(b"person-%d" % rng.randint(0, 10 ** 9)).hexdigest()
    person["role"] = role
    person["sex"] = rng.choices(C["sex"], weights=[6, 3, 0.2, 0.5])[0]
    person["age_group"] = rng.choice(C["age_groups"])
    if rng.random() < 0.5:
        person["minor_at_exploitation"] = rng.random() < 0.3
    if rng.random() < 0.7:
        person["citizenship"] = [country] if rng.random() < 0.7 else some(rng, REPORTERS + ELSEWHERE, 1, 2)
    if rng.random() < 0.4:
        person["vulnerabilities"] = some(rng, C["vulnerabilities"])
    r["person"] = person
    victim_id = event == "identification" and role in ("victim", "presumed_victim")
    if victim_id or rng.random() < 0.3:
        ex = {"forms": some(rng, C["exploitation_forms"], 1, 2)}
        if "forced_labour" in ex["forms"] or rng.random() < 0.2:
            ex["labour_sectors"] = some(rng, C["labour_sectors"], 1, 2)
        if "sexual" in ex["forms"]:
            ex["sexual_exploitation_types"] = some(rng, C["sexual_exploitation_types"], 1, 2)
        if rng.random() < 0.6:
            ex["means_of_control"] = some(rng, C["means_of_control"])
        if rng.random() < 0.7:
            ex["countries"] = some(rng, [country] + ELSEWHERE, 1, 3)
        if rng.random() < 0.6:
            ex["transnational"] = rng.random() < 0.5
        if rng.random() < 0.5:
            ex["start_year"] = rng.randint(2005, day.year)
        if rng.random() < 0.5:
            rec = {}
            if rng.random() < 0.8:
                rec["relation"] = rng.choice(C["recruiter_relations"])
            if rng.random() < 0.6 or not rec:
                rec["online"] = rng.random() < 0.4
            ex["recruitment"] = rec
        r["exploitation"] = ex
    if event == "identification":
        ident = {"stage": rng.choice(C["identification_stages"])}
        if rng.random() < 0.7:
            ident["identified_by"] = rng.choice(C["body_types"])
        if rng.random() < 0.6:
            ident["indicators"] = some(rng, C["indicators"], 1, 5)
        r["identification"] = ident
    if event == "referral":
        r["referral"] = {"referred_to": some(rng, C["services"]), "consent": rng.random() < 0.9}
    if event == "assistance":
        a = {"services": some(rng, C["services"])}
        if rng.random() < 0.8:
            a["start_date"] = day.isoformat()
            if rng.random() < 0.6:
                a["end_date"] = date(rng, day, day + datetime.timedelta(days=400)).isoformat()
        r["assistance"] = a
    if event == "return":
        r["return"] = {"from_country": rng.choice(ELSEWHERE), "to_country": country,
                       "assisted": rng.random() < 0.8}
    if event in ("investigation", "prosecution", "conviction", "acquittal"):
        p = {"stage": rng.choice(C["proceeding_stages"])}
        if rng.random() < 0.7:
            p["legal_basis"] = rng.choice(LEGAL)
        if event in ("conviction", "acquittal") or rng.random() < 0.3:
            p["outcome"] = rng.choice(C["proceeding_outcomes"])
        if event == "conviction":
            p["sentence_months"] = rng.randint(6, 240)
        r["proceedings"] = p
    if event == "compensation":
        c = {"claimed": True}
        if rng.random() < 0.7:
            cents = rng.randint(10000, 5000000)
            # both spellings of a number: integral amounts and 2 decimals
            c["awarded_amount"] = cents // 100 if cents % 3 == 0 else cents / 100
            c["currency"] = rng.choice(CURRENCIES)
        if rng.random() < 0.7:
            c["source"] = rng.choice(C["compensation_sources"])
        r["compensation"] = c
    if rng.random() < 0.6:
        r["exported_at"] = "2025-%02d-%02dT%02d:%02d:00%s" % (
            rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59),
            rng.choice(["Z", "+01:00", "+02:00", "-05:00"]))
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1000, help="number of records (default 1000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("-o", "--output", help="output file (default stdout)")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = open(a.output, "w", encoding="utf-8", newline="\n") if a.output else sys.stdout
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    buf = []
    for i in range(a.n):
        buf.append(dumps(record(rng, i + 1)))
        if len(buf) == 1000:
            out.write("\n".join(buf) + "\n")
            buf = []
    if buf:
        out.write("\n".join(buf) + "\n")
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()

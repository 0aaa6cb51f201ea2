#!/usr/bin/env python3
"""gen_profile.py - generate the thb-event 1.0 profile from one description.

Sources (edited by hand):
  - MODEL below: the fields of docs/model/thb-event-1.0.md, in its order;
  - schemas/codes/NAME.csv for every code list except countries;
  - /usr/share/iso-codes/json/iso_3166-1.json (Debian package iso-codes);
  - samples/events.json (the sample records) and INVALID below (one broken
    rule per file, each a change to one sample record).

Generated (never edit these by hand, run this script):
  - schemas/codes/countries.csv (ISO 3166-1 alpha-2 plus XK Kosovo);
  - schemas/thb-event-1.0.schema.json and schemas/thb-event-1.0.xsd, their
    enumerations read from the CSV code lists;
  - samples/events.json in canonical form (schema order, 2-space indent),
    samples/events.ndjson, samples/events.csv, samples/events.xml;
  - samples/invalid/*.json, their .xml twins and samples/invalid/README.md;
  - the tables and the example between <!-- generated:NAME --> markers in
    docs/model.md (the rest of that file is written by hand).

Usage: tools/gen_profile.py [--root DIR] [--iso-codes FILE] [--check]
  --check  write nothing; exit 1 and say which files differ from what would
           be generated (and how), 0 when all agree.
Python 3 standard library only.
"""
import argparse
import copy
import csv
import difflib
import io
import json
import os
import sys

NS = "urn:thbx:thb-event:1.0"
ISO_3166 = "/usr/share/iso-codes/json/iso_3166-1.json"

# Code lists in the order of the model's "Code lists" section.
CODE_LISTS = [
    "countries", "body_types", "event_types", "person_roles", "sex", "age_groups",
    "vulnerabilities", "exploitation_forms", "labour_sectors", "sexual_exploitation_types",
    "means_of_control", "recruiter_relations", "identification_stages", "indicators",
    "services", "proceeding_stages", "proceeding_outcomes", "compensation_sources",
]

# ----------------------------------------------------------------- the model
# F(name, kind, ...): kind is string, code, date, datetime, boolean, integer,
# number, object or array. For arrays, `of` is the item (always a code here)
# and `item` the XML item element. Objects list their children in order.


def F(name, kind, desc, required=False, **kw):
    d = {"name": name, "kind": kind, "desc": desc, "required": required}
    d.update(kw)
    return d


def A(name, codes, item, desc, required=False):
    return F(name, "array", desc, required, codes=codes, item=item)


PATTERN_RECORD_ID = "^[A-Z]{2}-[A-Za-z0-9._-]{1,64}$"
PATTERN_CASE_REF = "^[A-Za-z0-9._:-]{1,128}$"
PATTERN_PERSON_REF = "^[A-Za-z0-9._:-]{8,128}$"
PATTERN_CURRENCY = "^[A-Z]{3}$"
PATTERN_DATE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
PATTERN_DATETIME = ("^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-9]{2}:[0-9]{2}(\\.[0-9]+)?"
                    "(Z|[+-][0-9]{2}:[0-9]{2})$")

MODEL = [
    F("record_id", "string", "Identifier of the record: the issuing country's code, a hyphen, "
      "a local id; unique in a dataset", True, pattern=PATTERN_RECORD_ID, attribute="id"),
    F("schema_version", "const", "Version of the record model, always 1.0", True, value="1.0"),
    F("reporting_country", "code", "Country whose body reports the event", True,
      codes="countries"),
    F("reporting_body", "object", "The body that reports the event", True, children=[
        F("type", "code", "Kind of body", True, codes="body_types"),
        F("name", "string", "Name of the body", min=1, max=200, xsd_type="ReportingBodyName"),
    ]),
    F("event_type", "code", "What happened", True, codes="event_types"),
    F("event_date", "date", "When it happened (a calendar date, YYYY-MM-DD)", True),
    F("case_ref", "string", "Pseudonymous case reference", pattern=PATTERN_CASE_REF),
    F("person", "object", "The person the event is about", True, children=[
        F("person_ref", "string", "Pseudonym of the person (e.g. 64 hex digits of an "
          "HMAC-SHA256), never a name or document number", True, pattern=PATTERN_PERSON_REF),
        F("role", "code", "Role of the person in this event", True, codes="person_roles"),
        F("sex", "code", "Sex of the person", True, codes="sex"),
        F("age_group", "code", "Age group (CTDC brackets)", True, codes="age_groups"),
        F("minor_at_exploitation", "boolean", "The person was a child when exploited"),
        A("citizenship", "countries", "country", "Citizenship(s); dual citizenship allowed"),
        A("vulnerabilities", "vulnerabilities", "vulnerability", "Vulnerabilities"),
    ]),
    F("exploitation", "object", "The exploitation; required when a victim or presumed "
      "victim is identified", children=[
        dict(A("forms", "exploitation_forms", "form", "Forms of exploitation", True),
             note="exploitation is required for an identified victim or presumed victim"),
        A("labour_sectors", "labour_sectors", "sector", "Sectors of labour exploitation"),
        A("sexual_exploitation_types", "sexual_exploitation_types", "type",
          "Types of sexual exploitation"),
        A("means_of_control", "means_of_control", "means", "Means of control used"),
        A("countries", "countries", "country", "Countries of exploitation"),
        F("transnational", "boolean", "A border was crossed"),
        F("start_year", "integer", "Year the exploitation started", min=1950, max=2100),
        F("recruitment", "object", "How the person was recruited", children=[
            F("relation", "code", "Relation of the recruiter to the person",
              codes="recruiter_relations"),
            F("online", "boolean", "Recruited through the internet / social media"),
        ]),
    ]),
    F("identification", "object", "The identification", children=[
        F("stage", "code", "Preliminary or formal identification",
          codes="identification_stages"),
        F("identified_by", "code", "Kind of body that identified the person", codes="body_types"),
        A("indicators", "indicators", "indicator", "Indicators observed (ILO/EC operational "
          "indicators, group.name)"),
    ]),
    F("referral", "object", "The referral", children=[
        A("referred_to", "services", "service", "Services the person was referred to"),
        F("consent", "boolean", "Informed consent to the referral"),
    ]),
    F("assistance", "object", "The assistance", children=[
        A("services", "services", "service", "Services provided"),
        F("start_date", "date", "First day of assistance"),
        F("end_date", "date", "Last day of assistance, not before start_date",
          note="not before start_date (a thbx validate rule)"),
    ]),
    F("return", "object", "The return", children=[
        F("from_country", "code", "Country the person returned from", codes="countries"),
        F("to_country", "code", "Country the person returned to", codes="countries"),
        F("assisted", "boolean", "Assisted return"),
    ]),
    F("proceedings", "object", "The criminal proceedings", children=[
        F("stage", "code", "Stage of the proceedings", codes="proceeding_stages"),
        F("legal_basis", "string", "Legal basis, e.g. the article of the criminal code",
          min=1, max=100),
        F("outcome", "code", "Outcome", codes="proceeding_outcomes"),
        F("sentence_months", "integer", "Prison sentence in months", min=0, max=600),
    ]),
    F("compensation", "object", "The compensation", children=[
        F("claimed", "boolean", "Compensation was claimed"),
        F("awarded_amount", "number", "Amount awarded (>= 0, at most 2 decimals)", min=0),
        F("currency", "string", "Currency of the amount (ISO 4217); required with "
          "awarded_amount", pattern=PATTERN_CURRENCY,
          note="required when awarded_amount is present"),
        F("source", "code", "Who pays", codes="compensation_sources"),
    ]),
    F("exported_at", "datetime", "When the record was exported (RFC 3339 with offset)"),
]

# Kinds whose XML spelling is an element with simple content.
XSD_PRIMITIVE = {"date": "t:Date", "datetime": "t:DateTime", "boolean": "t:Boolean"}


def walk_leaves(fields, prefix=""):
    """(dotted path, field) for every leaf (scalar or array) in schema order."""
    for f in fields:
        path = prefix + f["name"]
        if f["kind"] == "object":
            yield from walk_leaves(f["children"], path + ".")
        else:
            yield path, f


def field_at(path):
    fields, f = MODEL, None
    for part in path.split("."):
        f = next((x for x in fields if x["name"] == part), None)
        if f is None:
            return None
        fields = f.get("children", [])
    return f


# ------------------------------------------------------------- code lists


def csv_text(rows):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    for r in rows:
        w.writerow(r)
    return out.getvalue()


def gen_countries(iso_path):
    if not os.path.exists(iso_path):
        raise SystemExit(f"gen_profile: {iso_path} is missing: install Debian's iso-codes "
                         "(apt-get install iso-codes) or pass --iso-codes FILE")
    with open(iso_path, encoding="utf-8") as f:
        data = json.load(f)
    rows = {c["alpha_2"]: c["name"] for c in data["3166-1"]}
    if "XK" in rows:
        raise SystemExit("gen_profile: iso-codes now has XK; drop the manual addition")
    rows["XK"] = "Kosovo"
    return csv_text([("code", "label")] + sorted(rows.items()))


def read_code_list(path, text=None):
    if text is None:
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0] != ["code", "label"]:
        raise SystemExit(f"{path}: the header must be code,label")
    codes = []
    for i, r in enumerate(rows[1:], 2):
        if len(r) != 2 or not r[0] or not r[1]:
            raise SystemExit(f"{path}:{i}: need a non-empty code and label")
        if r[0] != r[0].strip() or r[0] in codes:
            raise SystemExit(f"{path}:{i}: code '{r[0]}' has spaces or is a duplicate")
        codes.append(r[0])
    if csv_text(rows) != text:
        raise SystemExit(f"{path}: not in canonical CSV form (LF, minimal quoting)")
    return codes


# ------------------------------------------------------------ JSON Schema


def js_field(f, path):
    k = f["kind"]
    s = {"description": f["desc"]}
    if k == "code":
        s.update({"type": "string", "$ref": "#/$defs/" + f["codes"]})
    elif k == "const":
        s.update({"type": "string", "const": f["value"]})
    elif k == "string":
        s["type"] = "string"
        if "pattern" in f:
            s["pattern"] = f["pattern"]
        else:
            s["minLength"] = f["min"]
            s["maxLength"] = f["max"]
    elif k == "date":
        s.update({"type": "string", "format": "date", "pattern": PATTERN_DATE})
    elif k == "datetime":
        s.update({"type": "string", "format": "date-time", "pattern": PATTERN_DATETIME})
    elif k == "boolean":
        s["type"] = "boolean"
    elif k == "integer":
        s.update({"type": "integer", "minimum": f["min"], "maximum": f["max"]})
    elif k == "number":
        s.update({"type": "number", "minimum": f["min"], "multipleOf": 0.01})
    elif k == "array":
        s.update({"type": "array", "minItems": 1, "uniqueItems": True,
                  "items": {"type": "string", "$ref": "#/$defs/" + f["codes"],
                            "xml": {"name": f["item"]}},
                  "xml": {"wrapped": True}})
    elif k == "object":
        s.update(js_object(f["children"], path + "."))
    else:
        raise ValueError(k)
    if "attribute" in f:
        s["xml"] = {"name": f["attribute"], "attribute": True}
    return s


def js_object(children, prefix):
    o = {"type": "object",
         "properties": {c["name"]: js_field(c, prefix + c["name"]) for c in children},
         "additionalProperties": False}
    req = [c["name"] for c in children if c["required"]]
    if req:
        o["required"] = req
    else:
        o["minProperties"] = 1  # an empty object is not a value (see docs/model.md)
    if prefix == "compensation.":
        o["dependentRequired"] = {"awarded_amount": ["currency"]}
    return o


def gen_json_schema(codes):
    s = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:thbx:thb-event:1.0",
        "title": "thb-event 1.0",
        "description": "One event in the life of a case of trafficking in human beings, "
                       "about one person, as reported by one body of one country "
                       "(docs/model/thb-event-1.0.md). Generated by "
                       "tools/gen_profile.py from its model and schemas/codes/*.csv; "
                       "do not edit.",
        "xml": {"name": "record", "namespace": NS, "x-root": "records"},
        # the dataset rules of thbx validate (docs/validate.md) take their
        # fields from here: the library names no field of this profile
        "x-thbx": {
            "id": {"rule": "unique-record-id", "field": "/record_id"},
            "date-order": [{"rule": "assistance-dates", "start": "/assistance/start_date",
                            "end": "/assistance/end_date"}],
            "not-future": [{"rule": "event-date-not-future", "field": "/event_date"}],
        },
    }
    s.update(js_object(MODEL, ""))
    # exploitation is required when a victim or presumed victim is identified
    s["if"] = {
        "properties": {
            "event_type": {"const": "identification"},
            "person": {"properties": {"role": {"enum": ["victim", "presumed_victim"]}},
                       "required": ["role"]},
        },
        "required": ["event_type", "person"],
    }
    s["then"] = {"description": "exploitation is required when a victim or presumed victim "
                                "is identified",
                 "required": ["exploitation"]}
    # x-thbx-codes names the list an enum comes from, so that thbx's error
    # names it and suggests the nearest codes instead of listing them all
    s["$defs"] = {name: {"description": f"code list {name} (schemas/codes/{name}.csv)",
                         "type": "string", "x-thbx-codes": name, "enum": codes[name]}
                  for name in CODE_LISTS}
    return json.dumps(s, indent=2, ensure_ascii=False) + "\n"


# -------------------------------------------------------------------- XSD


def xattr(v):
    return (v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def xsd_regex(pattern):
    """JSON Schema pattern (anchored by us) -> XSD pattern (implicitly anchored)."""
    assert pattern.startswith("^") and pattern.endswith("$")
    p = pattern[1:-1]
    return p.replace("_-]", "_\\-]").replace(":-]", ":\\-]").replace("[+-]", "[+\\-]")


class Xsd:
    def __init__(self):
        self.lines = []

    def w(self, depth, text):
        self.lines.append("  " * depth + text)


def xsd_type_name(f):
    if "xsd_type" in f:
        return f["xsd_type"]
    return "".join(part.capitalize() for part in f["name"].split("_"))


def xsd_facets(f):
    """(base, facets) of the named simple type of a scalar field with facets."""
    k = f["kind"]
    if k == "const":
        return "xs:string", [("enumeration", f["value"])]
    if k == "string" and "pattern" in f:
        return "xs:string", [("pattern", xsd_regex(f["pattern"]))]
    if k == "string":
        return "xs:string", [("minLength", f["min"]), ("maxLength", f["max"])]
    if k == "integer":
        return "xs:integer", [("minInclusive", f["min"]), ("maxInclusive", f["max"])]
    if k == "number":
        return "xs:decimal", [("minInclusive", f["min"]), ("fractionDigits", 2)]
    return None


def xsd_simple_type(x, d, name, base, facets, doc=None):
    x.w(d, f'<xs:simpleType name="{name}">')
    if doc:
        x.w(d + 1, f"<xs:annotation><xs:documentation>{doc}</xs:documentation></xs:annotation>")
    x.w(d + 1, f'<xs:restriction base="{base}">')
    for facet, value in facets:
        x.w(d + 2, f'<xs:{facet} value="{xattr(str(value))}"/>')
    x.w(d + 1, "</xs:restriction>")
    x.w(d, "</xs:simpleType>")


def xsd_element(x, d, f, path, min_occurs):
    k = f["kind"]
    occurs = ' minOccurs="0"' if min_occurs == 0 else ""
    name = f["name"]
    if k == "code":
        x.w(d, f'<xs:element name="{name}" type="t:{f["codes"]}"{occurs}/>')
    elif k in XSD_PRIMITIVE:
        x.w(d, f'<xs:element name="{name}" type="{XSD_PRIMITIVE[k]}"{occurs}/>')
    elif xsd_facets(f):
        x.w(d, f'<xs:element name="{name}" type="t:{xsd_type_name(f)}"{occurs}/>')
    elif k == "array":
        x.w(d, f'<xs:element name="{name}"{occurs}>')
        x.w(d + 1, "<xs:complexType>")
        x.w(d + 2, "<xs:sequence>")
        x.w(d + 3, f'<xs:element name="{f["item"]}" type="t:{f["codes"]}" '
            'maxOccurs="unbounded"/>')
        x.w(d + 2, "</xs:sequence>")
        x.w(d + 1, "</xs:complexType>")
        x.w(d + 1, f'<xs:unique name="unique-{path.replace(".", "-").replace("_", "-")}">')
        x.w(d + 2, f'<xs:selector xpath="t:{f["item"]}"/>')
        x.w(d + 2, '<xs:field xpath="."/>')
        x.w(d + 1, "</xs:unique>")
        x.w(d, "</xs:element>")
    elif k == "object":
        x.w(d, f'<xs:element name="{name}"{occurs}>')
        x.w(d + 1, "<xs:complexType>")
        xsd_content(x, d + 2, f["children"], path + ".")
        x.w(d + 1, "</xs:complexType>")
        x.w(d, "</xs:element>")
    else:
        raise ValueError(k)


def xsd_content(x, d, children, prefix):
    """A sequence in the model's order, optional children minOccurs 0. In
    compensation, ((awarded_amount, currency) | currency)? makes currency
    required with awarded_amount, as dependentRequired does in JSON."""
    x.w(d, "<xs:sequence>")
    elements = [c for c in children if "attribute" not in c]
    i = 0
    while i < len(elements):
        c = elements[i]
        if prefix == "compensation." and c["name"] == "awarded_amount":
            currency = elements[i + 1]
            assert currency["name"] == "currency"
            x.w(d + 1, '<xs:choice minOccurs="0">')
            x.w(d + 2, "<xs:sequence>")
            xsd_element(x, d + 3, c, prefix + c["name"], 1)
            xsd_element(x, d + 3, currency, prefix + "currency", 1)
            x.w(d + 2, "</xs:sequence>")
            xsd_element(x, d + 2, currency, prefix + "currency", 1)
            x.w(d + 1, "</xs:choice>")
            i += 2
            continue
        xsd_element(x, d + 1, c, prefix + c["name"], 1 if c["required"] else 0)
        i += 1
    x.w(d, "</xs:sequence>")
    for c in children:
        if "attribute" in c:
            x.w(d, f'<xs:attribute name="{c["attribute"]}" type="t:{xsd_type_name(c)}" '
                'use="required"/>')


def gen_xsd(codes):
    x = Xsd()
    x.w(0, '<?xml version="1.0" encoding="UTF-8"?>')
    x.w(0, "<!-- thb-event 1.0, XML spelling (docs/model/thb-event-1.0.md).")
    x.w(0, "     Generated by tools/gen_profile.py from its model and schemas/codes/*.csv;")
    x.w(0, "     do not edit. Rules only the JSON Schema expresses: docs/model.md. -->")
    x.w(0, f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="{NS}"')
    x.w(0, f'           targetNamespace="{NS}" elementFormDefault="qualified">')
    x.w(1, '<xs:element name="records">')
    x.w(2, "<xs:complexType>")
    x.w(3, "<xs:sequence>")
    x.w(4, '<xs:element ref="t:record" minOccurs="0" maxOccurs="unbounded"/>')
    x.w(3, "</xs:sequence>")
    x.w(2, "</xs:complexType>")
    x.w(2, '<xs:unique name="unique-record-id">')
    x.w(3, '<xs:selector xpath="t:record"/>')
    x.w(3, '<xs:field xpath="@id"/>')
    x.w(2, "</xs:unique>")
    x.w(1, "</xs:element>")
    x.w(1, '<xs:element name="record">')
    x.w(2, "<xs:complexType>")
    xsd_content(x, 3, MODEL, "")
    x.w(2, "</xs:complexType>")
    x.w(1, "</xs:element>")
    xsd_simple_type(x, 1, "Date", "xs:date", [("pattern", xsd_regex(PATTERN_DATE))],
                    "a calendar date without time zone, as JSON Schema format date")
    xsd_simple_type(x, 1, "DateTime", "xs:dateTime", [("pattern", xsd_regex(PATTERN_DATETIME))],
                    "RFC 3339 date-time: seconds and a time zone offset required")
    xsd_simple_type(x, 1, "Boolean", "xs:boolean", [("pattern", "true|false")],
                    "true or false only, as in JSON")
    for path, f in walk_leaves(MODEL):
        if xsd_facets(f):
            base, facets = xsd_facets(f)
            xsd_simple_type(x, 1, xsd_type_name(f), base, facets, path)
    for name in CODE_LISTS:
        x.w(1, f'<xs:simpleType name="{name}">')
        x.w(2, f"<xs:annotation><xs:documentation>code list {name} "
            f"(schemas/codes/{name}.csv)</xs:documentation></xs:annotation>")
        x.w(2, '<xs:restriction base="xs:string">')
        for code in codes[name]:
            x.w(3, f'<xs:enumeration value="{xattr(code)}"/>')
        x.w(2, "</xs:restriction>")
        x.w(1, "</xs:simpleType>")
    x.w(0, "</xs:schema>")
    return "\n".join(x.lines) + "\n"


# ---------------------------------------------------------------- samples


def canonical(value, fields):
    """The record with its keys in schema order; unknown keys last, as they came."""
    if not isinstance(value, dict):
        return value
    out, known = {}, {f["name"]: f for f in fields}
    for f in fields:
        if f["name"] in value:
            v = value[f["name"]]
            out[f["name"]] = canonical(v, f.get("children", [])) if f["kind"] == "object" else v
    for k, v in value.items():
        if k not in known:
            out[k] = v
    return out


def json_scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    return v


def csv_list_item(s):
    return s.replace("\\", "\\\\").replace("|", "\\|")


def csv_cell(v):
    if v is None:
        return ""
    if isinstance(v, list):
        return "|".join(csv_list_item(json_scalar(i)) for i in v)
    return json_scalar(v)


def csv_quote(cell):
    if any(c in cell for c in ',"\n\r'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def get_path(rec, path):
    v = rec
    for part in path.split("."):
        if not isinstance(v, dict) or part not in v:
            return None
        v = v[part]
    return v


def gen_csv(records):
    paths = [p for p, _ in walk_leaves(MODEL)]
    lines = [",".join(paths)]
    for r in records:
        lines.append(",".join(csv_quote(csv_cell(get_path(r, p))) for p in paths))
    return "\n".join(lines) + "\n"


def xtext(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def xml_value(out, depth, name, value, f):
    pad = "  " * depth
    kind = f["kind"] if f else None
    if isinstance(value, dict):
        if not value:
            out.append(f"{pad}<{name}/>")
            return
        out.append(f"{pad}<{name}>")
        xml_object(out, depth + 1, value, f.get("children", []) if f else [])
        out.append(f"{pad}</{name}>")
    elif isinstance(value, list):
        item = f["item"] if kind == "array" else "item"
        if not value:
            out.append(f"{pad}<{name}/>")
            return
        out.append(f"{pad}<{name}>")
        for v in value:
            out.append(f"{pad}  <{item}>{xtext(json_scalar(v))}</{item}>")
        out.append(f"{pad}</{name}>")
    else:
        out.append(f"{pad}<{name}>{xtext(json_scalar(value))}</{name}>")


def xml_object(out, depth, obj, fields):
    known = {f["name"]: f for f in fields}
    for k, v in obj.items():
        f = known.get(k)
        if f and "attribute" in f:
            continue
        xml_value(out, depth, k, v, f)


def gen_xml(records):
    out = ['<?xml version="1.0" encoding="UTF-8"?>', f'<records xmlns="{NS}">']
    for r in records:
        rid = r.get("record_id")
        attr = f' id="{xattr(json_scalar(rid))}"' if rid is not None else ""
        out.append(f"  <record{attr}>")
        xml_object(out, 2, r, MODEL)
        out.append("  </record>")
    out.append("</records>")
    return "\n".join(out) + "\n"


def check_samples(records, codes):
    """Every code used is in its list; every leaf is used somewhere; ids unique."""
    problems, used, ids = [], set(), set()
    for i, r in enumerate(records):
        if r.get("record_id") in ids:
            problems.append(f"record {i}: duplicate record_id {r.get('record_id')}")
        ids.add(r.get("record_id"))
        for path, f in walk_leaves(MODEL):
            v = get_path(r, path)
            if v is None:
                continue
            used.add(path)
            if f.get("codes"):
                for code in (v if isinstance(v, list) else [v]):
                    if code not in codes[f["codes"]]:
                        problems.append(f"record {i}: {path}: '{code}' not in {f['codes']}")
    for path, _ in walk_leaves(MODEL):
        if path not in used:
            problems.append(f"no sample uses {path}")
    return problems


# ---------------------------------------------------------- invalid records
# (stem, base record_id, change, XSD expresses the rule). Each file holds one
# sample record with exactly one rule broken; the stem says which.


def setp(path, value):
    def f(r):
        parts = path.split(".")
        for p in parts[:-1]:
            r = r.setdefault(p, {})
        r[parts[-1]] = value
    return f


def delp(path):
    def f(r):
        parts = path.split(".")
        for p in parts[:-1]:
            r = r[p]
        del r[parts[-1]]
    return f


BASE = "AL-TIRANA-2024-0001"        # a formally identified victim, rich record
BASE_CONV = "RS-TOK-2024-0311"      # a conviction
BASE_COMP = "XK-PR-2024-0031"       # compensation awarded
BASE_REF = "GR-ATH-2024-1042"       # referral

INVALID = [
    ("sex-not-in-code-list", BASE, setp("person.sex", "F"), True),
    ("age-group-not-in-code-list", BASE, setp("person.age_group", "18-24"), True),
    ("event-type-not-in-code-list", BASE, setp("event_type", "arrest"), True),
    ("citizenship-country-not-in-code-list", BASE, setp("person.citizenship", ["YU"]), True),
    ("indicator-not-in-code-list", BASE, setp("identification.indicators", ["violence"]), True),
    ("missing-record-id", BASE, delp("record_id"), True),
    ("missing-event-type", BASE, delp("event_type"), True),
    ("missing-person-sex", BASE, delp("person.sex"), True),
    ("exploitation-missing-for-identified-victim", BASE, delp("exploitation"), False),
    ("exploitation-missing-for-identified-presumed-victim", "RS-BG-2024-0107",
     delp("exploitation"), False),
    ("forms-missing-inside-exploitation", BASE, delp("exploitation.forms"), True),
    ("empty-forms-array", BASE, setp("exploitation.forms", []), True),
    ("duplicate-citizenship", BASE, setp("person.citizenship", ["AL", "AL"]), True),
    ("unknown-property", BASE, setp("nationality", "AL"), True),
    ("unknown-property-in-person", BASE, setp("person.nickname", "Ana"), True),
    ("empty-referral-object", BASE_REF, setp("referral", {}), False),
    ("bad-record-id-pattern", BASE, setp("record_id", "ALB-TIRANA-2024-0001"), True),
    ("schema-version-wrong", BASE, setp("schema_version", "1.1"), True),
    ("schema-version-as-number", BASE, setp("schema_version", 1.5), False),
    ("event-date-not-a-calendar-date", BASE, setp("event_date", "2024-02-30"), True),
    ("event-date-with-time", BASE, setp("event_date", "2024-03-01T10:00:00Z"), True),
    ("exported-at-without-offset", BASE, setp("exported_at", "2025-01-15T09:30:00"), True),
    ("exported-at-hour-24", BASE, setp("exported_at", "2025-01-15T24:00:00+01:00"), True),
    ("reporting-body-name-empty", BASE, setp("reporting_body.name", ""), True),
    ("reporting-body-name-over-200-characters", BASE,
     setp("reporting_body.name", "Drejtoria " * 20 + "Tiranë"), True),
    ("person-ref-too-short", BASE, setp("person.person_ref", "a1b2c3"), True),
    ("case-ref-with-space", BASE, setp("case_ref", "TIR 2024-17"), True),
    ("minor-at-exploitation-not-boolean", BASE, setp("person.minor_at_exploitation", "yes"),
     True),
    ("referral-consent-as-number", BASE_REF, setp("referral.consent", 1), True),
    ("start-year-before-1950", BASE, setp("exploitation.start_year", 1949), True),
    ("sentence-months-over-600", BASE_CONV, setp("proceedings.sentence_months", 601), True),
    ("sentence-months-not-integer", BASE_CONV, setp("proceedings.sentence_months", 12.5), True),
    ("sentence-months-as-string", BASE_CONV, setp("proceedings.sentence_months", "36"), False),
    ("legal-basis-over-100-characters", BASE_CONV,
     setp("proceedings.legal_basis", "čl. 388 st. 1 " * 8), True),
    ("awarded-amount-three-decimals", BASE_COMP, setp("compensation.awarded_amount", 1500.125),
     True),
    ("awarded-amount-negative", BASE_COMP, setp("compensation.awarded_amount", -100), True),
    ("currency-missing-with-amount", BASE_COMP, delp("compensation.currency"), True),
    ("currency-not-iso-4217-shape", BASE_COMP, setp("compensation.currency", "eur"), True),
]


def gen_invalid(records):
    by_id = {r["record_id"]: r for r in records}
    files = {}
    readme = ["# Invalid records", "",
              "Generated by tools/gen_profile.py; do not edit. Each file holds one record "
              "of ../events.json with exactly one rule broken, named by the file. A `.xml` "
              "twin exists where the XSD expresses the rule; the others are rules only the "
              "JSON Schema expresses (see docs/model.md).", "",
              "| file | base record | XML twin |", "|---|---|---|"]
    for stem, base, change, xsd in INVALID:
        if base not in by_id:
            raise SystemExit(f"gen_profile: invalid/{stem}: no sample record {base}")
        r = copy.deepcopy(by_id[base])
        change(r)
        r = canonical(r, MODEL)
        files[f"samples/invalid/{stem}.json"] = json.dumps([r], indent=2,
                                                           ensure_ascii=False) + "\n"
        if xsd:
            files[f"samples/invalid/{stem}.xml"] = gen_xml([r])
        readme.append(f"| {stem}.json | {base} | {'yes' if xsd else 'no (JSON Schema only)'} |")
    files["samples/invalid/README.md"] = "\n".join(readme) + "\n"
    return files


# ------------------------------------------------------------------- docs
# docs/model.md is written by hand except the parts between
# <!-- generated:NAME --> and <!-- /generated:NAME -->, which come from here.

EXAMPLE = "MK-STIP-2024-0009"
KIND_TYPE = {"string": "string", "const": "string", "code": "string", "date": "string (date)",
             "datetime": "string (date-time)", "boolean": "boolean", "integer": "integer",
             "number": "number", "array": "array of strings"}


def field_rule(f):
    rule = field_rule_base(f)
    return rule + "; " + f["note"] if rule and "note" in f else f.get("note", rule)


def field_rule_base(f):
    k = f["kind"]
    if k == "const":
        return f"exactly `{f['value']}`"
    if "pattern" in f:
        return f"`{f['pattern']}`"
    if k == "string":
        return f"{f['min']}..{f['max']} characters"
    if k == "date":
        return "`YYYY-MM-DD`, a calendar date"
    if k == "datetime":
        return "RFC 3339 with seconds and offset (`Z` or `+01:00`)"
    if k == "integer":
        return f"{f['min']}..{f['max']}"
    if k == "number":
        return ">= 0, at most 2 decimals"
    if k == "array":
        return "non-empty, no duplicates"
    return ""


def xml_spelling(path, f):
    if "attribute" in f:
        return f"`<record {f['attribute']}=\"…\">`"
    parts = path.split(".")
    if f["kind"] == "array":
        parts.append(f["item"])
    return "`" + "/".join(parts) + "`"


def docs_fields():
    rows = ["| CSV column = path | type | required | rule | code list | XML (inside `<record>`) |",
            "|---|---|---|---|---|---|"]
    for path, f in walk_leaves(MODEL):
        parts = path.split(".")
        # required only if the field and every object above it are required
        req, fields = True, MODEL
        for part in parts:
            g = next(x for x in fields if x["name"] == part)
            req = req and g["required"]
            fields = g.get("children", [])
        if not req and f["required"]:
            req_text = "yes, inside " + ".".join(parts[:-1])
        else:
            req_text = "yes" if req else ""
        codes = f"[{f['codes']}](#code-lists)" if f.get("codes") else ""
        rows.append(f"| `{path}` | {KIND_TYPE[f['kind']]} | {req_text} | {field_rule(f)} | "
                    f"{codes} | {xml_spelling(path, f)} |")
    return "\n".join(rows)


def docs_code_lists(codes):
    used = {}
    for path, f in walk_leaves(MODEL):
        if f.get("codes"):
            used.setdefault(f["codes"], []).append(f"`{path}`")
    rows = ["| list | codes | used by |", "|---|---|---|"]
    for name in CODE_LISTS:
        c = codes[name]
        shown = ", ".join(f"`{x}`" for x in c) if name != "countries" else \
            f"{len(c)} codes (`thbx codes {name}`)"
        rows.append(f"| `{name}` | {shown} | {', '.join(used.get(name, []))} |")
    return "\n".join(rows)


def docs_example(records):
    r = next(x for x in records if x["record_id"] == EXAMPLE)
    csv_lines = gen_csv([r])
    return "\n".join([
        "JSON (`samples/events.json` holds an array of such objects):", "", "```json",
        json.dumps(r, indent=2, ensure_ascii=False), "```", "",
        "NDJSON (one line per record):", "", "```json",
        json.dumps(r, separators=(",", ":"), ensure_ascii=False), "```", "",
        "CSV (the header, then one row per record; empty cells are absent fields):", "",
        "```csv", csv_lines.rstrip("\n"), "```", "", "XML:", "", "```xml",
        gen_xml([r]).rstrip("\n"), "```"])


def docs_invalid():
    rows = ["| file in samples/invalid/ | broken rule checked by |", "|---|---|"]
    for stem, _, _, xsd in INVALID:
        rows.append(f"| `{stem}.json`{' + `.xml`' if xsd else ''} | "
                    f"{'JSON Schema and XSD' if xsd else '**JSON Schema only**'} |")
    return "\n".join(rows)


def gen_docs(text, records, codes):
    parts = {"fields": docs_fields(), "code-lists": docs_code_lists(codes),
             "example": docs_example(records), "invalid": docs_invalid()}
    for name, body in parts.items():
        begin, end = f"<!-- generated:{name} -->", f"<!-- /generated:{name} -->"
        a, b = text.find(begin), text.find(end)
        if a < 0 or b < a:
            raise SystemExit(f"gen_profile: docs/model.md has no {begin} ... {end}")
        text = text[:a + len(begin)] + "\n" + body + "\n" + text[b:]
    return text


# ------------------------------------------------------------------- main


def generate(root, iso_path):
    files = {"schemas/codes/countries.csv": gen_countries(iso_path)}
    codes = {"countries": read_code_list("countries.csv", files["schemas/codes/countries.csv"])}
    for name in CODE_LISTS[1:]:
        codes[name] = read_code_list(os.path.join(root, "schemas/codes", name + ".csv"))
    extra = set(n[:-4] for n in os.listdir(os.path.join(root, "schemas/codes"))) - set(CODE_LISTS)
    if extra:
        raise SystemExit(f"gen_profile: code lists not in the model: {sorted(extra)}")
    files["schemas/thb-event-1.0.schema.json"] = gen_json_schema(codes)
    files["schemas/thb-event-1.0.xsd"] = gen_xsd(codes)

    with open(os.path.join(root, "samples/events.json"), encoding="utf-8") as f:
        records = json.load(f)
    records = [canonical(r, MODEL) for r in records]
    problems = check_samples(records, codes)
    if problems:
        raise SystemExit("gen_profile: samples/events.json:\n  " + "\n  ".join(problems))
    files["samples/events.json"] = json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    files["samples/events.ndjson"] = "".join(
        json.dumps(r, separators=(",", ":"), ensure_ascii=False) + "\n" for r in records)
    files["samples/events.csv"] = gen_csv(records)
    files["samples/events.xml"] = gen_xml(records)
    files.update(gen_invalid(records))
    with open(os.path.join(root, "docs/model.md"), encoding="utf-8") as f:
        files["docs/model.md"] = gen_docs(f.read(), records, codes)
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--root", default=os.path.dirname(here))
    ap.add_argument("--iso-codes", default=ISO_3166)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    files = generate(a.root, a.iso_codes)
    stale = []
    inv = os.path.join(a.root, "samples/invalid")
    if os.path.isdir(inv):
        for n in sorted(os.listdir(inv)):
            if f"samples/invalid/{n}" not in files:
                stale.append(f"samples/invalid/{n}")
    bad = 0
    for rel, text in files.items():
        path = os.path.join(a.root, rel)
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8", newline="") as f:
                old = f.read()
        if old == text:
            continue
        if a.check:
            bad += 1
            if old is None:
                print(f"{rel}: missing (run tools/gen_profile.py)")
                continue
            print(f"{rel}: differs from what tools/gen_profile.py generates:")
            diff = list(difflib.unified_diff(old.splitlines(), text.splitlines(),
                                             "committed", "generated", lineterm="", n=1))
            print("\n".join(diff[:40]) + ("\n..." if len(diff) > 40 else ""))
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            print(f"wrote {rel}")
    for rel in stale:
        bad += 1
        if a.check:
            print(f"{rel}: not generated (stale file; remove it or add it to INVALID)")
        else:
            os.remove(os.path.join(a.root, rel))
            print(f"removed {rel}")
    if a.check and bad:
        print(f"gen_profile: {bad} file(s) drifted; run tools/gen_profile.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

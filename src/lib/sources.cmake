# The sources of libthbx, by concern (one folder each; see docs/internals.md).
# Listed by hand, not globbed: adding a file is a visible change here.
set(THBX_LIB_DIR ${CMAKE_SOURCE_DIR}/src/lib)

# Every folder is on the include path of the library, the unit tests and the
# fuzzers, so that internal headers are included by name ("reader.h").
set(THBX_LIB_CONCERNS core profile io xml jsonschema report validate pipeline map xslt privacy)

set(THBX_LIB_SOURCES
  # core: errors, buffers, the one hash map, JSON types and pointers, limits,
  # formats, embedded resources
  core/buf.c
  core/display.c
  core/suggest.c
  core/error.c
  core/format.c
  core/hmap.c
  core/id_set.c
  core/json_util.c
  core/resource.c
  core/version.c
  # profile: a profile's schemas and code lists, and the shape that drives conversion
  profile/profile.c
  profile/profile_shape.c
  profile/profile_rules.c
  # io: readers and writers, one file per format
  io/reader.c
  io/reader_json.c
  io/reader_ndjson.c
  io/reader_csv.c
  io/reader_xml.c
  io/locator.c
  io/json_stream.c
  io/csv_cell.c
  io/writer.c
  io/writer_json.c
  io/writer_ndjson.c
  io/writer_csv.c
  io/writer_xml.c
  # xml: libxml2 under guard, the byte scanner of XML input, XML -> JSON,
  # per-record XSD validation, the meaning of XML text under a profile
  xml/xml_copy.c
  xml/xml_guard.c
  xml/xml_scan.c
  xml/xml_to_json.c
  xml/xml_xsd.c
  xml/xml_text.c
  xml/xsd_issue.c
  xml/xsd_compile.c
  xml/xsd_job.c
  # jsonschema: the JSON Schema engine (compile, validate, formats, regex)
  jsonschema/schema.c
  jsonschema/schema_validate.c
  jsonschema/schema_registry.c
  jsonschema/schema_util.c
  jsonschema/schema_number.c
  jsonschema/schema_regex.c
  jsonschema/schema_format.c
  jsonschema/schema_idn.c
  jsonschema/schema_codes.c
  # report: validation reports, one file per format
  report/report.c
  report/report_text.c
  report/report_json.c
  report/report_junit.c
  report/report_sarif.c
  report/report_github.c
  report/report_html.c
  report/report_chunk.c
  report/report_merge.c
  # validate: the validator and the dataset rules
  validate/validator.c
  validate/dataset_rules.c
  validate/issue_merge.c
  validate/stages.c
  # pipeline: items, stages, sinks, workers (-j N); every command runs on it
  pipeline/item.c
  pipeline/pipeline.c
  pipeline/workers.c
  pipeline/sink_writer.c
  pipeline/sink_split.c
  pipeline/sink_report.c
  # map: national formats in and out (mapping tables, crosswalks, transforms, reverse)
  map/map_table.c
  map/map_crosswalk.c
  map/map_value.c
  map/map_compile.c
  map/map_apply.c
  map/map_reverse.c
  map/map_check.c
  # xslt: the one sandboxed libxslt set-up, and the XSLT stage
  xslt/xslt_safe.c
  xslt/xslt_stage.c
  # privacy: statistics with cell suppression (GLPK) and its certificate
  privacy/stats.c
  privacy/stats_table.c
  privacy/stats_write.c
  privacy/suppress.c
  privacy/certificate.c
  privacy/verify.c
  # privacy: keyed pseudonyms (HMAC-SHA256, HKDF) and k-anonymity
  privacy/pseudonym.c
  privacy/pseudonymise_stage.c
  privacy/privacy_path.c
  privacy/anonymise.c
  privacy/anonymise_hierarchy.c
  privacy/anonymise_report.c
)
list(TRANSFORM THBX_LIB_SOURCES PREPEND ${THBX_LIB_DIR}/)
set(THBX_LIB_INCLUDE_DIRS ${THBX_LIB_CONCERNS})
list(TRANSFORM THBX_LIB_INCLUDE_DIRS PREPEND ${THBX_LIB_DIR}/)

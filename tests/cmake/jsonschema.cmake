# The official JSON Schema Test Suite (tests/suites/json-schema-test-suite) run
# through libthbx: every required test of drafts 2020-12 and 7 must pass;
# optional and format results are printed and guarded by a minimum.
set(THBX_JSTS ${THBX_SUITES_DIR}/json-schema-test-suite)
add_executable(jsonschema_runner ${CMAKE_CURRENT_SOURCE_DIR}/jsonschema/runner.c)
target_link_libraries(jsonschema_runner PRIVATE thbx_static)
if(EXISTS ${THBX_JSTS}/tests)
  foreach(draft 2020-12 7)
    if(draft STREQUAL "7")
      set(dir ${THBX_JSTS}/tests/draft7)
    else()
      set(dir ${THBX_JSTS}/tests/draft${draft})
    endif()
    add_test(NAME jsonschema/draft${draft}
             COMMAND jsonschema_runner -v ${dir} ${THBX_JSTS}/remotes ${draft} required)
  endforeach()
  # minimum passes for the optional parts (measured; see docs/jsonschema.md)
  set(THBX_JSTS_MIN_2020-12_optional 162)
  set(THBX_JSTS_MIN_2020-12_format 764)
  set(THBX_JSTS_MIN_7_optional 118)
  set(THBX_JSTS_MIN_7_format 676)
  foreach(draft 2020-12 7)
    if(draft STREQUAL "7")
      set(dir ${THBX_JSTS}/tests/draft7)
    else()
      set(dir ${THBX_JSTS}/tests/draft${draft})
    endif()
    foreach(kind optional format)
      add_test(NAME jsonschema/draft${draft}-${kind}
               COMMAND jsonschema_runner --min-pass ${THBX_JSTS_MIN_${draft}_${kind}} ${dir}
                       ${THBX_JSTS}/remotes ${draft} ${kind})
    endforeach()
  endforeach()
endif()

# bench/bench_validate_ajv.sh: the engine's side of the comparison with ajv
add_executable(bench_validate ${CMAKE_SOURCE_DIR}/bench/bench_validate.c)
target_link_libraries(bench_validate PRIVATE thbx_static)

# Included from tests/cmake/fuzz.cmake. The fuzz harnesses, replayed without libFuzzer over their seeds and over
# every crasher kept in tests/fuzz/regressions/<harness>/ (see tests/fuzz/).
set(THBX_FUZZ_DIR ${CMAKE_SOURCE_DIR}/tests/fuzz)
function(thbx_replay name source)
  cmake_parse_arguments(R "" "" "DEFS;INPUTS" ${ARGN})
  add_executable(replay_${name} ${THBX_FUZZ_DIR}/${source} ${THBX_FUZZ_DIR}/replay.c)
  target_compile_definitions(replay_${name} PRIVATE ${R_DEFS})
  target_link_libraries(replay_${name} PRIVATE thbx_static)
  add_test(NAME fuzz-replay/${name} COMMAND replay_${name} ${R_INPUTS}
           ${THBX_FUZZ_DIR}/regressions/${name} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  # a regression that hangs again must fail, not stall the suite
  set_tests_properties(fuzz-replay/${name} PROPERTIES TIMEOUT 300)
endfunction()

foreach(fmt json ndjson csv xml)
  string(TOUPPER ${fmt} FMT)
  thbx_replay(reader_${fmt} fuzz_reader.c DEFS FUZZ_FORMAT=THBX_FORMAT_${FMT}
              INPUTS ${CMAKE_SOURCE_DIR}/samples ${THBX_SUITES_DIR}/csv-spectrum/csvs
                     ${THBX_SUITES_DIR}/xml-attacks/xmltestdata)
  thbx_replay(roundtrip_${fmt} fuzz_roundtrip.c DEFS FUZZ_FORMAT=THBX_FORMAT_${FMT}
              INPUTS ${CMAKE_SOURCE_DIR}/samples/events.ndjson)
endforeach()
thbx_replay(schema fuzz_schema.c)

# Issue 16: the generated help texts, man pages and completion have not
# drifted from docs/cmdline/*.opts; one version everywhere.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  set(THBX_PYTHON ${Python3_EXECUTABLE})
else()
  set(THBX_PYTHON python3) # missing: the test fails loudly when it runs
endif()
add_test(NAME cli-docs/drift
         COMMAND ${THBX_PYTHON} ${CMAKE_SOURCE_DIR}/tools/gen_cli_docs.py --check
                 --root ${CMAKE_SOURCE_DIR})
add_test(NAME version/one-version COMMAND bash ${CMAKE_SOURCE_DIR}/tests/cli/version-check.sh)
set_tests_properties(version/one-version PROPERTIES ENVIRONMENT
  "THBX=$<TARGET_FILE:thbx>;SRC=${CMAKE_SOURCE_DIR};BUILD=${CMAKE_BINARY_DIR};THBX_CMAKE_VERSION=${PROJECT_VERSION}")

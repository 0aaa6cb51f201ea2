# The thb-event 1.0 profile (issue 3): the generated files have not drifted
# from tools/gen_profile.py, and ajv (an independent JSON Schema validator)
# agrees with the samples: valid accepted, invalid rejected.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  set(THBX_PYTHON ${Python3_EXECUTABLE})
else()
  set(THBX_PYTHON python3) # missing: the test fails loudly when it runs
endif()
add_test(NAME profile/drift
         COMMAND ${THBX_PYTHON} ${CMAKE_SOURCE_DIR}/tools/gen_profile.py --check
                 --root ${CMAKE_SOURCE_DIR})
add_test(NAME profile/ajv COMMAND bash ${CMAKE_SOURCE_DIR}/tests/ajv/run.sh)
set_tests_properties(profile/ajv PROPERTIES TIMEOUT 600
  ENVIRONMENT "SRC=${CMAKE_SOURCE_DIR};BUILD=${CMAKE_BINARY_DIR}")

# clang-format enforced (issue 11): every *.c and *.h under src/, include/ and
# tests/ (the vendored tests/suites/ aside) must be as `.clang-format` says,
# with Debian 12's clang-format 14: `clang-format --dry-run --Werror`. To fix
# a file: `clang-format -i FILE`. -DTHBX_FORMAT_CHECK=OFF leaves the test out
# (e.g. where another clang-format version formats differently).
# Included by tests/CMakeLists.txt (adds the test); run with -P (the check).
if(NOT CMAKE_SCRIPT_MODE_FILE)
  option(THBX_FORMAT_CHECK "Test that the sources are clang-formatted" ON)
  if(THBX_FORMAT_CHECK)
    find_program(THBX_CLANG_FORMAT NAMES clang-format clang-format-14)
    if(NOT THBX_CLANG_FORMAT)
      set(THBX_CLANG_FORMAT clang-format) # missing: the test fails loudly when it runs
    endif()
    add_test(NAME format/clang-format
             COMMAND ${CMAKE_COMMAND} -DCLANG_FORMAT=${THBX_CLANG_FORMAT}
                     -DROOT=${CMAKE_SOURCE_DIR} -P ${CMAKE_CURRENT_LIST_FILE})
  endif()
  return()
endif()

file(GLOB_RECURSE files RELATIVE ${ROOT} ${ROOT}/src/*.c ${ROOT}/src/*.h ${ROOT}/include/*.c
     ${ROOT}/include/*.h ${ROOT}/tests/*.c ${ROOT}/tests/*.h)
list(FILTER files EXCLUDE REGEX "^tests/suites/")
list(SORT files)
list(LENGTH files nfiles)
if(nfiles LESS 10)
  message(FATAL_ERROR "only ${nfiles} source files found under ${ROOT}")
endif()
set(bad "")
foreach(f IN LISTS files)
  execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror --style=file ${f}
                  WORKING_DIRECTORY ${ROOT} RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(NOT rc EQUAL 0)
    list(APPEND bad ${f})
  endif()
endforeach()
if(bad)
  list(LENGTH bad nbad)
  list(JOIN bad "\n  " text)
  message(FATAL_ERROR "${nbad} of ${nfiles} files differ from .clang-format "
                      "(clang-format -i FILE):\n  ${text}")
endif()
message(STATUS "${nfiles} files formatted as .clang-format says")

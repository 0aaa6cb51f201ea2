# Only thbx_ symbols leave libthbx.so (issue 11): the library is built with
# hidden visibility and include/thbx.h declares every public function
# THBX_EXPORT. This test reads the shared library's dynamic symbols
# (nm -D --defined-only) and fails on
#  - any exported symbol that does not start with thbx_ (an internal function
#    left visible);
#  - any function of include/thbx.h declared without THBX_EXPORT;
#  - any function of include/thbx.h that the library defines but does not
#    export (it would be missing for programs linking libthbx.so).
# Included by tests/CMakeLists.txt (adds the test); run with -P (the check).
if(NOT CMAKE_SCRIPT_MODE_FILE)
  add_test(NAME lib/exports
           COMMAND ${CMAKE_COMMAND} -DNM=${CMAKE_NM} -DSHARED=$<TARGET_FILE:thbx_shared>
                   -DSTATIC=$<TARGET_FILE:thbx_static> -DHEADER=${CMAKE_SOURCE_DIR}/include/thbx.h
                   -P ${CMAKE_CURRENT_LIST_FILE})
  return()
endif()

function(defined_symbols out)
  execute_process(COMMAND ${NM} ${ARGN} OUTPUT_VARIABLE text RESULT_VARIABLE rc
                  ERROR_VARIABLE errors)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${NM} ${ARGN} failed: ${errors}")
  endif()
  string(REPLACE "\n" ";" lines "${text}")
  set(names "")
  foreach(line IN LISTS lines)
    # "ADDRESS TYPE NAME[@VERSION]"; upper-case types are global
    if(line MATCHES "^[0-9a-fA-F]* *([A-Z]) ([^ @]+)")
      list(APPEND names "${CMAKE_MATCH_2}")
    endif()
  endforeach()
  set(${out} "${names}" PARENT_SCOPE)
endfunction()

defined_symbols(exported -D --defined-only ${SHARED})
defined_symbols(in_static --defined-only ${STATIC})
list(LENGTH exported nexported)
if(nexported EQUAL 0)
  message(FATAL_ERROR "no dynamic symbols read from ${SHARED}")
endif()

set(failures "")
foreach(sym IN LISTS exported)
  if(NOT sym MATCHES "^thbx_")
    list(APPEND failures "exported without the thbx_ prefix: ${sym}")
  endif()
endforeach()

# The header's declarations, comments removed.
file(READ ${HEADER} header)
string(REGEX REPLACE "/\\*([^*]|\\*+[^*/])*\\*+/" "" header "${header}")
string(REGEX REPLACE "//[^\n]*" "" header "${header}")
string(REGEX MATCHALL "[^;{}]*thbx_[a-z0-9_]+\\(" decls "${header}")
set(declared "")
foreach(decl IN LISTS decls)
  string(STRIP "${decl}" decl)
  if(decl MATCHES "^typedef" OR decl MATCHES "^#")
    continue()
  endif()
  string(REGEX MATCH "thbx_[a-z0-9_]+\\($" name "${decl}")
  string(REGEX REPLACE "\\($" "" name "${name}")
  # the last line of the declaration up to the name: what precedes it
  string(REGEX REPLACE ".*\n" "" line "${decl}")
  if(NOT line MATCHES "^THBX_EXPORT ")
    list(APPEND failures "declared in thbx.h without THBX_EXPORT: ${name}")
  endif()
  list(APPEND declared ${name})
endforeach()
list(LENGTH declared ndeclared)
if(ndeclared LESS 10)
  message(FATAL_ERROR "only ${ndeclared} declarations found in ${HEADER}")
endif()

foreach(name IN LISTS declared)
  list(FIND in_static ${name} defined)
  list(FIND exported ${name} visible)
  if(NOT defined EQUAL -1 AND visible EQUAL -1)
    list(APPEND failures "defined but not exported: ${name}")
  endif()
endforeach()

if(failures)
  list(JOIN failures "\n  " text)
  message(FATAL_ERROR "libthbx.so exports:\n  ${text}")
endif()
message(STATUS "${nexported} symbols exported, all thbx_; ${ndeclared} declared in thbx.h")

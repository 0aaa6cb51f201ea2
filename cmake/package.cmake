# What `cmake --install` puts where, and the Debian package CPack makes of it
# (`cpack -G DEB` in the build directory, or the `package` target):
# thbx_VERSION_amd64.deb with the program, libthbx (shared and static), the
# header, the pkg-config file, schemas, crosswalks, XSLT, man pages, the bash
# completion and the documentation.

# thbx.pc finds its prefix from its own place (${pcfiledir}).
file(RELATIVE_PATH THBX_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${CMAKE_SOURCE_DIR}/cmake/thbx.pc.in ${CMAKE_BINARY_DIR}/thbx.pc @ONLY)

install(TARGETS thbx thbx_static thbx_shared
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES include/thbx.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${CMAKE_BINARY_DIR}/thbx.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
install(DIRECTORY schemas/ DESTINATION ${CMAKE_INSTALL_DATADIR}/thbx/schemas)
install(DIRECTORY xslt/ DESTINATION ${CMAKE_INSTALL_DATADIR}/thbx/xslt)
foreach(dir crosswalks mappings)
  if(IS_DIRECTORY ${CMAKE_SOURCE_DIR}/${dir})
    install(DIRECTORY ${dir}/ DESTINATION ${CMAKE_INSTALL_DATADIR}/thbx/${dir})
  endif()
endforeach()
file(GLOB THBX_MAN_PAGES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/docs/man/*.1)
install(FILES ${THBX_MAN_PAGES} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# The bash-completion directory: bash-completion's own completionsdir, made
# relative to its prefix so that it follows ours (share/bash-completion/
# completions under /usr is where bash-completion looks).
set(THBX_BASH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
pkg_get_variable(BASH_COMPLETION_DIR bash-completion completionsdir)
pkg_get_variable(BASH_COMPLETION_PREFIX bash-completion prefix)
if(BASH_COMPLETION_DIR AND BASH_COMPLETION_PREFIX)
  string(FIND "${BASH_COMPLETION_DIR}" "${BASH_COMPLETION_PREFIX}/" at)
  if(at EQUAL 0)
    string(LENGTH "${BASH_COMPLETION_PREFIX}/" n)
    string(SUBSTRING "${BASH_COMPLETION_DIR}" ${n} -1 THBX_BASH_COMPLETION_DIR)
  endif()
endif()
install(FILES completion/thbx.bash DESTINATION ${THBX_BASH_COMPLETION_DIR} RENAME thbx)

file(GLOB THBX_DOCS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES README.md CHANGELOG.md ${THBX_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/model docs/ci DESTINATION ${CMAKE_INSTALL_DOCDIR} OPTIONAL)
install(FILES samples/events.json samples/events.ndjson samples/events.csv samples/events.xml
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME thbx)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "thbx")
set(CPACK_PACKAGE_CONTACT "thbx maintainers <thbx@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "convert and validate harmonised records about trafficking in human beings")
# CPack indents every line but the first by one space (Debian's control
# format); "." is an empty line.
string(CONCAT CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "${CPACK_PACKAGE_DESCRIPTION_SUMMARY}\n"
  "thbx converts records about trafficking in human beings between JSON,\n"
  "NDJSON, CSV and XML, one record at a time, and validates them against JSON\n"
  "Schema (drafts 2020-12 and 7) and XSD, with reports for people and CI\n"
  "(text, JSON, JUnit, SARIF, GitHub annotations, HTML).\n"
  ".\n"
  "This package holds the thbx program, the libthbx library (shared and\n"
  "static), its header and pkg-config file, the profiles, man pages, bash\n"
  "completion and documentation.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # thbx_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON) # Depends from dpkg-shlibdeps (dpkg-dev)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libjansson-dev, pkg-config")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "bash-completion")
include(CPack)

# The libFuzzer harnesses of tests/fuzz/ replayed as ordinary ctests in every
# build (gcc too, and under ASan+UBSan with THBX_SANITIZE): their seeds and
# every crasher kept in tests/fuzz/regressions/<harness>/. Fuzzing itself is
# tests/fuzz/run.sh (clang, libFuzzer).
include(${CMAKE_SOURCE_DIR}/tests/fuzz/replay.cmake)

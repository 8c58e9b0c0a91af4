# Shared build helpers for mhub targets.

function(mhub_warnings target)
  # -Wrestrict and -Wstringop-overflow give false positives on std::string code with GCC 12 at -O2.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter
    $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict -Wno-stringop-overflow>)
  if(MHUB_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# GCC 12 at -O1 with -fsanitize=address (make asan) reports a false -Wmaybe-uninitialized inside
# libstdc++'s std::function as std::regex builds its automaton states (the member is copied from an
# initialized state; GCC 13 is quiet). Silenced only there, and only for the sources (of libraries
# and tests alike) that include <regex>.
function(mhub_regex_asan_exception)
  if(NOT (CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13 AND
          CMAKE_CXX_FLAGS MATCHES "sanitize=address"))
    return()
  endif()
  foreach(src IN LISTS ARGN)
    get_filename_component(src_path ${src} ABSOLUTE)
    set(uses_regex "")
    if(EXISTS ${src_path})
      file(STRINGS ${src_path} uses_regex REGEX "^#include <regex>")
    endif()
    if(uses_regex)
      set_property(SOURCE ${src_path} APPEND PROPERTY COMPILE_OPTIONS -Wno-maybe-uninitialized)
    endif()
  endforeach()
endfunction()

# mhub_library(NAME SOURCES a.cpp b.cpp DEPS mhub_base PRIVATE_DEPS ...)
# Creates the static library mhub_NAME with include/ as its public include root.
function(mhub_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(mhub_${name} STATIC ${ARG_SOURCES})
  target_include_directories(mhub_${name}
    PUBLIC ${CMAKE_SOURCE_DIR}/include
    PRIVATE ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(mhub_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  mhub_warnings(mhub_${name})
  mhub_regex_asan_exception(${ARG_SOURCES})
endfunction()

# Under the sanitizers (make asan) the code runs several times slower (ASan + UBSan at -O1: ~3x on
# compute, more where it allocates), so every test's CTest timeout is scaled by this much there.
set(MHUB_TEST_TIMEOUT_SCALE 1)
if(CMAKE_CXX_FLAGS MATCHES "sanitize=(address|thread|undefined)")
  set(MHUB_TEST_TIMEOUT_SCALE 3)
endif()

# mhub_test(NAME SOURCES x_test.cpp ... LIBS mhub_formats ... [LABELS slow] [TIMEOUT s])
# One GoogleTest binary = one CTest test. Tests see MHUB_SOURCE_DIR, MHUB_BINARY_DIR and
# MHUB_BIN (the mhub executable) in their environment.
function(mhub_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} mhub_test_support GTest::gtest GTest::gtest_main GTest::gmock)
  mhub_warnings(${name})
  mhub_regex_asan_exception(${ARG_SOURCES})
  add_test(NAME ${name} COMMAND ${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  math(EXPR ARG_TIMEOUT "${ARG_TIMEOUT} * ${MHUB_TEST_TIMEOUT_SCALE}")
  set_tests_properties(${name} PROPERTIES
    TIMEOUT ${ARG_TIMEOUT}
    LABELS "${ARG_LABELS}"
    ENVIRONMENT "MHUB_SOURCE_DIR=${CMAKE_SOURCE_DIR};MHUB_BINARY_DIR=${CMAKE_BINARY_DIR};MHUB_BIN=$<TARGET_FILE:mhub>")
  # (MHUB_TESTS_WITHOUT_CLI: a build dir that runs only tests which do not start the CLI skips building it.)
  if(NOT MHUB_TESTS_WITHOUT_CLI)
    add_dependencies(${name} mhub)
  endif()
endfunction()

# The ISAs below the best one this machine runs (read from /proc/cpuinfo at configure time; the
# kernels pick the best at run time, MHUB_ISA forces a lower one). Override with -DMHUB_LOWER_ISAS=...
if(NOT DEFINED MHUB_LOWER_ISAS)
  set(MHUB_LOWER_ISAS "")
  if(EXISTS /proc/cpuinfo)
    file(STRINGS /proc/cpuinfo _mhub_flags REGEX "^flags" LIMIT_COUNT 1)
    set(_mhub_flags " ${_mhub_flags} ")
    if(_mhub_flags MATCHES " avx512f " AND _mhub_flags MATCHES " avx512bw " AND _mhub_flags MATCHES " avx512dq "
       AND _mhub_flags MATCHES " avx512vl ")
      set(MHUB_LOWER_ISAS avx2 scalar)
    elseif(_mhub_flags MATCHES " avx2 " AND _mhub_flags MATCHES " fma " AND _mhub_flags MATCHES " f16c ")
      set(MHUB_LOWER_ISAS scalar)
    endif()
  endif()
endif()

# mhub_test_lower_isas(NAME [TIMEOUT s])
# Runs test NAME's binary once more per ISA in MHUB_LOWER_ISAS, as CTest tests NAME_<isa> with
# MHUB_ISA=<isa> (so CI on any machine tests every kernel path that machine can run).
function(mhub_test_lower_isas name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  math(EXPR ARG_TIMEOUT "${ARG_TIMEOUT} * ${MHUB_TEST_TIMEOUT_SCALE}")
  foreach(isa IN LISTS MHUB_LOWER_ISAS)
    add_test(NAME ${name}_${isa} COMMAND ${name})
    set_tests_properties(${name}_${isa} PROPERTIES
      TIMEOUT ${ARG_TIMEOUT}
      ENVIRONMENT "MHUB_ISA=${isa};MHUB_SOURCE_DIR=${CMAKE_SOURCE_DIR};MHUB_BINARY_DIR=${CMAKE_BINARY_DIR};MHUB_BIN=$<TARGET_FILE:mhub>")
  endforeach()
endfunction()

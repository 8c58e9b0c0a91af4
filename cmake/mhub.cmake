# Shared build helpers for mhub targets.

function(mhub_warnings target)
  # -Wrestrict and -Wstringop-overflow give false positives on std::string code with GCC 12 at -O2.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter
    $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict -Wno-stringop-overflow>)
  if(MHUB_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
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
endfunction()

# mhub_test(NAME SOURCES x_test.cpp ... LIBS mhub_formats ... [LABELS slow] [TIMEOUT s])
# One GoogleTest binary = one CTest test. Tests see MHUB_SOURCE_DIR, MHUB_BINARY_DIR and
# MHUB_BIN (the mhub executable) in their environment.
function(mhub_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} mhub_test_support GTest::gtest GTest::gtest_main GTest::gmock)
  mhub_warnings(${name})
  add_test(NAME ${name} COMMAND ${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  set_tests_properties(${name} PROPERTIES
    TIMEOUT ${ARG_TIMEOUT}
    LABELS "${ARG_LABELS}"
    ENVIRONMENT "MHUB_SOURCE_DIR=${CMAKE_SOURCE_DIR};MHUB_BINARY_DIR=${CMAKE_BINARY_DIR};MHUB_BIN=$<TARGET_FILE:mhub>")
  add_dependencies(${name} mhub)
endfunction()

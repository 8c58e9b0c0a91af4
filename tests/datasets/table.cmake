mhub_test(datasets_table_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/table_array_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/table_value_test.cpp
  LIBS mhub_datasets
  TIMEOUT 120)

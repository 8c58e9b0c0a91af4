mhub_test(datasets_dataset_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/features_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/dataset_core_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/dataset_transforms_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/dataset_export_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/dataset_parquet_export_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/export_test_support.cpp
  LIBS mhub_datasets
  TIMEOUT 300)
mhub_test(datasets_dataset_memory_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/dataset_memory_test.cpp
  LIBS mhub_datasets
  TIMEOUT 300)

# pqwrite: the Parquet writer against outside readers (hyparquet, parquet-wasm), and its encoders.
mhub_test(datasets_parquet_write_oracle_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/parquet_write_oracle_test.cpp ${CMAKE_CURRENT_LIST_DIR}/pq_write_random.cpp
    ${CMAKE_CURRENT_LIST_DIR}/parquet_canonical.cpp
  LIBS mhub_datasets TIMEOUT 120)
mhub_test(datasets_parquet_write_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/parquet_write_test.cpp ${CMAKE_CURRENT_LIST_DIR}/pq_write_random.cpp
  LIBS mhub_datasets TIMEOUT 60)

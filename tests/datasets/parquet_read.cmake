# pqread: the Parquet reader against outside writers (hyparquet-writer, parquet-wasm), unit tests of
# the decoders, and hand-made corrupt files.
mhub_test(datasets_parquet_read_oracle_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/parquet_read_oracle_test.cpp ${CMAKE_CURRENT_LIST_DIR}/parquet_canonical.cpp
  LIBS mhub_datasets TIMEOUT 120)
mhub_test(datasets_parquet_read_corrupt_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/parquet_read_corrupt_test.cpp ${CMAKE_CURRENT_LIST_DIR}/parquet_handmade.cpp
  LIBS mhub_datasets TIMEOUT 60)
mhub_test(datasets_parquet_schema_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/parquet_schema_test.cpp LIBS mhub_datasets TIMEOUT 30)
# dsperf: the reader's fast paths (bulk unpack, dictionary gather, parallel decode) against reference code.
mhub_test(datasets_parquet_decode_fast_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/parquet_decode_fast_test.cpp
  LIBS mhub_datasets TIMEOUT 60)
# ds9: min/max skipping (row-group statistics + column index) against a row-by-row full scan, and
# decoders resumed mid-page.
mhub_test(datasets_parquet_filter_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/parquet_filter_test.cpp
  LIBS mhub_datasets TIMEOUT 60)

# Parquet reader (pqread): Thrift footer, page decoders, codecs, levels -> arrays, ParquetFile.
list(APPEND MHUB_DATASETS_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/parquet/thrift_compact_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/metadata_decode.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/decompress.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/snappy_decode.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/rle_hybrid.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/value_decoders.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/schema_build.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/chunk_walker.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/chunk_cursor.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/assemble.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/parquet_file.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/parquet_filter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/block_cache.cpp)

# Parquet writer (pqwrite): Thrift footer encoding, levels, value encoders, codecs, ParquetWriter.
list(APPEND MHUB_DATASETS_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/parquet/thrift_compact_writer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/metadata_encode.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/rle_hybrid_encoder.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/dictionary_encoder.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/write_schema.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/column_shredder.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/column_statistics.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/compress.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/column_chunk_writer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/parquet_writer.cpp)

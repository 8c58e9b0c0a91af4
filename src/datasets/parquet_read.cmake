# Parquet reader (pqread): Thrift footer, page decoders, codecs, levels -> arrays, ParquetFile.
list(APPEND MHUB_DATASETS_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/parquet/thrift_compact_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parquet/metadata_decode.cpp)

# dsload: the text-format readers (CSV/TSV, JSON/JSONL, text) and OpenDataFile.
list(APPEND MHUB_DATASETS_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/io/csv_infer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/io/csv_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/io/csv_tokenizer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/io/json_infer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/io/json_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/io/open_data_file.cpp
  ${CMAKE_CURRENT_LIST_DIR}/io/text_reader.cpp)

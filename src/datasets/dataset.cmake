list(APPEND MHUB_DATASETS_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/dataset/features.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset/features_json.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset/features_yaml.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset/pyyaml_emit.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset/numpy_random.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset/column_store.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset/indices.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset/cast.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset/dataset.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset/select_filter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset/map.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset/columns.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset/split.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset/pandas_format.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset/export.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset/export_parquet.cpp)

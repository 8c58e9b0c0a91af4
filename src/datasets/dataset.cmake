list(APPEND MHUB_DATASETS_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/dataset/features.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset/features_json.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset/features_yaml.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dataset/pyyaml_emit.cpp)

# dsload: config/split resolution, LoadDataset, push_to_hub.
list(APPEND MHUB_DATASETS_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/load/arrow_size.cpp
  ${CMAKE_CURRENT_LIST_DIR}/load/builders.cpp
  ${CMAKE_CURRENT_LIST_DIR}/load/card_configs.cpp
  ${CMAKE_CURRENT_LIST_DIR}/load/dataset_card.cpp
  ${CMAKE_CURRENT_LIST_DIR}/load/folder_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/load/iterable_dataset.cpp
  ${CMAKE_CURRENT_LIST_DIR}/load/data_files_glob.cpp
  ${CMAKE_CURRENT_LIST_DIR}/load/data_source.cpp
  ${CMAKE_CURRENT_LIST_DIR}/load/load_dataset.cpp
  ${CMAKE_CURRENT_LIST_DIR}/load/push_to_hub.cpp
  ${CMAKE_CURRENT_LIST_DIR}/load/resolve_configs.cpp
  ${CMAKE_CURRENT_LIST_DIR}/load/split_patterns.cpp
  ${CMAKE_CURRENT_LIST_DIR}/load/split_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/load/zip_archive.cpp)

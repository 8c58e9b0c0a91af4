# dsload: config/split resolution, LoadDataset (local and through a real mhub server), push_to_hub.
mhub_test(datasets_load_resolve_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/load_resolve_test.cpp LIBS mhub_datasets TIMEOUT 60)
mhub_test(datasets_load_dataset_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/load_dataset_test.cpp LIBS mhub_datasets TIMEOUT 60)
mhub_test(datasets_load_hub_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/load_hub_test.cpp LIBS mhub_datasets TIMEOUT 120)
# ds9: LoadIterableDataset (streaming=True) against LoadDataset, lazy steps, bounded memory.
mhub_test(datasets_load_streaming_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/load_streaming_test.cpp LIBS mhub_datasets
  TIMEOUT 60)
mhub_test(datasets_load_folder_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/load_folder_test.cpp LIBS mhub_datasets TIMEOUT 60)

# dsload: the text-format readers against outside oracles (pandas for CSV, Python's json for JSONL).
mhub_test(datasets_io_csv_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/io_csv_test.cpp LIBS mhub_datasets TIMEOUT 120)
mhub_test(datasets_io_json_text_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/io_json_text_test.cpp LIBS mhub_datasets TIMEOUT 60)

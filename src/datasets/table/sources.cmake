list(APPEND MHUB_DATASETS_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/types.cpp
  ${CMAKE_CURRENT_LIST_DIR}/builder.cpp
  ${CMAKE_CURRENT_LIST_DIR}/array_validate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/slice_take.cpp
  ${CMAKE_CURRENT_LIST_DIR}/value.cpp
  ${CMAKE_CURRENT_LIST_DIR}/value_convert.cpp
  ${CMAKE_CURRENT_LIST_DIR}/temporal.cpp)

# loraflow_add_test(<name> SOURCES <files...> [LABELS <labels...>] [LINK <target>])
# One doctest executable; every TEST_CASE becomes a ctest test carrying the given labels. LINK replaces the loraflow
# library (e.g. a header-only target for a test that instantiates the templates with its own macros).
# The doctest main (lib/test/test_main.cpp, which includes nothing of loraflow) is compiled once, as an object
# library every test executable links, instead of once per executable.
if(NOT TARGET loraflow_test_main)
  add_library(loraflow_test_main OBJECT ${PROJECT_SOURCE_DIR}/lib/test/test_main.cpp)
  target_link_libraries(loraflow_test_main PRIVATE doctest::doctest)
  loraflow_check_optimization(loraflow_test_main)
endif()
function(loraflow_add_test name)
  cmake_parse_arguments(ARG "" "LINK" "SOURCES;LABELS" ${ARGN})
  if(NOT ARG_LINK)
    set(ARG_LINK loraflow::loraflow)
  endif()
  add_executable(${name} ${ARG_SOURCES} $<TARGET_OBJECTS:loraflow_test_main>)
  target_link_libraries(${name} PRIVATE ${ARG_LINK} doctest::doctest)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/lib/test)
  loraflow_warnings(${name})
  loraflow_check_optimization(${name})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/test)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  doctest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}")
  set_property(GLOBAL APPEND PROPERTY LORAFLOW_TEST_PROGRAMS ${name})  # for the loraflow_test_programs target
endfunction()

add_library(bokade_warnings INTERFACE)
add_library(bokade::warnings ALIAS bokade_warnings)
target_compile_options(bokade_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused
  -Woverloaded-virtual -Wimplicit-fallthrough
  # GCC 12 wrongly reports Asio's coroutine frame operator delete as mismatched with its operator new.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-mismatched-new-delete>
  $<$<BOOL:${BOKADE_WERROR}>:-Werror>)

# bokade_module(NAME core SOURCES ... DEPS ...) makes library bokade_core with alias bokade::core,
# public headers under lib/core/include.
function(bokade_module)
  cmake_parse_arguments(M "" "NAME" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(bokade_${M_NAME} STATIC ${M_SOURCES})
  add_library(bokade::${M_NAME} ALIAS bokade_${M_NAME})
  target_include_directories(bokade_${M_NAME} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(bokade_${M_NAME} PUBLIC ${M_DEPS} PRIVATE bokade::warnings ${M_PRIVATE_DEPS})
endfunction()

# bokade_test(NAME core SOURCES ... DEPS ...) makes test executable test_core registered with CTest.
function(bokade_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(test_${T_NAME} ${T_SOURCES})
  target_link_libraries(test_${T_NAME} PRIVATE ${T_DEPS} doctest::doctest bokade::warnings)
  target_compile_definitions(test_${T_NAME} PRIVATE
    BOKADE_SHARED_DIR="${BOKADE_SHARED_DIR}"
    BOKADE_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    BOKADE_BINARY_DIR="${CMAKE_BINARY_DIR}")
  add_test(NAME ${T_NAME} COMMAND test_${T_NAME})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "${T_LABELS}")
endfunction()

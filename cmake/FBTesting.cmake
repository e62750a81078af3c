# fb_add_test(NAME <name> SOURCES <files…> [LIBS <targets…>] [LABELS <labels…>]
#             [FIXTURES_REQUIRED <fixtures…>] [ENVIRONMENT <VAR=value…>]
#             [TIMEOUT <seconds>] [RUN_SERIAL])
#
# Builds one Qt Test executable and registers it with CTest. Tests labelled
# `cluster` get the mini-cluster fixture and FB_CLUSTER_DIR; tests labelled
# `gui` run on the offscreen platform. Every test gets private config and
# state folders so nothing touches the developer's own profiles or runs.
function(fb_add_test)
  cmake_parse_arguments(T "RUN_SERIAL" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS;FIXTURES_REQUIRED;ENVIRONMENT" ${ARGN})
  if(NOT T_NAME OR NOT T_SOURCES)
    message(FATAL_ERROR "fb_add_test: NAME and SOURCES are required")
  endif()
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE Qt6::Test ${T_LIBS} fb_compiler_options)
  target_compile_definitions(${T_NAME} PRIVATE
    FB_TEST_SOURCE_DIR="${CMAKE_CURRENT_SOURCE_DIR}"
    FB_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    FB_BINARY_DIR="${CMAKE_BINARY_DIR}")
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})

  set(env
    "FB_CONFIG_DIR=${CMAKE_CURRENT_BINARY_DIR}/${T_NAME}.home/config"
    "FB_STATE_DIR=${CMAKE_CURRENT_BINARY_DIR}/${T_NAME}.home/state"
    "FB_DATA_DIR=${CMAKE_SOURCE_DIR}"
    ${T_ENVIRONMENT})
  set(fixtures ${T_FIXTURES_REQUIRED})
  if("cluster" IN_LIST T_LABELS OR "e2e" IN_LIST T_LABELS)
    list(APPEND fixtures minicluster)
    list(APPEND env "FB_CLUSTER_DIR=${FB_CLUSTER_DIR}")
  endif()
  if("gui" IN_LIST T_LABELS)
    list(APPEND env "QT_QPA_PLATFORM=offscreen")
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES
    LABELS "${T_LABELS}" ENVIRONMENT "${env}" TIMEOUT ${T_TIMEOUT})
  if(fixtures)
    set_tests_properties(${T_NAME} PROPERTIES FIXTURES_REQUIRED "${fixtures}")
  endif()
  if(T_RUN_SERIAL)
    set_tests_properties(${T_NAME} PROPERTIES RUN_SERIAL TRUE)
  endif()
endfunction()

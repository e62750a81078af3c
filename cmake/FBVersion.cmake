# Version and git commit, baked into fbcore (factorybench --version, fbctl --version).
find_package(Git QUIET)
set(FB_GIT_COMMIT "unknown")
if(GIT_FOUND AND EXISTS "${CMAKE_SOURCE_DIR}/.git")
  execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --short=12 HEAD
    WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}" OUTPUT_VARIABLE _fb_commit
    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _fb_rc)
  if(_fb_rc EQUAL 0 AND _fb_commit)
    set(FB_GIT_COMMIT "${_fb_commit}")
  endif()
endif()

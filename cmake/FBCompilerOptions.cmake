# Compiler settings shared by every FactoryBench target.

# ccache, when installed, makes CI's rebuilds and developers' branch switches cheap.
find_program(FB_CCACHE ccache)
if(FB_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_C_COMPILER_LAUNCHER "${FB_CCACHE}")
  set(CMAKE_CXX_COMPILER_LAUNCHER "${FB_CCACHE}")
endif()

add_library(fb_compiler_options INTERFACE)
target_compile_options(fb_compiler_options INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor
    -Wcast-align -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough>
  $<$<CXX_COMPILER_ID:MSVC>:/W4 /permissive- /utf-8>)
if(FB_WARNINGS_AS_ERRORS)
  target_compile_options(fb_compiler_options INTERFACE
    $<$<CXX_COMPILER_ID:GNU,Clang>:-Werror> $<$<CXX_COMPILER_ID:MSVC>:/WX>)
endif()
# Hardening for release builds (as KeePassXC does).
if(NOT MSVC)
  target_compile_options(fb_compiler_options INTERFACE
    $<$<NOT:$<CONFIG:Debug>>:-fstack-protector-strong>
    $<$<AND:$<NOT:$<CONFIG:Debug>>,$<NOT:$<BOOL:${FB_SANITIZE}>>>:-D_FORTIFY_SOURCE=2>)
endif()
target_compile_definitions(fb_compiler_options INTERFACE
  QT_NO_URL_CAST_FROM_STRING QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
  QT_DISABLE_DEPRECATED_BEFORE=0x060400)

if(FB_SANITIZE)
  target_compile_options(fb_compiler_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(fb_compiler_options INTERFACE -fsanitize=address,undefined)
endif()

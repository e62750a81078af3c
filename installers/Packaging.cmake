# Packaging: installs the data the app needs at run time (recipe catalog,
# fbload source bundle), the desktop integration files, and configures CPack
# for every platform. Included from the top-level CMakeLists.txt after all
# targets exist. See docs/installing.md.
#
#   cpack --config build/CPackConfig.cmake -G DEB     # also RPM, TGZ, NSIS, ZIP, DragNDrop
#
# Layout (relative to the install prefix; Paths.cpp looks for exactly this):
#   bin/factorybench, bin/fbctl, bin/fbload
#   share/factorybench/recipes/{services,examples}   the catalog
#   share/factorybench/fbload/                       fbload sources, built on clusters
# On macOS the data goes into factorybench.app/Contents/Resources instead.

set(_fb_pkg_dir "${CMAKE_CURRENT_LIST_DIR}")
set(_fb_id "org.factorybench.FactoryBench")
set(FB_RELEASE_DATE "2026-11-23" CACHE STRING "Release date written into the AppStream metainfo")

if(APPLE)
  set(FB_DATA_INSTALL_DIR "factorybench.app/Contents/Resources")
else()
  set(FB_DATA_INSTALL_DIR "share/factorybench")
endif()

# --- run-time data --------------------------------------------------------
install(DIRECTORY "${CMAKE_SOURCE_DIR}/recipes/" DESTINATION "${FB_DATA_INSTALL_DIR}/recipes"
  PATTERN ".*" EXCLUDE)
if(EXISTS "${CMAKE_SOURCE_DIR}/core/clients/CMakeLists.txt")
  # The same files FbloadDeployer uploads (it skips dot files and build*).
  install(DIRECTORY "${CMAKE_SOURCE_DIR}/core/clients/" DESTINATION "${FB_DATA_INSTALL_DIR}/fbload"
    PATTERN ".*" EXCLUDE PATTERN "build*" EXCLUDE)
endif()

# --- desktop integration --------------------------------------------------
if(UNIX AND NOT APPLE)
  install(FILES "${_fb_pkg_dir}/linux/${_fb_id}.desktop" DESTINATION share/applications)
  configure_file("${_fb_pkg_dir}/linux/${_fb_id}.metainfo.xml" "${CMAKE_BINARY_DIR}/installers/${_fb_id}.metainfo.xml" @ONLY)
  install(FILES "${CMAKE_BINARY_DIR}/installers/${_fb_id}.metainfo.xml" DESTINATION share/metainfo)
  install(FILES "${_fb_pkg_dir}/linux/factorybench-recipe.xml" DESTINATION share/mime/packages
    RENAME factorybench.xml)
  install(FILES "${CMAKE_SOURCE_DIR}/resources/icons/factorybench.svg"
    DESTINATION share/icons/hicolor/scalable/apps RENAME ${_fb_id}.svg)

  # PNG sizes rendered from the one SVG at configure time (milliseconds), so
  # `cmake --install`/cpack never depend on an extra build target.
  find_program(FB_RSVG_CONVERT rsvg-convert)
  set(_fb_svg "${CMAKE_SOURCE_DIR}/resources/icons/factorybench.svg")
  set_property(DIRECTORY "${CMAKE_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_fb_svg}")
  if(FB_RSVG_CONVERT)
    foreach(size 16 24 32 48 64 128 256 512)
      set(_png "${CMAKE_BINARY_DIR}/installers/icons/${size}x${size}/${_fb_id}.png")
      file(MAKE_DIRECTORY "${CMAKE_BINARY_DIR}/installers/icons/${size}x${size}")
      execute_process(COMMAND "${FB_RSVG_CONVERT}" -w ${size} -h ${size} "${_fb_svg}" -o "${_png}"
        RESULT_VARIABLE _rc)
      if(NOT _rc EQUAL 0)
        message(FATAL_ERROR "rsvg-convert failed (${_rc}) rendering ${_fb_svg} at ${size}px")
      endif()
      install(FILES "${_png}" DESTINATION share/icons/hicolor/${size}x${size}/apps)
    endforeach()
  else()
    message(STATUS "rsvg-convert not found: packages get only the scalable icon (apt-get install librsvg2-bin)")
  endif()

  # Debian policy files (lintian errors without them); installed for RPM too so
  # both packages list the same files.
  configure_file("${_fb_pkg_dir}/debian/changelog" "${CMAKE_BINARY_DIR}/installers/changelog" @ONLY)
  find_program(FB_GZIP gzip)
  if(FB_GZIP)
    execute_process(COMMAND "${FB_GZIP}" -n -9 -f "${CMAKE_BINARY_DIR}/installers/changelog")
    install(FILES "${CMAKE_BINARY_DIR}/installers/changelog.gz" DESTINATION share/doc/factorybench)
  endif()
  install(FILES "${_fb_pkg_dir}/debian/copyright" DESTINATION share/doc/factorybench)
  if(FB_GZIP)
    foreach(page factorybench fbctl fbload)
      set_property(DIRECTORY "${CMAKE_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_fb_pkg_dir}/linux/man/${page}.1")
      configure_file("${_fb_pkg_dir}/linux/man/${page}.1" "${CMAKE_BINARY_DIR}/installers/man/${page}.1" COPYONLY)
      execute_process(COMMAND "${FB_GZIP}" -n -9 -f "${CMAKE_BINARY_DIR}/installers/man/${page}.1")
      install(FILES "${CMAKE_BINARY_DIR}/installers/man/${page}.1.gz" DESTINATION share/man/man1)
    endforeach()
  endif()
else()
  install(FILES "${CMAKE_SOURCE_DIR}/LICENSE" "${CMAKE_SOURCE_DIR}/README.md" DESTINATION .)
endif()

if(APPLE AND TARGET factorybench)
  # Info.plist with CFBundleDocumentTypes (recipes open in the app) and the icon.
  set_target_properties(factorybench PROPERTIES
    MACOSX_BUNDLE_INFO_PLIST "${_fb_pkg_dir}/macos/Info.plist.in"
    MACOSX_BUNDLE_GUI_IDENTIFIER "${_fb_id}"
    MACOSX_BUNDLE_BUNDLE_VERSION "${PROJECT_VERSION}"
    MACOSX_BUNDLE_SHORT_VERSION_STRING "${PROJECT_VERSION}"
    MACOSX_BUNDLE_ICON_FILE factorybench.icns)
  install(FILES "${CMAKE_SOURCE_DIR}/resources/icons/factorybench.icns" DESTINATION "${FB_DATA_INSTALL_DIR}")
endif()

# --- Qt and third-party runtime libraries (Windows, macOS) ---------------
# Linux packages depend on the distribution's libraries instead.
if(WIN32 OR APPLE)
  get_target_property(_fb_qmake Qt6::qmake IMPORTED_LOCATION)
  get_filename_component(_fb_qt_bin "${_fb_qmake}" DIRECTORY)
  if(WIN32)
    find_program(FB_WINDEPLOYQT windeployqt HINTS "${_fb_qt_bin}" REQUIRED)
    # windeployqt copies Qt and its plugins; GET_RUNTIME_DEPENDENCIES copies
    # the rest (libssh, yaml-cpp, OpenSSL, libpq from vcpkg) next to the exe.
    install(CODE "
      set(_bin \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/bin\")
      execute_process(COMMAND \"${FB_WINDEPLOYQT}\" --release --no-translations --compiler-runtime
        --dir \"\${_bin}\" \"\${_bin}/factorybench.exe\" \"\${_bin}/fbctl.exe\" COMMAND_ERROR_IS_FATAL ANY)
      file(GET_RUNTIME_DEPENDENCIES
        EXECUTABLES \"\${_bin}/factorybench.exe\" \"\${_bin}/fbctl.exe\"
        RESOLVED_DEPENDENCIES_VAR _deps DIRECTORIES \"${_fb_qt_bin}\" \$ENV{PATH}
        PRE_EXCLUDE_REGEXES \"^api-ms-\" \"^ext-ms-\"
        POST_EXCLUDE_REGEXES \"[Ss]ystem32\" \"[Ww]indows\")
      file(INSTALL \${_deps} DESTINATION \"\${_bin}\")")
  else()
    find_program(FB_MACDEPLOYQT macdeployqt HINTS "${_fb_qt_bin}" REQUIRED)
    install(CODE "
      execute_process(COMMAND \"${FB_MACDEPLOYQT}\" \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/factorybench.app\"
        -always-overwrite COMMAND_ERROR_IS_FATAL ANY)")
  endif()
endif()

# --- CPack ----------------------------------------------------------------
# Values reach CPackConfig.cmake as written (one "\\" here is one backslash
# in the NSIS script), so the .nsh snippets can be read in unchanged.
set(CPACK_VERBATIM_VARIABLES TRUE)
set(CPACK_PACKAGE_NAME "factorybench")
set(CPACK_PACKAGE_VENDOR "The FactoryBench developers")
set(CPACK_PACKAGE_CONTACT "FactoryBench developers <maintainers@factorybench.org>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION_FILE "${_fb_pkg_dir}/description.txt")
set(CPACK_PACKAGE_HOMEPAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_RESOURCE_FILE_LICENSE "${CMAKE_SOURCE_DIR}/LICENSE")
if(APPLE)
  # The DMG's volume icon. (For NSIS this variable is the header bitmap, a
  # .bmp we do not have, so it stays unset there.)
  set(CPACK_PACKAGE_ICON "${CMAKE_SOURCE_DIR}/resources/icons/factorybench.icns")
endif()
set(CPACK_PACKAGE_INSTALL_DIRECTORY "FactoryBench")
set(CPACK_PACKAGE_EXECUTABLES "factorybench;FactoryBench")
set(CPACK_STRIP_FILES TRUE)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
  OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_SOURCE_IGNORE_FILES "/\\.git/" "/build[^/]*/" "\\.swp$")

# Debian: library dependencies from dpkg-shlibdeps, plus the Qt plugins
# (platform, SQLite driver, SVG) that no ELF file links to directly.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins, libqt6sql6-sqlite, libqt6svg6")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "openssh-client")

# RPM: library dependencies from rpm's automatic requires.
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE "GPL-3.0-or-later")
set(CPACK_RPM_PACKAGE_GROUP "Applications/Engineering")
set(CPACK_RPM_PACKAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
set(CPACK_RPM_PACKAGE_REQUIRES "qt6-qtbase-gui, qt6-qtsvg")
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none")
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
  /usr/share/applications /usr/share/metainfo /usr/share/mime /usr/share/mime/packages
  /usr/share/icons /usr/share/icons/hicolor /usr/share/doc /usr/share/man /usr/share/man/man1)

# Windows (NSIS): start-menu entry, desktop icon, and "Open with FactoryBench"
# for recipes. Windows keys associations on the last extension, so
# *.fbrecipe.yaml is a .yaml file: FactoryBench is added to .yaml's Open With
# list and owns the unambiguous .fbrecipe.
set(CPACK_NSIS_DISPLAY_NAME "FactoryBench")
set(CPACK_NSIS_PACKAGE_NAME "FactoryBench ${PROJECT_VERSION}")
set(CPACK_NSIS_MUI_ICON "${CMAKE_SOURCE_DIR}/resources/icons/factorybench.ico")
set(CPACK_NSIS_MUI_UNIICON "${CMAKE_SOURCE_DIR}/resources/icons/factorybench.ico")
set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\factorybench.exe")
set(CPACK_NSIS_URL_INFO_ABOUT "${PROJECT_HOMEPAGE_URL}")
set(CPACK_NSIS_CONTACT "${CPACK_PACKAGE_CONTACT}")
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
set(CPACK_NSIS_MODIFY_PATH ON)
set(CPACK_NSIS_CREATE_ICONS_EXTRA
  "CreateShortCut '$DESKTOP\\FactoryBench.lnk' '$INSTDIR\\bin\\factorybench.exe'")
set(CPACK_NSIS_DELETE_ICONS_EXTRA "Delete '$DESKTOP\\FactoryBench.lnk'")
file(READ "${_fb_pkg_dir}/windows/associate.nsh" CPACK_NSIS_EXTRA_INSTALL_COMMANDS)
file(READ "${_fb_pkg_dir}/windows/unassociate.nsh" CPACK_NSIS_EXTRA_UNINSTALL_COMMANDS)

# macOS: a drag-and-drop DMG with the bundle.
set(CPACK_DMG_VOLUME_NAME "FactoryBench ${PROJECT_VERSION}")
set(CPACK_DMG_FORMAT UDZO)
set(CPACK_BUNDLE_NAME "FactoryBench")

if(WIN32)
  set(CPACK_GENERATOR "NSIS;ZIP")
elseif(APPLE)
  set(CPACK_GENERATOR "DragNDrop;TGZ")
else()
  set(CPACK_GENERATOR "DEB;TGZ")
  find_program(FB_RPMBUILD rpmbuild)
  if(FB_RPMBUILD)
    list(APPEND CPACK_GENERATOR RPM)
  endif()
endif()

include(CPack)

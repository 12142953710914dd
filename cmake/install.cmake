# cmake --install: the public headers, librill.so.0 (with its version and
# development symlinks), librill.a and rill.pc, in the GNUInstallDirs
# locations. tests/install/install_consumer.sh installs into a temporary
# prefix and builds a program against the result.
include(GNUInstallDirs)

install(FILES ${RILL_PUBLIC_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/rill)
install(TARGETS rill LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${RILL_STATIC_ARCHIVE} DESTINATION ${CMAKE_INSTALL_LIBDIR})

# rill.pc finds the installed tree from its own place (${pcfiledir}) when
# the directories are relative to the prefix, so that an install with
# `cmake --install --prefix DIR` or into a DESTDIR works where it lands.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(RILL_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(RILL_PC_LIBDIR "${CMAKE_INSTALL_FULL_LIBDIR}")
  set(RILL_PC_INCLUDEDIR "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
else()
  file(RELATIVE_PATH rill_pc_up "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
  string(REGEX REPLACE "/$" "" rill_pc_up "${rill_pc_up}")
  set(RILL_PC_PREFIX "\${pcfiledir}/${rill_pc_up}")
  set(RILL_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
  set(RILL_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(cmake/rill.pc.in ${PROJECT_BINARY_DIR}/rill.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/rill.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

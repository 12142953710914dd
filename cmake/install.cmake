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

# librill-roc.so (roc-toolkit 0.4's API): the library in the library
# directory under its own name, and in lib/rill-roc/ the names a roc
# program looks for (libroc.so.0.4 to run, libroc.so to link), so that it
# never takes the place of an installed roc-toolkit unless a program is
# pointed there (LD_LIBRARY_PATH, -L). roc's headers go to
# include/rill-roc/roc/.
install(TARGETS rill_roc LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${RILL_ROC_PUBLIC_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/rill-roc/roc)
install(CODE "
  set(dir \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/rill-roc\")
  file(MAKE_DIRECTORY \"\${dir}\")
  file(CREATE_LINK ../librill-roc.so \"\${dir}/libroc.so.0.4\" SYMBOLIC)
  file(CREATE_LINK libroc.so.0.4 \"\${dir}/libroc.so\" SYMBOLIC)
")

# librill-roc.so: roc-toolkit 0.4's C API and ABI on rill (src/roc,
# include/roc). Its soname is roc's, libroc.so.0.4, and a version script
# exports the 46 roc_* functions under roc's node ROC and nothing else; the
# rill objects inside it are all local. In the build tree (and in the
# install's lib/rill-roc/) libroc.so.0.4 and libroc.so are links to it, so
# that LD_LIBRARY_PATH or -lroc finds it in place of roc's.
set(RILL_ROC_SOURCES
  src/roc/roc_context.c
  src/roc/roc_config.c
  src/roc/roc_endpoint.c
  src/roc/roc_sender.c
  src/roc/roc_receiver.c
  src/roc/roc_codec.c
)
set(RILL_ROC_VERSION_SCRIPT ${PROJECT_SOURCE_DIR}/src/roc/roc.version)
file(GLOB RILL_ROC_PUBLIC_HEADERS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/roc/*.h)

add_library(rill_roc_objects OBJECT ${RILL_ROC_SOURCES})
target_include_directories(rill_roc_objects
  PUBLIC ${RILL_PUBLIC_INCLUDE_DIRS} PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(rill_roc_objects PUBLIC ${RILL_LIB_DEPS})

add_library(rill_roc SHARED $<TARGET_OBJECTS:rill_roc_objects> $<TARGET_OBJECTS:rill_objects>)
set_target_properties(rill_roc PROPERTIES OUTPUT_NAME rill-roc NO_SONAME ON
  LINK_DEPENDS ${RILL_ROC_VERSION_SCRIPT})
target_link_options(rill_roc PRIVATE -Wl,-soname,libroc.so.0.4
  -Wl,--version-script=${RILL_ROC_VERSION_SCRIPT} -Wl,--no-undefined)
target_link_libraries(rill_roc PRIVATE ${RILL_LIB_DEPS} m)
target_include_directories(rill_roc PUBLIC ${PROJECT_SOURCE_DIR}/include)
add_custom_command(TARGET rill_roc POST_BUILD
  COMMAND ${CMAKE_COMMAND} -E create_symlink librill-roc.so libroc.so.0.4
  COMMAND ${CMAKE_COMMAND} -E create_symlink libroc.so.0.4 libroc.so
  WORKING_DIRECTORY $<TARGET_FILE_DIR:rill_roc>)

# The roc layer with every internal symbol visible, for tests that look at
# rill's counters behind a roc object. Never installed.
add_library(rill_roc_internal STATIC $<TARGET_OBJECTS:rill_roc_objects>)
target_include_directories(rill_roc_internal PUBLIC ${RILL_PUBLIC_INCLUDE_DIRS}
  ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(rill_roc_internal PUBLIC rill_internal m)

# Every roc header must compile on its own.
set(RILL_ROC_HEADER_CHECKS)
foreach(hdr ${RILL_ROC_PUBLIC_HEADERS})
  get_filename_component(name ${hdr} NAME_WE)
  set(src ${CMAKE_BINARY_DIR}/header_check/roc_${name}.c)
  file(WRITE ${src} "#include <roc/${name}.h>\nint roc_header_check_${name}(void);\nint roc_header_check_${name}(void) { return 0; }\n")
  list(APPEND RILL_ROC_HEADER_CHECKS ${src})
endforeach()
add_library(rill_roc_header_check OBJECT ${RILL_ROC_HEADER_CHECKS})
target_include_directories(rill_roc_header_check PRIVATE ${PROJECT_SOURCE_DIR}/include)

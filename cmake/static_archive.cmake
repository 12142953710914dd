# librill.a, the static library that is installed (target rill_static).
#
# An archive of the library's objects as they are would export every
# internal non-static function (pool_alloc, limiter_init, receiver_create,
# ...) to the program that links it, where they may clash with its own
# names. Hidden visibility only acts when a shared object is linked, so the
# archive is made of one relocatable object instead:
#   ld -r                    links all library objects into rill.o, resolving
#                            the references between them;
#   objcopy --localize-hidden turns every hidden symbol (all but the RILL_API
#                            functions) into a local one.
# Only rill_* symbols stay global (tests/install/symbols.sh checks).
# A program that uses any rill function links all of rill.o.

foreach(tool CMAKE_LINKER CMAKE_OBJCOPY CMAKE_AR CMAKE_RANLIB)
  if(NOT ${tool})
    message(FATAL_ERROR "${tool} not found: needed to build librill.a (binutils)")
  endif()
endforeach()

set(RILL_STATIC_OBJECT ${PROJECT_BINARY_DIR}/CMakeFiles/rill_static.dir/rill.o)
set(RILL_STATIC_ARCHIVE ${PROJECT_BINARY_DIR}/librill.a)
add_custom_command(OUTPUT ${RILL_STATIC_ARCHIVE}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/CMakeFiles/rill_static.dir
  COMMAND ${CMAKE_LINKER} -r -o ${RILL_STATIC_OBJECT} $<TARGET_OBJECTS:rill_objects>
  COMMAND ${CMAKE_OBJCOPY} --localize-hidden ${RILL_STATIC_OBJECT}
  COMMAND ${CMAKE_COMMAND} -E rm -f ${RILL_STATIC_ARCHIVE}
  COMMAND ${CMAKE_AR} qc ${RILL_STATIC_ARCHIVE} ${RILL_STATIC_OBJECT}
  COMMAND ${CMAKE_RANLIB} ${RILL_STATIC_ARCHIVE}
  DEPENDS rill_objects $<TARGET_OBJECTS:rill_objects> ${CMAKE_CURRENT_LIST_FILE}
  COMMAND_EXPAND_LISTS VERBATIM
  COMMENT "Linking librill.a (one object, internal symbols local)")
add_custom_target(rill_static ALL DEPENDS ${RILL_STATIC_ARCHIVE})

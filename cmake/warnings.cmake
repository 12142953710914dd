# Warning set from STYLE.md; -Werror with RILL_WERROR (on in CI).
add_compile_options(
  -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wvla -Wformat=2)
if(RILL_WERROR)
  add_compile_options(-Werror)
endif()

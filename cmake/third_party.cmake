# Third-party code, compiled from the verified cache that scripts/deps.sh fills.
# Nothing here is committed: the sources live in ${CRM_DEPS_DIR}.

set(CRM_SQLITE_DIR ${CRM_DEPS_DIR}/sqlite)
set(CRM_IMGUI_DIR ${CRM_DEPS_DIR}/imgui-1.90.1)
foreach(required ${CRM_SQLITE_DIR}/sqlite3.c ${CRM_IMGUI_DIR}/imgui.cpp)
  if(NOT EXISTS ${required})
    message(FATAL_ERROR "Missing ${required}. Run scripts/deps.sh (or ./crm build) to fetch the pinned dependencies.")
  endif()
endforeach()

# --- SQLite: one library, one set of options, for the browser app, the native tests and the relay.
set(CRM_SQLITE_DEFINITIONS
  SQLITE_ENABLE_SESSION
  SQLITE_ENABLE_PREUPDATE_HOOK
  SQLITE_ENABLE_FTS5
  SQLITE_ENABLE_MATH_FUNCTIONS
  SQLITE_DQS=0
  SQLITE_DEFAULT_MEMSTATUS=0
  SQLITE_DEFAULT_WAL_SYNCHRONOUS=1
  SQLITE_LIKE_DOESNT_MATCH_BLOBS
  SQLITE_OMIT_DEPRECATED
  SQLITE_OMIT_LOAD_EXTENSION
  SQLITE_OMIT_SHARED_CACHE
  SQLITE_USE_ALLOCA
)
if(EMSCRIPTEN)
  # The browser build has no threads: no mutex calls around every page-cache and API access.
  list(APPEND CRM_SQLITE_DEFINITIONS SQLITE_THREADSAFE=0)
else()
  list(APPEND CRM_SQLITE_DEFINITIONS SQLITE_THREADSAFE=1)
endif()
add_library(sqlite3 STATIC ${CRM_SQLITE_DIR}/sqlite3.c)
# The session API is declared only when these are defined, so they are public.
target_compile_definitions(sqlite3 PUBLIC ${CRM_SQLITE_DEFINITIONS})
target_include_directories(sqlite3 SYSTEM PUBLIC ${CRM_SQLITE_DIR})
target_compile_options(sqlite3 PRIVATE -O2 -w)
if(NOT EMSCRIPTEN)
  find_package(Threads REQUIRED)
  target_link_libraries(sqlite3 PUBLIC Threads::Threads ${CMAKE_DL_LIBS} m)
endif()

# --- Dear ImGui core (no backends), with the project's imconfig.
add_library(imgui STATIC
  ${CRM_IMGUI_DIR}/imgui.cpp
  ${CRM_IMGUI_DIR}/imgui_draw.cpp
  ${CRM_IMGUI_DIR}/imgui_tables.cpp
  ${CRM_IMGUI_DIR}/imgui_widgets.cpp
  ${CRM_IMGUI_DIR}/misc/cpp/imgui_stdlib.cpp)
target_include_directories(imgui SYSTEM PUBLIC ${CRM_IMGUI_DIR} ${CRM_IMGUI_DIR}/misc/cpp)
target_include_directories(imgui PUBLIC ${CMAKE_SOURCE_DIR})
target_compile_definitions(imgui PUBLIC IMGUI_USER_CONFIG="ui/imconfig_crm.h")
target_compile_options(imgui PRIVATE -O2 -w)

if(EMSCRIPTEN)
  # The browser's platform backend: GLFW (Emscripten's built-in emulation). The WebGL2 renderer is the
  # app's own (web/renderer.cpp): the stock one reads the whole GL state back every frame.
  add_library(imgui_web STATIC
    ${CRM_IMGUI_DIR}/backends/imgui_impl_glfw.cpp)
  target_include_directories(imgui_web SYSTEM PUBLIC ${CRM_IMGUI_DIR}/backends)
  target_link_libraries(imgui_web PUBLIC imgui)
  target_compile_options(imgui_web PRIVATE -O2 -w)

  # cereal, header-only from Debian. -I/usr/include would drag glibc's headers into the
  # Emscripten sysroot, so the wasm build sees cereal through a folder holding only a link to it.
  set(CRM_CEREAL_INCLUDE ${CMAKE_BINARY_DIR}/_cereal_include)
  file(MAKE_DIRECTORY ${CRM_CEREAL_INCLUDE})
  file(CREATE_LINK /usr/include/cereal ${CRM_CEREAL_INCLUDE}/cereal SYMBOLIC)
else()
  set(CRM_CEREAL_INCLUDE "")
endif()
add_library(cereal INTERFACE)
if(CRM_CEREAL_INCLUDE)
  target_include_directories(cereal SYSTEM INTERFACE ${CRM_CEREAL_INCLUDE})
endif()
if(NOT EXISTS /usr/include/cereal/cereal.hpp)
  message(FATAL_ERROR "cereal is missing: apt-get install libcereal-dev (scripts/deps.sh does this)")
endif()

# nlohmann/json, header-only from Debian, seen by the wasm build the same way as cereal: the sync
# protocol's JSON bodies (sign-in, errors, refusals) are read by the same code natively and in the browser.
add_library(nlohmann_json INTERFACE)
if(EMSCRIPTEN)
  set(CRM_JSON_INCLUDE ${CMAKE_BINARY_DIR}/_json_include)
  file(MAKE_DIRECTORY ${CRM_JSON_INCLUDE})
  file(CREATE_LINK /usr/include/nlohmann ${CRM_JSON_INCLUDE}/nlohmann SYMBOLIC)
  target_include_directories(nlohmann_json SYSTEM INTERFACE ${CRM_JSON_INCLUDE})
endif()
if(NOT EXISTS /usr/include/nlohmann/json.hpp)
  message(FATAL_ERROR "nlohmann/json is missing: apt-get install nlohmann-json3-dev (scripts/deps.sh does this)")
endif()

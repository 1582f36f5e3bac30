# Writes SITE/sw.js from web/sw.js: the version is a hash over every cached file,
# so any change to the app makes a new service worker and a new cache.
# Usage: cmake -DSITE=dir -DTEMPLATE=web/sw.js -P make_sw.cmake
set(files index.html crm.js crm.wasm crm.data manifest.webmanifest icon.svg)
set(assets "{")
set(all "")
foreach(file ${files})
  if(NOT EXISTS ${SITE}/${file})
    message(FATAL_ERROR "make_sw: ${SITE}/${file} is missing")
  endif()
  file(SHA256 ${SITE}/${file} hash)
  string(APPEND assets "\n  \"${file}\": \"${hash}\",")
  string(APPEND all "${hash}")
endforeach()
string(REGEX REPLACE ",$" "\n}" assets "${assets}")
string(SHA256 version "${all}")
string(SUBSTRING ${version} 0 16 CRM_SW_VERSION)
set(CRM_SW_ASSETS "${assets}")
configure_file(${TEMPLATE} ${SITE}/sw.js @ONLY)

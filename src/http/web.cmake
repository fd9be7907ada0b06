# The web pages: web/ embedded at build time by scripts/embed_web.py (the
# allowlist is the files globbed here) and served by WebPages; the API routes
# the pages need besides (api_web.cc).
# Included by src/http/CMakeLists.txt; paths are relative to src/http.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(WEB_DIR ${PROJECT_SOURCE_DIR}/web)
file(GLOB WEB_FILES CONFIGURE_DEPENDS RELATIVE ${WEB_DIR}
  ${WEB_DIR}/pages/*.html ${WEB_DIR}/js/*.js ${WEB_DIR}/css/*.css ${WEB_DIR}/vendor/*.js
  ${WEB_DIR}/img/*.svg)
list(TRANSFORM WEB_FILES PREPEND ${WEB_DIR}/ OUTPUT_VARIABLE WEB_FILE_PATHS)
set(WEB_ASSETS_CC ${CMAKE_CURRENT_BINARY_DIR}/web_assets_data.cc)
add_custom_command(OUTPUT ${WEB_ASSETS_CC}
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/scripts/embed_web.py ${WEB_ASSETS_CC}
    ${WEB_DIR} ${WEB_FILES}
  DEPENDS ${WEB_FILE_PATHS} ${PROJECT_SOURCE_DIR}/scripts/embed_web.py
  COMMENT "Embedding the web pages")
set(HTTP_WEB_SOURCES api_web.cc web_assets.cc ${WEB_ASSETS_CC})

if(BOXOFFICE_TESTS)
  boxoffice_test(boxoffice_web_assets_tests
    SOURCES web_assets_test.cc
    LIBS boxoffice_http boxoffice_testing
    LABELS "http;concurrency")  # a real server's io threads
endif()

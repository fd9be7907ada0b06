# The HTTP server framework: messages, problem+json, routing, Responders, the
# Beast server, the blocking test client (used by integration tests too) and
# the asynchronous keep-alive client (load generator, webhooks, gateway client).
# Included by CMakeLists.txt in this directory; paths are relative to it.
set(HTTP_SERVER_SOURCES
  message.cc problem.cc handler.cc router.cc server.cc test_client.cc http_client.cc change_stream.cc
  content_coding.cc)

# Pure tests (no sockets, no threads) join the module's test executable.
set(HTTP_SERVER_TESTS message_test.cc problem_test.cc router_test.cc http_client_test.cc
  content_coding_test.cc)

# Tests with real sockets and io threads: their own executable, so that they
# carry the "concurrency" label and run under ThreadSanitizer.
if(BOXOFFICE_TESTS)
  boxoffice_test(boxoffice_http_server_tests
    SOURCES server_test.cc server_concurrency_test.cc
    LIBS boxoffice_http boxoffice_testing
    LABELS http concurrency)
endif()

# The payment gateway over HTTP: the simulated gateway's routes, its webhook
# sender, and the client the booking server uses for a gateway elsewhere.
# Included by src/http/CMakeLists.txt; paths are relative to src/http.
set(HTTP_GATEWAY_SOURCES webhook_sender.cc gateway_routes.cc gateway_client.cc)

# Real sockets and io threads: their own executable with the "concurrency" label.
if(BOXOFFICE_TESTS)
  boxoffice_test(boxoffice_http_gateway_tests
    SOURCES webhook_sender_test.cc gateway_routes_test.cc
    LIBS boxoffice_http boxoffice_testing boxoffice_testing_http
    LABELS http payments concurrency)
endif()

# Abuse control at the edge: rate limits in front of every route, and the
# waiting room's proof-of-work challenge.
# Included by src/http/CMakeLists.txt; paths are relative to src/http.
set(HTTP_ABUSE_SOURCES rate_limits.cc queue_challenge.cc)
set(HTTP_ABUSE_TESTS rate_limits_test.cc queue_challenge_test.cc)

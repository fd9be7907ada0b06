# Auth: JWT (HS256) bearer tokens, signed tokens, the admin key.
# Included by src/http/CMakeLists.txt; paths are relative to src/http.
set(HTTP_AUTH_SOURCES jwt.cc signed_token.cc admin_key.cc queue_tokens.cc)
set(HTTP_AUTH_TESTS jwt_test.cc signed_token_test.cc admin_key_test.cc queue_tokens_test.cc)

# The JSON codec: strict request reading and domain values as JSON.
# Included by src/http/CMakeLists.txt; paths are relative to src/http.
set(HTTP_CODEC_SOURCES json_reader.cc json_writer.cc seat_map_json.cc api_json.cc catalog_codec.cc api.cc api_queue.cc payments_json.cc)
set(HTTP_CODEC_TESTS api_detail_test.cc json_reader_test.cc json_writer_test.cc api_json_test.cc seat_map_json_test.cc payments_json_test.cc)

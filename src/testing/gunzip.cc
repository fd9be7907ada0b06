#include "testing/gunzip.h"

#include <zlib.h>

#include <array>
#include <limits>

namespace boxoffice::testing {

StatusOr<std::string> Gunzip(std::string_view gz) {
  if (gz.size() > std::numeric_limits<uInt>::max()) return Status::InvalidArgument("too large");
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return Status::Internal("cannot initialise zlib");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));  // zlib reads only
  z.avail_in = static_cast<uInt>(gz.size());
  std::string out;
  std::array<char, 4096> chunk;
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(chunk.data());
    z.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(chunk.data(), chunk.size() - z.avail_out);
  }
  const uInt left = z.avail_in;
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return Status::InvalidArgument("not a complete gzip member");
  if (left != 0) return Status::InvalidArgument("bytes after the gzip member");
  return out;
}

}  // namespace boxoffice::testing

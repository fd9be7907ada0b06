#include "app/secrets.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "http/admin_key.h"

namespace boxoffice::app {
namespace {

std::string PathOf(const std::string& dir, const std::string& name) {
  std::string path = dir;
  path.push_back('/');
  path.append(name);
  return path;
}

}  // namespace

Status EnsureDirectory(const std::string& dir) {
  std::string path;
  std::stringstream parts(dir);
  std::string part;
  if (!dir.empty() && dir[0] == '/') path.push_back('/');
  while (std::getline(parts, part, '/')) {
    if (part.empty()) continue;
    path.append(part);
    path.push_back('/');
    if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status::IoError("cannot create " + path + ": " + std::strerror(errno));
    }
  }
  return Status::Ok();
}

StatusOr<std::string> ReadSecret(const std::string& dir, const std::string& name) {
  const std::string path = PathOf(dir, name);
  std::ifstream in(path);
  if (!in) return Status::NotFound("no " + path);
  std::string secret;
  std::getline(in, secret);
  if (secret.empty()) return Status::Corruption(path + " is empty");
  return secret;
}

StatusOr<std::string> LoadOrCreateSecret(const std::string& dir, const std::string& name,
                                         bool* created) {
  *created = false;
  StatusOr<std::string> existing = ReadSecret(dir, name);
  if (existing.ok() || existing.status().code() != StatusCode::kNotFound) return existing;
  const std::string secret = http::GenerateAdminKey();  // 32 random bytes, base64url
  const std::string path = PathOf(dir, name);
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return Status::IoError("cannot create " + path + ": " + std::strerror(errno));
  const bool written =
      write(fd, secret.data(), secret.size()) == static_cast<ssize_t>(secret.size()) &&
      fsync(fd) == 0;
  close(fd);
  if (!written) return Status::IoError("cannot write " + path);
  *created = true;
  return secret;
}

}  // namespace boxoffice::app

#include "server/data_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/crypto.h"

namespace openalb {
namespace {

ApiError IoError(const std::string& what) {
  return ApiError{"InternalError", 500, what, what + ": " + std::strerror(errno)};
}

Result<void> WriteNewPrivateFile(const std::string& path, const std::string& content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Fail(IoError("cannot create " + path));
  ::fchmod(fd, 0600);
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return Fail(IoError("cannot write " + path));
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return Fail(IoError("cannot sync " + path));
  return {};
}

}  // namespace

Result<void> EnsureDataDir(const DataDirPaths& paths) {
  if (::mkdir(paths.root.c_str(), 0700) != 0 && errno != EEXIST) {
    return Fail(IoError("cannot create data directory " + paths.root));
  }
  struct stat st {};
  if (::stat(paths.root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Fail(IoError("data directory " + paths.root + " is not a directory"));
  }
  if ((st.st_mode & 0077) != 0) {
    // It holds the sealing key and the database: nobody else may list or read it.
    if (::chmod(paths.root.c_str(), 0700) != 0) {
      return Fail(IoError("data directory " + paths.root +
                          " is readable by other users and "
                          "cannot be made private (chmod 700 it)"));
    }
    spdlog::warn("event=data_dir_made_private path={} mode_was={:o}", paths.root,
                 st.st_mode & 0777);
  }
  return {};
}

Result<SecretBox::Key> LoadOrCreateSecretKey(const DataDirPaths& paths, Random& random) {
  const std::string path = paths.secret_key();
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      SecretBox::Key key{};
      ssize_t n = ::read(fd, key.data(), key.size());
      char extra = 0;
      ssize_t more = ::read(fd, &extra, 1);
      ::close(fd);
      if (n != static_cast<ssize_t>(key.size()) || more != 0) {
        return Fail(ApiError{"InternalError", 500, "bad secret key file",
                             path + " is not a 32-byte key; restore it from backup"});
      }
      return key;
    }
    if (errno != ENOENT) return Fail(IoError("cannot read " + path));
    SecretBox::Key key{};
    random.Fill(key.data(), key.size());
    const std::string temp = path + ".new." + std::to_string(::getpid());
    if (auto r = WriteNewPrivateFile(temp, std::string(key.begin(), key.end())); !r) {
      return Fail(r.error());
    }
    int linked = ::link(temp.c_str(), path.c_str());
    int link_errno = errno;
    ::unlink(temp.c_str());
    if (linked == 0) return key;
    if (link_errno != EEXIST) {
      errno = link_errno;
      return Fail(IoError("cannot create " + path));
    }
    // Another process created it first: read theirs.
  }
  return Fail(IoError("cannot create " + path));
}

Result<std::optional<NewAccount>> BootstrapFirstAccount(const DataDirPaths& paths, Store& store,
                                                        CredentialFactory& factory,
                                                        const std::string& region_id) {
  auto accounts = store.ListAccounts();
  if (!accounts) return Fail(accounts.error());
  if (!accounts->empty()) return std::optional<NewAccount>{};
  auto created = factory.CreateAccount("default");
  if (!created) return Fail(created.error());
  nlohmann::ordered_json file;
  file["AccountId"] = created->account.account_id;
  file["AccessKeyId"] = created->root_key.access_key_id;
  file["AccessKeySecret"] = created->root_key.secret;
  file["RegionId"] = region_id;
  if (auto r = WriteNewPrivateFile(paths.credentials(), file.dump(2) + "\n"); !r) {
    return Fail(r.error());
  }
  return std::optional<NewAccount>{std::move(*created)};
}

}  // namespace openalb

namespace openalb {

Result<std::string> LoadOrCreateNodeId(const DataDirPaths& paths, Random& random) {
  {
    std::ifstream in(paths.node_id());
    std::string id;
    if (in >> id && !id.empty()) return id;
  }
  unsigned char bytes[6];
  random.Fill(bytes, sizeof bytes);
  std::string id =
      "node-" + HexLower(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
  std::ofstream out(paths.node_id(), std::ios::trunc);
  out << id << "\n";
  if (!out) return Fail(ApiError{"InternalError", 500, "cannot write " + paths.node_id(), {}});
  return id;
}

}  // namespace openalb

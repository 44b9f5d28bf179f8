#include "server/data_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

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
  return {};
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

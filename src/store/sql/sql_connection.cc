#include "store/sql/sql_connection.h"

#include <string>

namespace openalb {

ApiError StoreError(std::string_view what) {
  return ApiError{"InternalError", 500,
                  "The request processing has failed due to some unknown error.",
                  "store: " + std::string(what)};
}

ApiError StoreUnavailable(std::string_view what) {
  return ApiError{"ServiceUnavailable", 503,
                  "The service is temporarily unavailable (its database cannot be reached); "
                  "try again shortly.",
                  "store unavailable: " + std::string(what)};
}

bool IsStoreFailure(const ApiError& error) { return error.internal.starts_with("store"); }

}  // namespace openalb

// The query helpers every resource's SQL shares, on either engine: a WHERE clause built
// from a filter, reading one or all rows, counts, keyset pages and one-statement writes.
// Kept in one header so each group of tables can live in its own source file.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "store/sql/sql_connection.h"
#include "store/store.h"

namespace openalb::sql_query {

// A WHERE clause built from a filter, with its bound values in order.
class Where {
 public:
  void Eq(std::string_view column, std::string_view value) {
    if (value.empty()) return;
    Clause(std::string(column) + " = ?");
    binds_.emplace_back(std::string(value));
  }
  void In(std::string_view column, const std::vector<std::string>& values) {
    if (values.empty()) return;
    std::string clause = std::string(column) + " IN (";
    for (size_t i = 0; i < values.size(); ++i) {
      clause += i == 0 ? "?" : ",?";
      binds_.emplace_back(values[i]);
    }
    Clause(clause + ")");
  }
  // `column` contains `text` (which must hold no LIKE wildcard: ids, say).
  void Contains(std::string_view column, std::string_view text) {
    if (text.empty()) return;
    Clause(std::string(column) + " LIKE ?");
    binds_.emplace_back("%" + std::string(text) + "%");
  }
  void Compare(std::string_view column, std::string_view op, std::int64_t value) {
    Clause(std::string(column) + " " + std::string(op) + " ?");
    binds_.emplace_back(value);
  }
  const std::string& sql() const { return sql_; }
  // Binds every value from parameter 1; returns the next free index.
  int BindAll(SqlStatement& stmt) const {
    int index = 1;
    for (const auto& value : binds_) {
      if (const auto* text = std::get_if<std::string>(&value)) {
        stmt.Bind(index++, *text);
      } else {
        stmt.Bind(index++, std::get<std::int64_t>(value));
      }
    }
    return index;
  }

 private:
  void Clause(const std::string& clause) {
    sql_ += sql_.empty() ? " WHERE " : " AND ";
    sql_ += clause;
  }
  std::string sql_;
  std::vector<std::variant<std::string, std::int64_t>> binds_;
};

// Collects every row of `stmt` with `read`.
template <typename T, typename Read>
Result<std::vector<T>> Rows(SqlStatement& stmt, Read read) {
  std::vector<T> out;
  while (true) {
    auto row = stmt.Step();
    if (!row) return Fail(row.error());
    if (!*row) return out;
    out.push_back(read(stmt));
  }
}

template <typename T, typename Read>
Result<std::optional<T>> OneRow(SqlStatement& stmt, Read read) {
  auto row = stmt.Step();
  if (!row) return Fail(row.error());
  if (!*row) return std::optional<T>{};
  return std::optional<T>{read(stmt)};
}

inline Result<std::int64_t> Scalar(SqlStatement& stmt) {
  auto row = stmt.Step();
  if (!row) return Fail(row.error());
  return *row ? stmt.ColumnInt(0) : 0;
}

using Binder = std::function<void(SqlStatement&)>;

// The single number a COUNT(*) query answers, as an int.
inline Result<int> CountOf(SqlConnection& db, std::string_view sql, const Binder& bind) {
  auto stmt = db.Prepare(sql);
  if (!stmt) return Fail(stmt.error());
  bind(*stmt);
  auto n = Scalar(*stmt);
  if (!n) return Fail(n.error());
  return static_cast<int>(*n);
}

// The first row `sql` selects, if any.
template <typename T, typename Read>
Result<std::optional<T>> FindOne(SqlConnection& db, std::string_view sql, const Binder& bind,
                                 Read read) {
  auto stmt = db.Prepare(sql);
  if (!stmt) return Fail(stmt.error());
  bind(*stmt);
  return OneRow<T>(*stmt, read);
}

// One page of `table` rows: `select` columns, `where` filter, ordered by `key` (an
// expression over the row, ascending or descending), rows past `page.after`. The total is
// counted unless the caller knows it (`known_total`) or the first page holds every row (the
// common case: one query instead of two).
template <typename T, typename Read>
Result<Page<T>> ListPage(SqlConnection& db, std::string_view table, std::string_view select,
                         const Where& where, std::string_view key, bool descending,
                         const PageRequest& page, Read read,
                         std::optional<std::int64_t> known_total = std::nullopt) {
  Page<T> out;
  std::string sql = "SELECT " + std::string(select) + ", " + std::string(key) + " FROM " +
                    std::string(table) + where.sql();
  if (page.after != 0) {
    sql += where.sql().empty() ? " WHERE " : " AND ";
    sql += std::string(key) + (descending ? " < ?" : " > ?");
  }
  sql += " ORDER BY " + std::string(key) + (descending ? " DESC" : " ASC") + " LIMIT ?";
  {
    auto stmt = db.Prepare(sql);
    if (!stmt) return Fail(stmt.error());
    int next = where.BindAll(*stmt);
    if (page.after != 0) stmt->Bind(next++, page.after);
    stmt->Bind(next, static_cast<std::int64_t>(page.limit) + 1);
    // The key is selected last, after the record's columns.
    const int key_column = static_cast<int>(std::count(select.begin(), select.end(), ',')) + 1;
    std::int64_t last_key = 0;
    while (true) {
      auto row = stmt->Step();
      if (!row) return Fail(row.error());
      if (!*row) break;
      if (static_cast<int>(out.items.size()) == page.limit) {
        out.next = last_key;  // a row follows this page
        break;
      }
      out.items.push_back(read(*stmt));
      last_key = stmt->ColumnInt(key_column);
    }
  }
  if (known_total) {
    out.total = *known_total;
  } else if (page.after == 0 && !out.next) {
    out.total = static_cast<std::int64_t>(out.items.size());
  } else {
    auto count = db.Prepare("SELECT COUNT(*) FROM " + std::string(table) + where.sql());
    if (!count) return Fail(count.error());
    where.BindAll(*count);
    auto total = Scalar(*count);
    if (!total) return Fail(total.error());
    out.total = *total;
  }
  return out;
}

inline Result<void> RunOne(SqlConnection& db, std::string_view sql,
                           const std::function<void(SqlStatement&)>& bind) {
  auto stmt = db.Prepare(sql);
  if (!stmt) return Fail(stmt.error());
  bind(*stmt);
  return stmt->Run();
}

}  // namespace openalb::sql_query

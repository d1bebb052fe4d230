#pragma once
// Store: the one RocksDB database of a bokaded, with a column family per kind of data
// (ARCHITECTURE.md §4). Everything that belongs together is written in one WriteBatch.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bokade/core/expected.hpp"

namespace bokade::store {

enum class Column : std::uint8_t { engagements, slices, relations, schedule, persons, meta };

inline constexpr Column all_columns[] = {Column::engagements, Column::slices,  Column::relations,
                                         Column::schedule,    Column::persons, Column::meta};

std::string_view to_string(Column c) noexcept;

// The schema this build writes. A database recorded with a newer version is refused.
inline constexpr std::uint32_t schema_version = 1;

struct StoreOptions {
  std::size_t block_cache_bytes = 64u << 20;
  bool sync_writes = true;  // WAL synced before a write is acknowledged
  bool create_if_missing = true;
};

struct ColumnStats {
  Column column;
  std::uint64_t estimated_keys = 0;
  std::uint64_t sst_bytes = 0;
  std::uint64_t memtable_bytes = 0;
};

// A set of writes applied atomically.
class Batch {
 public:
  Batch();
  ~Batch();
  Batch(Batch&&) noexcept;
  Batch& operator=(Batch&&) noexcept;
  void put(Column c, std::string_view key, std::string_view value);
  void erase(Column c, std::string_view key);
  [[nodiscard]] std::size_t count() const;
  // What this batch will do to `key`: nullopt when it does not touch it; an empty inner optional
  // when it erases it; the value it puts otherwise. Lets later writes in one group see earlier ones.
  [[nodiscard]] std::optional<std::optional<std::string>> pending(Column c, std::string_view key) const;

  // A batch whose pending() falls back to `parent` for keys it does not touch itself.
  explicit Batch(const Batch* parent);
  // Moves every operation of `other` to the end of this batch.
  void append(Batch&& other);

 private:
  friend class Store;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Store {
 public:
  // Opens (or creates) the database in `dir`. Fails with a clear reason when the directory is
  // unreadable, held by another process, or recorded by a newer bokade.
  static Expected<std::unique_ptr<Store>> open(const std::filesystem::path& dir, const StoreOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  Status write(Batch& batch);
  Status put(Column c, std::string_view key, std::string_view value);
  Expected<std::optional<std::string>> get(Column c, std::string_view key) const;
  // As get(), but first looks at what `batch` (not yet written) will do to the key.
  Expected<std::optional<std::string>> get(Column c, std::string_view key, const Batch& batch) const;
  // get() for many keys of one column family at once, in one RocksDB MultiGet (which shares the work of
  // a lookup between the keys): the value of keys[i] is element i. Does not look into any batch.
  Expected<std::vector<std::optional<std::string>>> get_many(Column c, std::span<const std::string_view> keys) const;
  // Every (key, value) whose key starts with `prefix`, in key order; `limit` 0 means all.
  Expected<std::vector<std::pair<std::string, std::string>>> scan_prefix(Column c, std::string_view prefix,
                                                                         std::size_t limit = 0) const;

  // Calls `visit(key, value)` for every key starting with `prefix` (all keys when empty), in key order,
  // without loading them all; stops early when `visit` returns false. Reads one consistent snapshot.
  Status for_each(Column c, std::string_view prefix,
                  const std::function<bool(std::string_view key, std::string_view value)>& visit) const;

  // Calls `visit(key, value)` for every key starting with `prefix` (not empty), in key order, stopping early
  // when `visit` returns false: the read path of one person's rows. Unlike for_each() it keeps what it reads
  // in the block cache (a person asked about is asked about again), and unlike scan_prefix() it copies
  // nothing: key and value are valid during the call only. One consistent view (the iterator's).
  Status visit_prefix(Column c, std::string_view prefix,
                      const std::function<bool(std::string_view key, std::string_view value)>& visit) const;

  // A number that changes after every write that touches a row of the person whose key (person_key()) is
  // `person_key` in the engagements, slices or relations column family: what the person's view is made of.
  // Read it before reading those rows; while it has not changed, what was read is what the store holds.
  // It may also change for a write of another person (persons share a number with 1 in 65,536 others), never
  // stays the same across a write of this one, and starts over when the store is opened.
  [[nodiscard]] std::uint64_t person_generation(std::string_view person_key) const noexcept;

  [[nodiscard]] std::uint32_t recorded_schema_version() const noexcept { return recorded_version_; }
  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }
  std::vector<ColumnStats> stats() const;

  // Flushes memtables and the WAL and closes the database; further calls fail. Also done by the destructor.
  Status close();

  // A consistent copy of the database in `target` (which must not exist), for backups.
  Status checkpoint(const std::filesystem::path& target) const;
  Status compact();

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl, std::filesystem::path dir, std::uint32_t version);
  std::unique_ptr<Impl> impl_;
  std::filesystem::path dir_;
  std::uint32_t recorded_version_ = 0;
};

}  // namespace bokade::store

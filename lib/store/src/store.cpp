#include "bokade/store/store.hpp"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <fmt/format.h>

#include <array>
#include <mutex>
#include <system_error>
#include <unordered_map>

namespace bokade::store {
namespace {

constexpr std::string_view schema_version_key = "schema_version";

std::string encode_u32(std::uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>((v >> (24 - 8 * i)) & 0xFF);
  return s;
}

std::optional<std::uint32_t> decode_u32(std::string_view s) {
  if (s.size() != 4) return std::nullopt;
  std::uint32_t v = 0;
  for (char c : s) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

// RocksDB says "lock hold by current process" or "While lock file: …: Resource temporarily unavailable"
// when another DB instance holds the directory.
bool is_lock_error(const rocksdb::Status& s) {
  const std::string text = s.ToString();
  return s.IsIOError() && (text.find("lock") != std::string::npos || text.find("LOCK") != std::string::npos);
}

}  // namespace

std::string_view to_string(Column c) noexcept {
  switch (c) {
    case Column::engagements: return "engagements";
    case Column::slices: return "slices";
    case Column::relations: return "relations";
    case Column::schedule: return "schedule";
    case Column::persons: return "persons";
    case Column::meta: return "meta";
  }
  return "meta";
}

// Operations are kept until write(), where they are replayed onto the store's column family handles.
struct Batch::Impl {
  struct Op {
    Column column;
    bool is_put;
    std::string key;
    std::string value;
  };
  std::vector<Op> ops;
  std::unordered_map<std::string, std::size_t> latest;  // column byte · key → index of its last op
  const Batch* parent = nullptr;
  static std::string index_key(Column c, std::string_view key) {
    std::string k(1, static_cast<char>(c));
    k.append(key);
    return k;
  }
};

struct Store::Impl {
  std::unique_ptr<rocksdb::DB> db;
  std::array<rocksdb::ColumnFamilyHandle*, 6> handles{};
  rocksdb::ColumnFamilyHandle* default_handle = nullptr;
  rocksdb::WriteOptions write_options;
  std::mutex close_mutex;
  bool closed = false;

  rocksdb::ColumnFamilyHandle* cf(Column c) const { return handles[static_cast<std::size_t>(c)]; }

  void release() {
    if (!db) return;
    for (auto*& h : handles) {
      if (h) {
        db->DestroyColumnFamilyHandle(h);
        h = nullptr;
      }
    }
    if (default_handle) {
      db->DestroyColumnFamilyHandle(default_handle);
      default_handle = nullptr;
    }
  }
};

Batch::Batch() : impl_(std::make_unique<Impl>()) {}
Batch::Batch(const Batch* parent) : impl_(std::make_unique<Impl>()) { impl_->parent = parent; }

void Batch::append(Batch&& other) {
  for (auto& op : other.impl_->ops) {
    impl_->latest[Impl::index_key(op.column, op.key)] = impl_->ops.size();
    impl_->ops.push_back(std::move(op));
  }
  other.impl_->ops.clear();
  other.impl_->latest.clear();
}
Batch::~Batch() = default;
Batch::Batch(Batch&&) noexcept = default;
Batch& Batch::operator=(Batch&&) noexcept = default;

void Batch::put(Column c, std::string_view key, std::string_view value) {
  impl_->latest[Impl::index_key(c, key)] = impl_->ops.size();
  impl_->ops.push_back({c, true, std::string(key), std::string(value)});
}

void Batch::erase(Column c, std::string_view key) {
  impl_->latest[Impl::index_key(c, key)] = impl_->ops.size();
  impl_->ops.push_back({c, false, std::string(key), {}});
}

std::size_t Batch::count() const { return impl_->ops.size(); }

std::optional<std::optional<std::string>> Batch::pending(Column c, std::string_view key) const {
  const auto it = impl_->latest.find(Impl::index_key(c, key));
  if (it == impl_->latest.end()) return impl_->parent ? impl_->parent->pending(c, key) : std::nullopt;
  const auto& op = impl_->ops[it->second];
  return op.is_put ? std::optional<std::string>(op.value) : std::optional<std::string>();
}

Store::Store(std::unique_ptr<Impl> impl, std::filesystem::path dir, std::uint32_t version)
    : impl_(std::move(impl)), dir_(std::move(dir)), recorded_version_(version) {}

Store::~Store() { (void)close(); }

Expected<std::unique_ptr<Store>> Store::open(const std::filesystem::path& dir, const StoreOptions& options) {
  std::error_code ec;
  if (options.create_if_missing) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return fail(fmt::format("cannot create data directory {}: {}", dir.string(), ec.message()));
  }
  if (!std::filesystem::is_directory(dir, ec)) {
    return fail(fmt::format("data directory {} does not exist or is not a directory", dir.string()));
  }

  rocksdb::Options db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 5;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Keys are prefix-scanned per person; the default comparator keeps a person's keys together.

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);
  for (Column c : all_columns) descriptors.emplace_back(std::string(to_string(c)), cf_options);

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(db_options, dir.string(), descriptors, &handles, &raw);
  if (!s.ok()) {
    if (is_lock_error(s)) {
      return fail(fmt::format("data directory {} is in use by another bokaded (its LOCK file is held); stop that "
                              "process or choose another storage.data_dir",
                              dir.string()));
    }
    return fail(fmt::format("cannot open the database in {}: {}", dir.string(), s.ToString()));
  }

  auto impl = std::make_unique<Impl>();
  impl->db.reset(raw);
  impl->default_handle = handles[0];
  for (std::size_t i = 0; i < std::size(all_columns); ++i) impl->handles[i] = handles[i + 1];
  impl->write_options.sync = options.sync_writes;

  // Schema version: record ours in a new database; refuse one written by a newer bokade.
  std::string value;
  const auto meta = impl->cf(Column::meta);
  rocksdb::Status gs = impl->db->Get(rocksdb::ReadOptions(), meta, rocksdb::Slice(schema_version_key.data(), schema_version_key.size()), &value);
  std::uint32_t recorded = schema_version;
  if (gs.IsNotFound()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    const auto v = encode_u32(schema_version);
    gs = impl->db->Put(wo, meta, rocksdb::Slice(schema_version_key.data(), schema_version_key.size()), v);
    if (!gs.ok()) {
      impl->release();
      return fail(fmt::format("cannot record the schema version in {}: {}", dir.string(), gs.ToString()));
    }
  } else if (!gs.ok()) {
    impl->release();
    return fail(fmt::format("cannot read the schema version in {}: {}", dir.string(), gs.ToString()));
  } else {
    const auto v = decode_u32(value);
    if (!v) {
      impl->release();
      return fail(fmt::format("the schema version recorded in {} is unreadable", dir.string()));
    }
    recorded = *v;
    if (recorded > schema_version) {
      impl->release();
      return fail(fmt::format("the database in {} has schema version {}, newer than this bokaded supports ({}); "
                              "run a newer bokaded or restore a backup",
                              dir.string(), recorded, schema_version));
    }
  }
  return std::unique_ptr<Store>(new Store(std::move(impl), dir, recorded));
}

Status Store::write(Batch& batch) {
  if (!impl_ || impl_->closed) return fail("store is closed");
  rocksdb::WriteBatch wb;
  for (const auto& op : batch.impl_->ops) {
    const rocksdb::Status s =
        op.is_put ? wb.Put(impl_->cf(op.column), op.key, op.value) : wb.Delete(impl_->cf(op.column), op.key);
    if (!s.ok()) return fail(fmt::format("cannot add to write batch: {}", s.ToString()));
  }
  const rocksdb::Status s = impl_->db->Write(impl_->write_options, &wb);
  if (!s.ok()) return fail(fmt::format("write failed: {}", s.ToString()));
  return {};
}

Status Store::put(Column c, std::string_view key, std::string_view value) {
  Batch b;
  b.put(c, key, value);
  return write(b);
}

Expected<std::optional<std::string>> Store::get(Column c, std::string_view key) const {
  if (!impl_ || impl_->closed) return fail("store is closed");
  std::string value;
  const rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), impl_->cf(c), rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>{};
  if (!s.ok()) return fail(fmt::format("read failed: {}", s.ToString()));
  return std::optional<std::string>{std::move(value)};
}

Expected<std::optional<std::string>> Store::get(Column c, std::string_view key, const Batch& batch) const {
  if (auto p = batch.pending(c, key)) return *p;
  return get(c, key);
}

Expected<std::vector<std::pair<std::string, std::string>>> Store::scan_prefix(Column c, std::string_view prefix,
                                                                                std::size_t limit) const {
  if (!impl_ || impl_->closed) return fail("store is closed");
  std::vector<std::pair<std::string, std::string>> out;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(c)));
  const rocksdb::Slice p(prefix.data(), prefix.size());
  for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
    out.emplace_back(it->key().ToString(), it->value().ToString());
    if (limit != 0 && out.size() >= limit) break;
  }
  if (!it->status().ok()) return fail(fmt::format("scan failed: {}", it->status().ToString()));
  return out;
}

Status Store::for_each(Column c, std::string_view prefix,
                       const std::function<bool(std::string_view, std::string_view)>& visit) const {
  if (!impl_ || impl_->closed) return fail("store is closed");
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;  // a full scan should not push the hot data out of the block cache
  const rocksdb::Snapshot* snapshot = impl_->db->GetSnapshot();
  ro.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->cf(c)));
  const rocksdb::Slice p(prefix.data(), prefix.size());
  for (prefix.empty() ? it->SeekToFirst() : it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
    if (!visit(std::string_view(it->key().data(), it->key().size()),
               std::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  const auto status = it->status();
  it.reset();
  impl_->db->ReleaseSnapshot(snapshot);
  if (!status.ok()) return fail(fmt::format("scan failed: {}", status.ToString()));
  return {};
}

std::vector<ColumnStats> Store::stats() const {
  std::vector<ColumnStats> out;
  if (!impl_ || impl_->closed) return out;
  for (Column c : all_columns) {
    ColumnStats st{c};
    auto* h = impl_->cf(c);
    impl_->db->GetIntProperty(h, "rocksdb.estimate-num-keys", &st.estimated_keys);
    impl_->db->GetIntProperty(h, "rocksdb.total-sst-files-size", &st.sst_bytes);
    impl_->db->GetIntProperty(h, "rocksdb.cur-size-all-mem-tables", &st.memtable_bytes);
    out.push_back(st);
  }
  return out;
}

Status Store::close() {
  if (!impl_) return {};
  std::lock_guard lock(impl_->close_mutex);
  if (impl_->closed) return {};
  impl_->closed = true;
  std::string problems;
  rocksdb::FlushOptions fo;
  fo.wait = true;
  std::vector<rocksdb::ColumnFamilyHandle*> hs(impl_->handles.begin(), impl_->handles.end());
  if (auto s = impl_->db->Flush(fo, hs); !s.ok()) problems += "flush: " + s.ToString() + "; ";
  if (auto s = impl_->db->SyncWAL(); !s.ok() && !s.IsNotSupported()) problems += "sync WAL: " + s.ToString() + "; ";
  impl_->release();
  if (auto s = impl_->db->Close(); !s.ok()) problems += "close: " + s.ToString();
  impl_->db.reset();
  if (!problems.empty()) return fail("closing the database: " + problems);
  return {};
}

Status Store::checkpoint(const std::filesystem::path& target) const {
  if (!impl_ || impl_->closed) return fail("store is closed");
  rocksdb::Checkpoint* raw = nullptr;
  if (auto s = rocksdb::Checkpoint::Create(impl_->db.get(), &raw); !s.ok()) {
    return fail(fmt::format("checkpoint: {}", s.ToString()));
  }
  std::unique_ptr<rocksdb::Checkpoint> cp(raw);
  if (auto s = cp->CreateCheckpoint(target.string()); !s.ok()) {
    return fail(fmt::format("checkpoint into {}: {}", target.string(), s.ToString()));
  }
  return {};
}

Status Store::compact() {
  if (!impl_ || impl_->closed) return fail("store is closed");
  for (Column c : all_columns) {
    if (auto s = impl_->db->CompactRange(rocksdb::CompactRangeOptions(), impl_->cf(c), nullptr, nullptr); !s.ok()) {
      return fail(fmt::format("compacting {}: {}", to_string(c), s.ToString()));
    }
  }
  return {};
}

}  // namespace bokade::store

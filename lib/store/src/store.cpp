#include "bokade/store/store.hpp"

#include "bokade/store/keys.hpp"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <functional>
#include <mutex>
#include <system_error>

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

// The smallest key after every key that starts with `prefix`: the prefix up to its last byte that is not
// 0xFF, that byte incremented. Empty when there is none (an empty or all-0xFF prefix): no bound.
std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xFFU) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1U);
  return end;
}

// Read options for a scan of `prefix`, bounded above by `end` (prefix_end(prefix), which must outlive the
// iterator): the iterator then stops at the end of the prefix by itself, instead of stepping onto the next
// person's first key (possibly in another block or file) only to find it does not match.
rocksdb::ReadOptions prefix_read_options(const std::string& end, rocksdb::Slice& end_slice) {
  rocksdb::ReadOptions ro;
  if (!end.empty()) {
    end_slice = rocksdb::Slice(end.data(), end.size());
    ro.iterate_upper_bound = &end_slice;
  }
  return ro;
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
// A group commit puts some thousand operations through a batch (one per index transaction, each
// looked up first): their bytes go back to back into one buffer and are indexed by an open-addressing
// table of op numbers, so an operation costs one copy of its bytes and no allocation of its own, and
// a lookup hashes the key once for the whole chain of parent batches.
struct Batch::Impl {
  struct Op {
    std::size_t offset;       // the key's first byte in `bytes`; the value follows the key
    std::uint32_t key_size;
    std::uint32_t value_size;
    std::uint64_t hash;       // of (column, key), kept so that growing and append() never rehash a key
    Column column;
    bool is_put;
  };
  std::string bytes;
  std::vector<Op> ops;
  // Slots hold an op number + 1 (0 = empty): the latest op of each (column, key). A power of two in
  // size, at most half full.
  std::vector<std::uint32_t> slots;
  std::size_t distinct = 0;  // keys in `slots`
  const Batch* parent = nullptr;

  static std::uint64_t hash_of(Column c, std::string_view key) noexcept {
    const std::uint64_t h = std::hash<std::string_view>{}(key);
    return h ^ ((static_cast<std::uint64_t>(c) + 1) * 0x9E3779B97F4A7C15ULL);
  }
  [[nodiscard]] std::string_view key_of(const Op& op) const noexcept { return {bytes.data() + op.offset, op.key_size}; }
  [[nodiscard]] std::string_view value_of(const Op& op) const noexcept {
    return {bytes.data() + op.offset + op.key_size, op.value_size};
  }
  [[nodiscard]] const Op* find(Column c, std::string_view key, std::uint64_t h) const noexcept {
    if (slots.empty()) return nullptr;
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const std::uint32_t s = slots[i];
      if (s == 0) return nullptr;
      const Op& op = ops[s - 1];
      if (op.hash == h && op.column == c && key_of(op) == key) return &op;
    }
  }
  // Makes ops[n] the latest op of its key.
  void index(std::uint32_t n) {
    if ((distinct + 1) * 2 > slots.size()) grow();
    const Op& op = ops[n];
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = op.hash & mask;; i = (i + 1) & mask) {
      std::uint32_t& s = slots[i];
      if (s == 0) {
        s = n + 1;
        ++distinct;
        return;
      }
      const Op& other = ops[s - 1];
      if (other.hash == op.hash && other.column == op.column && key_of(other) == key_of(op)) {
        s = n + 1;
        return;
      }
    }
  }
  void grow() {
    std::vector<std::uint32_t> old(std::max<std::size_t>(16, slots.size() * 2), 0);
    old.swap(slots);
    const std::size_t mask = slots.size() - 1;
    for (const std::uint32_t s : old) {
      if (s == 0) continue;
      std::size_t i = ops[s - 1].hash & mask;
      while (slots[i] != 0) i = (i + 1) & mask;
      slots[i] = s;
    }
  }
  // Op numbers, key and value sizes are 32-bit: a group holds a few thousand jobs' writes at most, and
  // RocksDB refuses keys and values of 4 GiB anyway.
  void add(Column c, bool is_put, std::string_view key, std::string_view value) {
    ops.push_back({bytes.size(), static_cast<std::uint32_t>(key.size()), static_cast<std::uint32_t>(value.size()),
                   hash_of(c, key), c, is_put});
    bytes.append(key);
    bytes.append(value);
    index(static_cast<std::uint32_t>(ops.size() - 1));
  }
  void clear() noexcept {
    bytes.clear();
    ops.clear();
    slots.clear();
    distinct = 0;
  }
};

struct Store::Impl {
  std::unique_ptr<rocksdb::DB> db;
  std::array<rocksdb::ColumnFamilyHandle*, 6> handles{};
  rocksdb::ColumnFamilyHandle* default_handle = nullptr;
  rocksdb::WriteOptions write_options;
  std::mutex close_mutex;
  bool closed = false;
  // person_generation(): one counter per hash bucket of person keys (512 KiB).
  static constexpr std::size_t generation_buckets = std::size_t{1} << 16U;
  std::unique_ptr<std::atomic<std::uint64_t>[]> generations{new std::atomic<std::uint64_t>[generation_buckets]{}};

  rocksdb::ColumnFamilyHandle* cf(Column c) const { return handles[static_cast<std::size_t>(c)]; }

  std::atomic<std::uint64_t>& generation(std::string_view person_key) const noexcept {
    return generations[std::hash<std::string_view>{}(person_key) & (generation_buckets - 1)];
  }

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
  Impl& mine = *impl_;
  Impl& theirs = *other.impl_;
  if (mine.ops.empty()) {
    // The first job of a group: take its operations whole.
    mine.bytes.swap(theirs.bytes);
    mine.ops.swap(theirs.ops);
    mine.slots.swap(theirs.slots);
    std::swap(mine.distinct, theirs.distinct);
  } else {
    const std::size_t base = mine.bytes.size();
    mine.bytes.append(theirs.bytes);
    mine.ops.reserve(mine.ops.size() + theirs.ops.size());
    for (Impl::Op op : theirs.ops) {
      op.offset += base;
      mine.ops.push_back(op);
      mine.index(static_cast<std::uint32_t>(mine.ops.size() - 1));
    }
  }
  theirs.clear();
}
Batch::~Batch() = default;
Batch::Batch(Batch&&) noexcept = default;
Batch& Batch::operator=(Batch&&) noexcept = default;

void Batch::put(Column c, std::string_view key, std::string_view value) { impl_->add(c, true, key, value); }

void Batch::erase(Column c, std::string_view key) { impl_->add(c, false, key, {}); }

std::size_t Batch::count() const { return impl_->ops.size(); }

std::optional<std::optional<std::string>> Batch::pending(Column c, std::string_view key) const {
  const std::uint64_t h = Impl::hash_of(c, key);
  for (const Batch* b = this; b != nullptr; b = b->impl_->parent) {
    const Impl& impl = *b->impl_;
    if (const Impl::Op* op = impl.find(c, key, h)) {
      return op->is_put ? std::optional<std::string>(impl.value_of(*op)) : std::optional<std::string>();
    }
  }
  return std::nullopt;
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
  for (Column c : all_columns) {
    rocksdb::ColumnFamilyOptions o = cf_options;
    if (c == Column::engagements || c == Column::persons) {
      // Every index transaction reads its key before writing it (tombstones, versions), and so does
      // every watch of a notified person; most of those keys are new. A whole-key Bloom filter in the
      // memtable answers "absent" without searching the skiplist (~1.3 MiB per 64 MiB memtable). The
      // other families are written without reading first, or are small.
      o.memtable_prefix_bloom_size_ratio = 0.02;
      o.memtable_whole_key_filtering = true;
    }
    descriptors.emplace_back(std::string(to_string(c)), o);
  }

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
  const Batch::Impl& ops = *batch.impl_;
  // Room for every record up front (its bytes, a tag, a column family id and two lengths as varints):
  // the rocksdb batch is then filled without growing.
  rocksdb::WriteBatch wb(16 + ops.bytes.size() + 16 * ops.ops.size());
  for (const auto& op : ops.ops) {
    const rocksdb::Slice key(ops.bytes.data() + op.offset, op.key_size);
    const rocksdb::Status s = op.is_put ? wb.Put(impl_->cf(op.column), key,
                                                 rocksdb::Slice(ops.bytes.data() + op.offset + op.key_size, op.value_size))
                                        : wb.Delete(impl_->cf(op.column), key);
    if (!s.ok()) return fail(fmt::format("cannot add to write batch: {}", s.ToString()));
  }
  const rocksdb::Status s = impl_->db->Write(impl_->write_options, &wb);
  if (!s.ok()) return fail(fmt::format("write failed: {}", s.ToString()));
  // After the write, so that a reader who saw the old number and then read the rows either read the new
  // rows or sees the number change.
  for (const auto& op : ops.ops) {
    if ((op.column == Column::engagements || op.column == Column::slices || op.column == Column::relations) &&
        op.key_size >= person_key_size) {
      impl_->generation(std::string_view(ops.bytes.data() + op.offset, person_key_size))
          .fetch_add(1, std::memory_order_release);
    }
  }
  return {};
}

std::uint64_t Store::person_generation(std::string_view person_key) const noexcept {
  if (!impl_) return 0;
  return impl_->generation(person_key).load(std::memory_order_acquire);
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

Expected<std::vector<std::optional<std::string>>> Store::get_many(Column c, std::span<const std::string_view> keys) const {
  if (!impl_ || impl_->closed) return fail("store is closed");
  // MultiGet wants the keys in the column family's order (bytewise, as string_view compares) and
  // otherwise sorts them itself through its comparator objects, at about twice the cost of this.
  std::vector<std::uint32_t> order(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
  if (!std::is_sorted(keys.begin(), keys.end())) {
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return keys[a] < keys[b]; });
  }
  std::vector<rocksdb::Slice> slices;
  slices.reserve(keys.size());
  for (const std::uint32_t i : order) slices.emplace_back(keys[i].data(), keys[i].size());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  impl_->db->MultiGet(rocksdb::ReadOptions(), impl_->cf(c), keys.size(), slices.data(), values.data(), statuses.data(),
                      /*sorted_input=*/true);
  std::vector<std::optional<std::string>> out(keys.size());
  for (std::size_t j = 0; j < keys.size(); ++j) {
    if (statuses[j].IsNotFound()) continue;
    if (!statuses[j].ok()) return fail(fmt::format("read failed: {}", statuses[j].ToString()));
    out[order[j]].emplace(values[j].data(), values[j].size());
  }
  return out;
}

Expected<std::vector<std::pair<std::string, std::string>>> Store::scan_prefix(Column c, std::string_view prefix,
                                                                                std::size_t limit) const {
  if (!impl_ || impl_->closed) return fail("store is closed");
  std::vector<std::pair<std::string, std::string>> out;
  const std::string end = prefix_end(prefix);
  rocksdb::Slice end_slice;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(prefix_read_options(end, end_slice), impl_->cf(c)));
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
  const std::string end = prefix_end(prefix);
  rocksdb::Slice end_slice;
  rocksdb::ReadOptions ro = prefix_read_options(end, end_slice);
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

Status Store::visit_prefix(Column c, std::string_view prefix,
                           const std::function<bool(std::string_view, std::string_view)>& visit) const {
  if (!impl_ || impl_->closed) return fail("store is closed");
  const std::string end = prefix_end(prefix);
  rocksdb::Slice end_slice;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(prefix_read_options(end, end_slice), impl_->cf(c)));
  const rocksdb::Slice p(prefix.data(), prefix.size());
  for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
    if (!visit(std::string_view(it->key().data(), it->key().size()),
               std::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  if (!it->status().ok()) return fail(fmt::format("scan failed: {}", it->status().ToString()));
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

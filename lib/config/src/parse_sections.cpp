// Readers for the service sections: who we are, where we listen, where we store, whom we call.
#include "bokade/config/config.hpp"
#include "reader.hpp"
#include "sections.hpp"

namespace bokade::config::detail {
namespace {

void read_identity(TableReader& root, Identity& out) {
  auto t = root.sub_table("identity");
  if (!t) return;
  t->read("hsa_id", out.hsa_id);
  t->read("logical_address", out.logical_address);
  t->finish();
}

void read_server_tls(TableReader& parent, ServerTls& out) {
  auto t = parent.sub_table("tls");
  if (!t) return;
  t->read("enabled", out.enabled);
  t->read("certificate", out.certificate);
  t->read("private_key", out.private_key);
  t->read("client_ca", out.client_ca);
  t->read("allowed_consumers", out.allowed_consumers);
  t->finish();
}

void read_listen(TableReader& root, Listen& out) {
  auto t = root.sub_table("listen");
  if (!t) return;
  if (auto q = t->sub_table("query")) {
    q->read("address", out.query.address);
    q->read_int("port", out.query.port);
    read_server_tls(*q, out.query.tls);
    q->read_int("max_connections", out.query.max_connections);
    q->read_duration("request_timeout", out.query.request_timeout);
    q->read_size("max_body", out.query.max_body);
    q->read_size("max_header", out.query.max_header);
    q->finish();
  }
  if (auto a = t->sub_table("admin")) {
    a->read("address", out.admin.address);
    a->read_int("port", out.admin.port);
    read_server_tls(*a, out.admin.tls);
    a->finish();
  }
  t->finish();
}

void read_storage(TableReader& root, Storage& out) {
  auto t = root.sub_table("storage");
  if (!t) return;
  t->read("data_dir", out.data_dir);
  t->read_size("block_cache", out.block_cache);
  t->read("sync_writes", out.sync_writes);
  t->finish();
}

void read_logging(TableReader& root, Logging& out) {
  auto t = root.sub_table("logging");
  if (!t) return;
  std::string level;
  if (t->read("level", level)) {
    bool found = false;
    for (const auto candidate : {LogLevel::trace, LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error}) {
      if (to_string(candidate) == level) {
        out.level = candidate;
        found = true;
      }
    }
    if (!found) {
      t->error("level", *t->find("level"),
               fmt::format("must be one of trace, debug, info, warn, error (got \"{}\")", level));
    }
  }
  t->read("person_hash_key", out.person_hash_key);
  t->finish();
}

void read_engagement_index(TableReader& root, EngagementIndex& out) {
  auto t = root.sub_table("engagement_index");
  if (!t) return;
  t->read("find_content_url", out.find_content_url);
  t->read("logical_address", out.logical_address);
  t->read_int("notification_max_transactions", out.notification_max_transactions);
  t->read_duration("poll_interval", out.poll_interval);
  t->read("poll_jitter", out.poll_jitter);
  t->read("max_calls_per_second", out.max_calls_per_second);
  t->read_duration("watch_expiry", out.watch_expiry);
  t->finish();
}

void read_vp(TableReader& root, Vp& out) {
  auto t = root.sub_table("vp");
  if (!t) return;
  t->read("url", out.url);
  t->read("direct_routing", out.direct_routing);
  t->read_duration("connect_timeout", out.connect_timeout);
  t->read_duration("call_timeout", out.call_timeout);
  t->read_duration("refresh_deadline", out.refresh_deadline);
  t->read_int("pool_size", out.pool_size);
  if (auto tls = t->sub_table("tls")) {
    tls->read("certificate", out.tls.certificate);
    tls->read("private_key", out.tls.private_key);
    tls->read("ca", out.tls.ca);
    tls->finish();
  }
  t->finish();
}

void read_tak(TableReader& root, Tak& out) {
  auto t = root.sub_table("tak");
  if (!t) return;
  t->read("source", out.source);
  t->read_duration("reload_interval", out.reload_interval);
  t->read_duration("fetch_timeout", out.fetch_timeout);
  t->read("cache_file", out.cache_file);
  t->finish();
}

void read_refresh(TableReader& root, Refresh& out) {
  auto t = root.sub_table("refresh");
  if (!t) return;
  t->read_int("max_concurrency", out.max_concurrency);
  t->read_int("retries", out.retries);
  t->read_duration("backoff_initial", out.backoff_initial);
  t->read_duration("backoff_max", out.backoff_max);
  t->read_int("breaker_failures", out.breaker_failures);
  t->read_duration("breaker_open_for", out.breaker_open_for);
  t->read("breaker_max_open_share", out.breaker_max_open_share);
  t->read_duration("freshness", out.freshness);
  t->read_duration("query_wait", out.query_wait);
  t->read_duration("query_wait_max", out.query_wait_max);
  t->read_int("view_cache_entries", out.view_cache_entries);
  t->read_duration("view_cache_ttl", out.view_cache_ttl);
  t->finish();
}

void read_retention(TableReader& root, Retention& out) {
  auto t = root.sub_table("retention");
  if (!t) return;
  t->read_duration("appointment_grace", out.appointment_grace);
  t->read_duration("purge_interval", out.purge_interval);
  t->finish();
}

}  // namespace

void read_service_sections(TableReader& root, Config& config) {
  read_identity(root, config.identity);
  read_listen(root, config.listen);
  read_storage(root, config.storage);
  read_logging(root, config.logging);
  read_engagement_index(root, config.engagement_index);
  read_vp(root, config.vp);
  read_tak(root, config.tak);
  read_refresh(root, config.refresh);
  read_retention(root, config.retention);
}

}  // namespace bokade::config::detail

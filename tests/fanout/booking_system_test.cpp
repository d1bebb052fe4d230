// Which booking system an address belongs to, as the Refresher decides it for its per-system limits: from
// the person's own engagements there, else from what engagements of anyone at that address said (learnt
// from notifications and from the store at start), mapped through the configured booking systems.

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

#include "bokade/config/config.hpp"
#include "bokade/ei/engagement_apply.hpp"
#include "bokade/fanout/refresher.hpp"
#include "bokade/net/http_client.hpp"
#include "engagement_data.hpp"
#include "process.hpp"

using namespace bokade;

namespace {

config::Config two_systems() {
  config::Config c;
  config::BookingSystem cosmic;
  cosmic.name = "Cosmic";
  cosmic.source_systems = {"SE2321000016-COSMIC"};
  config::BookingSystem takecare;
  takecare.name = "TakeCare";
  takecare.source_systems = {"SE2321000016-A2BF"};
  c.booking_systems = {cosmic, takecare};
  return c;
}

}  // namespace

TEST_CASE("an address reached only through a relation is throttled as the booking system its engagements name") {
  test::TempDir dir;
  auto s = std::move(*store::Store::open(dir.path(), {}));
  store::WriteQueue q(*s, 16);
  boost::asio::io_context ioc;
  auto client = *net::HttpClient::create(ioc.get_executor(), {});
  const auto cfg = two_systems();
  fanout::Refresher refresher(ioc.get_executor(), client, nullptr, *s, q, cfg, nullptr);

  const auto indexed = *PersonId::parse(test::personnummer(1));
  const auto related = *PersonId::parse(test::personnummer(2));
  // Person 1 has an engagement at the clinic (sourceSystem SE2321000016-COSMIC); person 2 only a relation.
  store::Batch batch;
  ei::ApplySummary summary;
  const std::vector<rivta::EngagementTransaction> txs{test::booking(indexed.str(), "SE2321000016-AAAA", "b1")};
  REQUIRE(ei::apply_transactions(*s, batch, txs, *parse_rivta_time("20261122120000"), summary));
  REQUIRE(s->write(batch));

  // The person's own engagement decides.
  CHECK(refresher.booking_system_for(indexed, "SE2321000016-AAAA") == "Cosmic");
  CHECK(refresher.booking_system_for(indexed, "se2321000016-aaaa") == "Cosmic");  // HSA-ids ignore case
  // Someone without an engagement there: unknown until learnt, then the learnt system.
  CHECK(refresher.booking_system_for(related, "SE2321000016-AAAA") == "other");
  REQUIRE(refresher.learn_from_store());
  CHECK(refresher.booking_system_for(related, "SE2321000016-AAAA") == "Cosmic");

  // Learnt from a notification: a TakeCare clinic nobody in the store has an engagement at.
  CHECK(refresher.booking_system_for(related, "SE2321000016-BBBB") == "other");
  refresher.learn("SE2321000016-BBBB", "SE2321000016-A2BF");
  CHECK(refresher.booking_system_for(related, "SE2321000016-BBBB") == "TakeCare");
  // A source system no booking system lists stays "other".
  refresher.learn("SE2321000016-CCCC", "SE2321000016-UNKNOWN");
  CHECK(refresher.booking_system_for(related, "SE2321000016-CCCC") == "other");
}

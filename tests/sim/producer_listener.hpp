#pragma once
// One booking system's own HTTP listener (POST /producer/<system id>), the address TAK's vägval
// points at for direct routing. Unlike the shared listener it misbehaves at the socket level as the
// system's fault mode says: it holds connections (timeout), is closed (refused), resets mid-body,
// drips. Everything of one listener runs on one strand.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "bokade/core/expected.hpp"
#include "producer.hpp"

namespace bokade::sim {

class ProducerListener {
 public:
  ProducerListener(boost::asio::io_context& ioc, Producers& producers, std::size_t system, std::string path,
                   std::string address);
  ~ProducerListener();
  ProducerListener(const ProducerListener&) = delete;
  ProducerListener& operator=(const ProducerListener&) = delete;

  // Binds a free port (first call) or the same port again (after close()), and accepts.
  Status open();
  // Closes the listener and every connection: new connections are refused. Thread-safe; the
  // blocking forms are for threads that do not run the io_context, the awaitable ones for handlers.
  void close();
  boost::asio::awaitable<Status> open_async();
  boost::asio::awaitable<void> close_async();
  [[nodiscard]] bool is_open() const noexcept;
  [[nodiscard]] std::uint16_t port() const noexcept;
  [[nodiscard]] const std::string& path() const noexcept;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bokade::sim

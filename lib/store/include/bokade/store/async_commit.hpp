#pragma once
// Submitting a WriteQueue job from a coroutine: resumes the caller (on its own executor) once the
// job's group is durable. Completion: (the job's status, whether the queue accepted it at all).

#include <memory>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>

#include "bokade/store/write_queue.hpp"

namespace bokade::store {

template <class Token>
auto async_commit(WriteQueue& queue, WriteQueue::Job job, Token&& token,
                  WriteQueue::Admission admission = WriteQueue::Admission::may_refuse) {
  namespace asio = boost::asio;
  return asio::async_initiate<Token, void(Status, bool)>(
      [&queue, admission](auto handler, WriteQueue::Job j) {
        auto executor = asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        const bool accepted = queue.submit(std::move(j), [shared, executor](Status st) {
          asio::post(executor, [shared, st = std::move(st)]() mutable { (*shared)(std::move(st), true); });
        }, admission);
        if (!accepted) asio::post(executor, [shared]() mutable { (*shared)(Status{}, false); });
      },
      token, std::move(job));
}

}  // namespace bokade::store

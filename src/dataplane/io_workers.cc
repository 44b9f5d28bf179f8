#include "dataplane/io_workers.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <future>

namespace openalb {

void RunOnAndWait(boost::asio::io_context& io, const std::function<void()>& work,
                  std::chrono::milliseconds bound) {
  if (io.get_executor().running_in_this_thread() || io.stopped()) return work();
  auto ran = std::make_shared<std::promise<void>>();
  auto done = ran->get_future();
  boost::asio::post(io, [work, ran] {
    work();
    ran->set_value();
  });
  done.wait_for(bound);
}

IoWorkers::IoWorkers(int threads) {
  const int count = std::max(1, threads);
  for (int i = 0; i < count; ++i) {
    contexts_.push_back(std::make_unique<Context>(1));
    sweepers_.push_back(std::make_unique<DeadlineSweeper>(*contexts_.back()));
    guards_.emplace_back(contexts_.back()->get_executor());
  }
  for (auto& context : contexts_) {
    threads_.emplace_back([io = context.get()] { io->run(); });
  }
}

IoWorkers::~IoWorkers() {
  Stop();
  for (auto& context : contexts_) context->shutdown();
}

IoWorkers::Worker IoWorkers::Next() {
  const size_t i = next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size();
  return {*contexts_[i], *sweepers_[i]};
}

void IoWorkers::Stop() {
  for (auto& guard : guards_) guard.reset();
  for (auto& context : contexts_) context->stop();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
  for (auto& sweeper : sweepers_) sweeper->Stop();
}

}  // namespace openalb

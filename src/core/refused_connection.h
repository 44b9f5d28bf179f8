// AnswerAndClose: how an endpoint turns away a connection it will not serve (over a connection
// limit), shared by the OpenAPI port and the listener ports. The client has usually sent its
// request already: that is read and dropped first (closing with unread bytes would reset the
// connection and destroy the answer before the client reads it), then the answer goes out in
// one non-blocking write, and the connection is closed. Nothing waits: a flood costs no more.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/system/error_code.hpp>

#include <array>
#include <string_view>

namespace openalb {

template <typename Socket>
void AnswerAndClose(Socket& socket, std::string_view answer) {
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  std::array<char, 4096> sink;
  for (int i = 0; i < 4 && !ec; ++i) socket.receive(boost::asio::buffer(sink), 0, ec);
  socket.send(boost::asio::buffer(answer.data(), answer.size()), 0, ec);
  socket.shutdown(boost::asio::socket_base::shutdown_send, ec);
  socket.close(ec);
}

}  // namespace openalb

// A cpp-httplib server whose connections do fewer system calls.
//
// cpp-httplib 0.11.4 (Debian 12) polls before every read and twice before
// every write (one of them with a MSG_PEEK recv), asks for both socket
// addresses on every request, and sends a response's headers and body as two
// segments: ~11.5 system calls a request (strace -c, /m/lookup under wrk),
// where one recv and one send do the job. LeanServer keeps cpp-httplib's
// parsing, routing and limits (it calls the library's own process_request)
// and replaces only the connection loop and its stream: reads are buffered
// and poll only when no data is waiting, a response is sent in one send,
// and the addresses are read once a connection. Plain HTTP only:
// httplib::SSLServer keeps the library's loop.
#pragma once

#include <httplib.h>

namespace needle::serve {

class LeanServer : public httplib::Server {
 private:
  // Called by httplib::Server's accept loop (virtual in the base class),
  // on a worker thread, once per accepted connection.
  bool process_and_close_socket(socket_t sock) override;
};

}  // namespace needle::serve

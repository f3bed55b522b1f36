// GNU libmicrohttpd answering every GET with "I-AM-ALIVE": internal epoll
// thread pool of 2. Usage: mhd_hello PORT
#include <microhttpd.h>
#include <unistd.h>

#include <cstdlib>

static MHD_Result Answer(void*, MHD_Connection* c, const char*, const char*, const char*, const char*, size_t*,
                         void**) {
  static const char kBody[] = "I-AM-ALIVE";
  MHD_Response* r = MHD_create_response_from_buffer(sizeof kBody - 1, const_cast<char*>(kBody), MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(r, "Content-Type", "text/plain");
  const MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return ok;
}

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  MHD_Daemon* d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD, static_cast<uint16_t>(std::atoi(argv[1])), nullptr,
                                   nullptr, &Answer, nullptr, MHD_OPTION_THREAD_POOL_SIZE, 2u, MHD_OPTION_END);
  if (!d) return 1;
  pause();
}

/* The anatomy of one handshake: the messages the library's callback
 * reported, named, timed from the start of connect(), with the round
 * trips the client waited before it could send data. */
#include <linux/tcp.h> /* tcp_info with the data segment counts */
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "handshake.h"
#include "hb/clock.h"

#define HT_CCS 20
#define HT_ALERT 21
#define HT_HANDSHAKE 22

static void ht_flight(hs_trace *t, int sent, int content_type);

void hs_trace_msg(void *arg, int sent, int content_type, int hs_type,
                  size_t len)
{
  hs_trace *t = arg;
  hs_msg *m;

  if(t->n >= HS_MAX_MSGS) {
    t->dropped++;
    ht_flight(t, sent, content_type);
    return;
  }
  m = &t->msgs[t->n++];
  m->t_ns = hb_now_ns() - t->t0;
  m->sent = sent;
  m->content_type = content_type;
  m->hs_type = hs_type;
  m->len = len;
  m->in_handshake = !t->hs_done;
  ht_flight(t, sent, content_type);
}

static const char *ht_type_name(int type)
{
  switch(type) {
  case 0: return "HelloRequest";
  case 1: return "ClientHello";
  case 2: return "ServerHello";
  case 4: return "NewSessionTicket";
  case 5: return "EndOfEarlyData";
  case 8: return "EncryptedExtensions";
  case 11: return "Certificate";
  case 12: return "ServerKeyExchange";
  case 13: return "CertificateRequest";
  case 14: return "ServerHelloDone";
  case 15: return "CertificateVerify";
  case 16: return "ClientKeyExchange";
  case 20: return "Finished";
  case 22: return "CertificateStatus";
  case 24: return "KeyUpdate";
  case 254: return "MessageHash";
  default: return "UnknownHandshake";
  }
}

/* What the kernel sent and received on fd so far, and the segments
 * that carried data (Linux 4.19+); 0 when it does not say. */
static int ht_tcp(int fd, uint64_t *in, uint64_t *out, uint32_t *segs_in,
                  uint32_t *segs_out)
{
  struct tcp_info ti;
  socklen_t len = sizeof(ti);

  memset(&ti, 0, sizeof(ti));
  if(fd < 0 || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) ||
     len < offsetof(struct tcp_info, tcpi_bytes_sent) +
           sizeof(ti.tcpi_bytes_sent))
    return 0;
  *in = ti.tcpi_bytes_received;
  *out = ti.tcpi_bytes_sent;
  *segs_in = ti.tcpi_data_segs_in;
  *segs_out = ti.tcpi_data_segs_out;
  return 1;
}

/* A message went by (sent: 1 ours): moves the first-flight marks. The
 * server's flight is what the kernel had received at the last message
 * of it the library processed (a library may report its own next
 * message late, after the server's tickets came in). */
static void ht_flight(hs_trace *t, int sent, int content_type)
{
  uint64_t in = 0, out = 0;
  uint32_t sin = 0, sout = 0;
  int ok;

  if(t->hs_done || t->fd < 0 || t->ff_state == 2)
    return;
  if(!sent) {
    ok = ht_tcp(t->fd, &in, &out, &sin, &sout);
    if(t->ff_state == 0) {
      t->ff_ok = ok;
      t->ff_out_bytes = out;
      t->ff_out_segs = sout;
      t->ff_state = 1;
    }
    t->ff_ok &= ok;
    t->ff_in_bytes = in;
    t->ff_in_segs = sin;
  }
  /* a handshake message, not the middlebox ChangeCipherSpec some
   * clients send as soon as the ServerHello is in */
  else if(t->ff_state == 1 && content_type == HT_HANDSHAKE)
    t->ff_state = 2;
}

void hs_trace_flight_end(hs_trace *t)
{
  ht_flight(t, 1, HT_HANDSHAKE);
}

/* The first ClientHello's length (handshake message with its header),
 * or 0 when the trace has none. */
static size_t ht_client_hello(const hs_trace *t)
{
  int i;

  for(i = 0; i < t->n; i++)
    if(t->msgs[i].sent && t->msgs[i].content_type == HT_HANDSHAKE &&
       t->msgs[i].hs_type == 1)
      return t->msgs[i].len;
  return 0;
}

static int ht_hrr(const hs_trace *t)
{
  int i;

  for(i = 0; i < t->n; i++)
    if(!strcmp(hs_msg_name(t, i), "HelloRetryRequest"))
      return 1;
  return 0;
}

const char *hs_msg_name(const hs_trace *t, int i)
{
  const hs_msg *m = &t->msgs[i];
  int j;

  if(m->content_type == HT_CCS)
    return "ChangeCipherSpec";
  if(m->content_type == HT_ALERT)
    return "Alert";
  if(m->content_type != HT_HANDSHAKE)
    return "Unknown";
  /* TLS 1.3 sends HelloRetryRequest as a ServerHello; a second
   * ClientHello after it is what gives it away */
  if(m->hs_type == 2 && !m->sent)
    for(j = i + 1; j < t->n; j++)
      if(t->msgs[j].sent && t->msgs[j].content_type == HT_HANDSHAKE &&
         t->msgs[j].hs_type == 1)
        return "HelloRetryRequest";
  return ht_type_name(m->hs_type);
}

int hs_round_trips(const hs_trace *t)
{
  int i, runs = 0, in_run = 0;

  /* only handshake messages: a TLS 1.3 client may send its middlebox
   * ChangeCipherSpec before the server's flight is complete */
  for(i = 0; i < t->n && t->msgs[i].in_handshake; i++) {
    if(t->msgs[i].content_type != HT_HANDSHAKE)
      continue;
    if(t->msgs[i].sent)
      in_run = 0;
    else if(!in_run) {
      in_run = 1;
      runs++;
    }
  }
  return runs;
}

const char *hs_version_name(int version, char *buf, size_t size)
{
  if(version == HB_TLS_1_3)
    snprintf(buf, size, "TLSv1.3");
  else if(version == HB_TLS_1_2)
    snprintf(buf, size, "TLSv1.2");
  else if(version == 0)
    snprintf(buf, size, "none");
  else
    snprintf(buf, size, "0x%04x", (unsigned)version);
  return buf;
}

/* The request went out with the ClientHello and the server took it: no
 * round trip before data. */
static int hs_zero_rtt(const hs_conn *r)
{
  return r->early_sent && r->info.early_data == HB_EARLY_ACCEPTED;
}

static const char *hs_early_name(const hs_conn *r)
{
  if(!r->early_sent)
    return "none";
  return hs_zero_rtt(r) ? "accepted" : "rejected";
}

json_t *hs_trace_json(const hs_trace *t, const hs_conn *r)
{
  json_t *j = json_object(), *msgs = json_array();
  char ver[16];
  int i;

  for(i = 0; i < t->n; i++) {
    const hs_msg *m = &t->msgs[i];
    json_t *o = json_object();

    json_object_set_new(o, "t_ns", json_integer((json_int_t)m->t_ns));
    json_object_set_new(o, "direction",
                        json_string(m->sent ? "sent" : "received"));
    json_object_set_new(o, "content_type", json_integer(m->content_type));
    json_object_set_new(o, "handshake_type", m->hs_type >= 0 ?
                        json_integer(m->hs_type) : json_null());
    json_object_set_new(o, "name", json_string(hs_msg_name(t, i)));
    json_object_set_new(o, "length", json_integer((json_int_t)m->len));
    json_object_set_new(o, "during_handshake",
                        json_boolean(m->in_handshake));
    json_array_append_new(msgs, o);
  }
  json_object_set_new(j, "supported", json_true());
  json_object_set_new(j, "version", json_string(
                      hs_version_name(r->info.version, ver, sizeof(ver))));
  json_object_set_new(j, "cipher", json_string(r->info.cipher));
  json_object_set_new(j, "resumed", json_boolean(r->info.resumed));
  json_object_set_new(j, "offered", json_boolean(r->offered));
  json_object_set_new(j, "round_trips", json_integer(hs_zero_rtt(r) ? 0
                      : hs_round_trips(t)));
  json_object_set_new(j, "early_data", json_string(hs_early_name(r)));
  json_object_set_new(j, "handshake_bytes_sent",
                      json_integer((json_int_t)r->info.bytes_out));
  json_object_set_new(j, "handshake_bytes_received",
                      json_integer((json_int_t)r->info.bytes_in));
  json_object_set_new(j, "handshake_us", json_real(r->ns[HS_TLS] / 1e3));
  json_object_set_new(j, "client_hello_bytes", ht_client_hello(t) ?
                      json_integer((json_int_t)ht_client_hello(t)) :
                      json_null());
  json_object_set_new(j, "hello_retry_request", json_boolean(ht_hrr(t)));
  json_object_set_new(j, "first_flight", t->ff_state == 2 && t->ff_ok ?
                      json_pack(
    "{s:I, s:o, s:I, s:o}",
    "client_bytes", (json_int_t)t->ff_out_bytes,
    "client_segments", t->ff_ok ? json_integer(t->ff_out_segs)
                                  : json_null(),
    "server_bytes", (json_int_t)(t->ff_in_bytes),
    "server_segments", t->ff_ok ? json_integer(t->ff_in_segs)
                                  : json_null()) : json_null());
  json_object_set_new(j, "messages", msgs);
  json_object_set_new(j, "messages_dropped", json_integer(t->dropped));
  return j;
}

void hs_trace_print(const hs_trace *t, const hs_conn *r)
{
  char ver[16];
  int i, rt = hs_zero_rtt(r) ? 0 : hs_round_trips(t), done = 0;

  printf("traced handshake: %s %s, %s%s; %d round trip%s before data; "
         "%llu bytes sent, %llu received\n",
         hs_version_name(r->info.version, ver, sizeof(ver)),
         r->info.cipher, r->info.resumed ? "resumed" : "full",
         !r->early_sent ? "" : hs_zero_rtt(r) ? ", request sent as 0-RTT "
         "early data" : ", early data rejected (request sent again)", rt,
         rt == 1 ? "" : "s", (unsigned long long)r->info.bytes_out,
         (unsigned long long)r->info.bytes_in);
  printf("  ClientHello %zu bytes%s", ht_client_hello(t),
         ht_hrr(t) ? ", HelloRetryRequest" : "");
  if(t->ff_state == 2 && t->ff_ok)
    printf("; first flight: client %llu bytes in %u TCP segment%s, server "
           "%llu bytes in %u", (unsigned long long)t->ff_out_bytes,
           t->ff_out_segs, t->ff_out_segs == 1 ? "" : "s",
           (unsigned long long)t->ff_in_bytes, t->ff_in_segs);
  printf("\n");
  for(i = 0; i < t->n; i++) {
    const hs_msg *m = &t->msgs[i];

    if(!m->in_handshake && !done) {
      printf("  %10s  -- handshake complete --\n", "");
      done = 1;
    }
    printf("  %10.1f us  %s  %-20s %6zu bytes\n", m->t_ns / 1e3,
           m->sent ? "->" : "<-", hs_msg_name(t, i), m->len);
  }
  if(t->dropped)
    printf("  (%d more messages not kept)\n", t->dropped);
}

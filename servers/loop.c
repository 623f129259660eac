/* A worker: its epoll set, its listener, accepting, and the timeouts of
 * its connections.
 *
 * Timeouts need no heap: a connection's stamp only ever moves to "now",
 * so keeping each list in stamp order is a move to the tail, and expiry is
 * a look at the head. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hb/alloc.h"
#include "hb/clock.h"
#include "server.h"

#define LOOP_EVENTS 256
#define LOOP_ACCEPTS 64          /* per wake-up, so others get a turn */
#define LOOP_PAUSE_NS 100000000u /* listener rest after EMFILE */
#define LOOP_MAX_WAIT_MS 1000

/* epoll_data tags for what is not a connection */
static char loop_tag_listen, loop_tag_stop;

/* ---- timer lists ---- */

void srv_timer_unlink(srv_conn *c)
{
  srv_worker *w = c->w;

  if(c->list < 0)
    return;
  if(c->prev)
    c->prev->next = c->next;
  else
    w->head[c->list] = c->next;
  if(c->next)
    c->next->prev = c->prev;
  else
    w->tail[c->list] = c->prev;
  c->prev = c->next = NULL;
  c->list = -1;
}

void srv_timer_list(srv_conn *c, int list)
{
  srv_worker *w = c->w;

  srv_timer_unlink(c);
  c->list = list;
  c->stamp = w->now;
  c->prev = w->tail[list];
  c->next = NULL;
  if(w->tail[list])
    w->tail[list]->next = c;
  else
    w->head[list] = c;
  w->tail[list] = c;
}

void srv_touch(srv_conn *c)
{
  /* stamped this round already: still in order (the common case) */
  if(c->stamp == c->w->now)
    return;
  srv_timer_list(c, c->list);
}

static uint64_t loop_timeout_ns(const srv_worker *w, int list)
{
  return list == LIST_IDLE ? w->s->idle_ns : w->s->linger_ns;
}

static void loop_expire(srv_worker *w)
{
  int l;

  for(l = 0; l < LIST_COUNT; l++) {
    uint64_t t = loop_timeout_ns(w, l);
    while(w->head[l] && w->head[l]->stamp + t <= w->now)
      srv_conn_timeout(w->head[l]);
  }
}

/* Milliseconds until the next deadline, within [1, LOOP_MAX_WAIT_MS]. */
static int loop_wait_ms(const srv_worker *w)
{
  uint64_t next = w->now + (uint64_t)LOOP_MAX_WAIT_MS * 1000000u;
  int l;

  for(l = 0; l < LIST_COUNT; l++)
    if(w->head[l] && w->head[l]->stamp + loop_timeout_ns(w, l) < next)
      next = w->head[l]->stamp + loop_timeout_ns(w, l);
  if(!w->listening && w->listen_resume < next)
    next = w->listen_resume;
  if(next <= w->now)
    return 1;
  return (int)((next - w->now + 999999u) / 1000000u);
}

/* A connection joins the epoll set only once it has to wait: one served
 * and closed straight after accept never costs an epoll_ctl. */
void srv_set_events(srv_conn *c, uint32_t events)
{
  struct epoll_event ev;

  if(c->armed == events)
    return;
  ev.events = events;
  ev.data.ptr = c;
  if(epoll_ctl(c->w->ep, c->armed ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd,
               &ev) == 0)
    c->armed = events;
  else
    srv_count(c->w, SRV_ERR_OOM, "epoll_ctl failed; the timeout will "
              "close the connection");
}

/* ---- response buffers, recycled per worker ---- */

char *srv_obuf_get(srv_worker *w)
{
  char *b = w->free_obufs;

  if(!b)
    return hb_malloc(SRV_OBUF);
  memcpy(&w->free_obufs, b, sizeof(char *));
  w->nfree_obufs--;
  return b;
}

void srv_obuf_put(srv_worker *w, char *b)
{
  if(w->nfree_obufs >= 256) {
    free(b);
    return;
  }
  memcpy(b, &w->free_obufs, sizeof(char *));
  w->free_obufs = b;
  w->nfree_obufs++;
}

/* ---- listener ---- */

static int loop_listen_on(srv_worker *w, int on)
{
  struct epoll_event ev;

  ev.events = EPOLLIN;
  ev.data.ptr = &loop_tag_listen;
  if(epoll_ctl(w->ep, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, w->lfd, &ev))
    return -1;
  w->listening = on;
  return 0;
}

static void loop_accept(srv_worker *w)
{
  srv *s = w->s;
  int i;

  for(i = 0; i < LOOP_ACCEPTS; i++) {
    int fd = accept4(w->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

    if(fd < 0) {
      if(errno == EAGAIN || errno == EWOULDBLOCK)
        return;
      if(errno == EINTR || errno == ECONNABORTED)
        continue;
      if(errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
         errno == ENOMEM) {
        /* the connection waits in the backlog; rest, then retry */
        srv_count(w, SRV_ERR_EMFILE, strerror(errno));
        if(!loop_listen_on(w, 0))
          w->listen_resume = w->now + LOOP_PAUSE_NS;
        return;
      }
      srv_count(w, SRV_ERR_ACCEPT, strerror(errno));
      return;
    }
    if(atomic_fetch_add(&s->live, 1) >= s->max_conns) {
      atomic_fetch_sub(&s->live, 1);
      srv_count(w, SRV_ERR_MAX_CONNS, "over --max-conns: closed at once");
      close(fd);
      continue;
    }
    srv_conn_start(w, fd);
  }
}

/* ---- the worker ---- */

int srv_worker_init(srv *s, srv_worker *w, int id, int lfd)
{
  struct epoll_event ev;

  memset(w, 0, sizeof(*w));
  w->s = s;
  w->id = id;
  w->lfd = lfd;
  w->now = hb_now_ns();
  w->ep = epoll_create1(EPOLL_CLOEXEC);
  if(w->ep < 0)
    return -1;
  ev.events = EPOLLIN;
  ev.data.ptr = &loop_tag_stop;
  if(epoll_ctl(w->ep, EPOLL_CTL_ADD, s->stopfd, &ev) ||
     loop_listen_on(w, 1))
    return -1;
  return 0;
}

void *srv_worker_run(void *arg)
{
  srv_worker *w = arg;
  struct epoll_event *evs = malloc(LOOP_EVENTS * sizeof(*evs));
  int stop = 0;

  if(!evs) {
    srv_count(w, SRV_ERR_OOM, "event array");
    srv_stop_all(w->s);
    return NULL;
  }
  while(!stop) {
    int n = epoll_wait(w->ep, evs, LOOP_EVENTS, loop_wait_ms(w)), i;

    w->now = hb_now_ns();
    if(n < 0) {
      if(errno == EINTR)
        continue;
      srv_count(w, SRV_ERR_ACCEPT, strerror(errno));
      srv_stop_all(w->s);
      break;
    }
    for(i = 0; i < n; i++) {
      void *p = evs[i].data.ptr;
      if(p == &loop_tag_stop)
        stop = 1;
      else if(p == &loop_tag_listen)
        loop_accept(w);
      else
        srv_conn_event(p, evs[i].events);
    }
    loop_expire(w);
    if(!w->listening && w->now >= w->listen_resume)
      loop_listen_on(w, 1);
  }
  free(evs);
  return NULL;
}

/* Closes everything the worker holds; the thread has ended. */
void srv_worker_free(srv_worker *w)
{
  int l;

  for(l = 0; l < LIST_COUNT; l++)
    while(w->head[l])
      srv_conn_close(w->head[l]);
  while(w->free_conns) {
    srv_conn *c = w->free_conns;
    w->free_conns = c->next;
    free(c);
  }
  while(w->free_obufs) {
    char *b = w->free_obufs;
    memcpy(&w->free_obufs, b, sizeof(char *));
    free(b);
  }
  if(w->ep >= 0)
    close(w->ep);
  if(w->lfd >= 0)
    close(w->lfd);
  w->ep = w->lfd = -1;
}

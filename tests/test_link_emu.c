/* The link emulator's packet path without devices or root: loss
 * statistics (Bernoulli, Gilbert-Elliott), rate pacing, drop-tail
 * queue, delay and jitter bounds, no reordering unless asked; and the
 * option parser the front end will share. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "emu.h"
#include "link_opts.h"

#define MS 1000000ull

static void drain(struct emu_dir *d)
{
  struct emu_pkt *p;

  while((p = emu_dir_pop(d, UINT64_MAX))) {
    emu_dir_delivered(d, p, p->due, 1);
    free(p);
  }
}

/* 500 runs of 10,000 packets at 5%: about 95% of the drop counts land
 * in the binomial 95% interval (475 +- 3.5 sd of a binomial(500, 0.95)
 * accepted), and their spread is the binomial one. */
static void test_bernoulli(void)
{
  struct hb_link_dir c;
  unsigned char b[100] = { 0 };
  double sum = 0, sum2 = 0, sd;
  int inside = 0, s, i;

  memset(&c, 0, sizeof(c));
  c.loss_pct = 5;
  c.queue_pkts = 1000;
  for(s = 0; s < 500; s++) {
    struct emu_dir d;
    double x;
    CHECK(emu_dir_init(&d, &c, (uint64_t)s * 7919 + 1, 0) == 0, "init");
    for(i = 0; i < 10000; i++) {
      emu_dir_push(&d, b, sizeof(b), 1);
      drain(&d);
    }
    x = (double)d.st.drop_loss;
    CHECK(d.st.pkts_out + d.st.drop_loss == 10000, "every packet counted");
    sum += x;
    sum2 += x * x;
    inside += x >= 457 && x <= 543;
    emu_dir_free(&d);
  }
  sd = sqrt(sum2 / 500 - (sum / 500) * (sum / 500));
  CHECK(inside >= 458 && inside <= 492, "%d of 500 inside", inside);
  CHECK(fabs(sum / 500 - 500) < 4, "mean %.2f", sum / 500);
  CHECK(fabs(sd - 21.79) < 2.5, "sd %.2f (binomial 21.79)", sd);
}

/* p = 1%, r = 20%: mean loss 1/21, mean burst 1/r = 5 packets. */
static void test_gilbert_elliott(void)
{
  struct hb_link_dir c;
  struct emu_dir d;
  unsigned char b[100] = { 0 };
  uint64_t prev = 0;
  long bursts = 0, n = 1000000, i, last_lost = -2;
  double mean;

  memset(&c, 0, sizeof(c));
  c.ge = 1;
  c.ge_p = 1;
  c.ge_r = 20;
  c.ge_bad = 100;
  c.queue_pkts = 1000;
  CHECK(emu_dir_init(&d, &c, 42, 0) == 0, "init");
  for(i = 0; i < n; i++) {
    emu_dir_push(&d, b, sizeof(b), 1);
    if(d.st.drop_loss > prev) { /* a new burst if the one before passed */
      if(last_lost != i - 1)
        bursts++;
      last_lost = i;
    }
    prev = d.st.drop_loss;
    drain(&d);
  }
  mean = (double)d.st.drop_loss / (double)n;
  CHECK(fabs(mean - 1.0 / 21) < 0.003, "mean loss %.4f (want %.4f)", mean,
        1.0 / 21);
  CHECK(fabs((double)d.st.drop_loss / (double)bursts - 5) < 0.3,
        "mean burst %.2f packets (want 5)",
        (double)d.st.drop_loss / (double)bursts);
  emu_dir_free(&d);
}

/* 10 Mbit/s: a 1500-byte packet takes 1.2 ms; a burst leaves one every
 * 1.2 ms after the fixed delay; the queue holds 100, the rest drop. */
static void test_rate_queue(void)
{
  struct hb_link_dir c;
  struct emu_dir d;
  unsigned char b[1500] = { 0 };
  struct emu_pkt *p;
  int i, k = 0;

  memset(&c, 0, sizeof(c));
  c.rate_mbit = 10;
  c.queue_pkts = 100;
  c.delay_ms = 5;
  CHECK(emu_dir_init(&d, &c, 1, 0) == 0, "init");
  for(i = 0; i < 150; i++)
    emu_dir_push(&d, b, sizeof(b), 1000 * MS);
  CHECK(d.st.drop_queue == 50, "%llu queue drops",
        (unsigned long long)d.st.drop_queue);
  CHECK(d.st.queue_peak == 100, "peak %llu",
        (unsigned long long)d.st.queue_peak);
  while((p = emu_dir_pop(&d, UINT64_MAX))) {
    uint64_t want = 1000 * MS + 5 * MS + (uint64_t)(k + 1) * 1200000ull;
    CHECK(p->due == want, "packet %d due %llu want %llu", k,
          (unsigned long long)p->due, (unsigned long long)want);
    k++;
    free(p);
  }
  CHECK(k == 100, "%d delivered", k);
  /* once the queue has drained (time moved on), packets are taken again */
  emu_dir_push(&d, b, sizeof(b), 2000 * MS);
  CHECK(d.st.drop_queue == 50 && emu_dir_next(&d) == 2000 * MS + 5 * MS +
        1200000ull, "a packet after the queue drained");
  emu_dir_free(&d);
}

/* Jitter 2 ms on 10 ms: every delay within [8, 12] ms; without
 * --reorder due times never go backwards, with it some do. */
static void test_jitter(void)
{
  struct hb_link_dir c;
  unsigned char b[100] = { 0 };
  int reorder;

  memset(&c, 0, sizeof(c));
  c.delay_ms = 10;
  c.jitter_ms = 2;
  c.queue_pkts = 1000;
  for(reorder = 0; reorder < 2; reorder++) {
    struct emu_dir d;
    uint64_t t, last = 0;
    int back = 0, out = 0, i;
    CHECK(emu_dir_init(&d, &c, 7, reorder) == 0, "init");
    for(i = 0; i < 2000; i++) {
      t = 1000 * MS + (uint64_t)i * 100000ull; /* one every 0.1 ms */
      emu_dir_push(&d, b, sizeof(b), t);
    }
    for(;;) {
      struct emu_pkt *p = emu_dir_pop(&d, UINT64_MAX);
      uint64_t sent;
      if(!p)
        break;
      sent = 1000 * MS + p->seq * 100000ull;
      if(p->due - sent < 8 * MS || p->due - sent > 12 * MS + (reorder ? 0
         : 4 * MS))
        out++;
      if(p->seq < last)
        back++;
      last = p->seq;
      free(p);
    }
    CHECK(out == 0, "reorder %d: %d delays out of bounds", reorder, out);
    CHECK(reorder ? back > 0 : back == 0, "reorder %d: %d reordered",
          reorder, back);
    emu_dir_free(&d);
  }
}


/* Member by member: the struct has padding, so memcmp could differ on
 * equal links. */
static int same_dir(const struct hb_link_dir *a, const struct hb_link_dir *b)
{
  return a->delay_ms == b->delay_ms && a->jitter_ms == b->jitter_ms &&
         a->loss_pct == b->loss_pct && a->ge == b->ge &&
         a->ge_p == b->ge_p && a->ge_r == b->ge_r &&
         a->ge_bad == b->ge_bad && a->ge_good == b->ge_good &&
         a->rate_mbit == b->rate_mbit && a->queue_pkts == b->queue_pkts;
}

static void test_opts(void)
{
  struct hb_link_cfg c;
  struct hb_link_dir d[2];
  char why[256], buf[1024], *argv[16];
  const char *bad[][2] = {
    { "rtt", "-1" }, { "rtt", "x" }, { "rtt", "" }, { "loss", "100.5" },
    { "loss", "-1" }, { "rate", "0" }, { "rate", "5/0" }, { "rate", "5/" },
    { "queue", "0" }, { "queue", "1.5" }, { "link", "moon" },
    { "jitter", "nan" }, { "loss-burst", "5" }, { "loss-burst", "0,1" },
    { "seed", "-3" }, { "seed", " -1" }, { "seed", "+1" },
    { "rtt", "5\n6" }
  };
  size_t i;
  int n;

  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    hb_link_cfg_init(&c);
    CHECK(hb_link_parse(&c, bad[i][0], bad[i][1], why, sizeof(why)) == -1
          && strchr(why, '\n') == NULL, "--%s %s refused", bad[i][0],
          bad[i][1]);
  }
  hb_link_cfg_init(&c);
  CHECK(!hb_link_wanted(&c), "nothing given, no link");
  CHECK(hb_link_parse(&c, "threads", "2", why, sizeof(why)) == 0,
        "not a link option");
  CHECK(hb_link_parse(&c, "link", "4g", why, sizeof(why)) == 1 &&
        hb_link_parse(&c, "rtt", "80", why, sizeof(why)) == 1 &&
        hb_link_wanted(&c), "profile + rtt");
  hb_link_resolve(&c, d);
  CHECK(d[0].delay_ms == 40 && d[1].delay_ms == 40, "rtt overrides");
  CHECK(d[1].rate_mbit == 30 && d[0].rate_mbit == 10 &&
        d[0].jitter_ms == 5, "4g: 30 down, 10 up, jitter 5");
  CHECK(hb_link_parse(&c, "rate", "50/20", why, sizeof(why)) == 1, "rate");
  hb_link_resolve(&c, d);
  CHECK(d[1].rate_mbit == 50 && d[0].rate_mbit == 20, "down/up");
  n = hb_link_to_args(&c, argv, 16, buf, sizeof(buf));
  CHECK(n > 0, "args");
  {
    struct hb_link_cfg c2;
    struct hb_link_dir d2[2];
    int k;
    hb_link_cfg_init(&c2);
    for(k = 0; k < n; k++) { /* "--name=value" back through the parser */
      char name[64];
      const char *eq = strchr(argv[k], '=');
      snprintf(name, sizeof(name), "%.*s", (int)(eq ? eq - argv[k] - 2
               : (long)strlen(argv[k] + 2)), argv[k] + 2);
      CHECK(hb_link_parse(&c2, name, eq ? eq + 1 : NULL, why,
                          sizeof(why)) == 1, "%s", argv[k]);
    }
    hb_link_resolve(&c2, d2);
    CHECK(same_dir(&d[0], &d2[0]) && same_dir(&d[1], &d2[1]),
          "arguments give the same link");
  }
}

int main(void)
{
  test_bernoulli();
  test_gilbert_elliott();
  test_rate_queue();
  test_jitter();
  test_opts();
  return test_summary("test_link_emu");
}

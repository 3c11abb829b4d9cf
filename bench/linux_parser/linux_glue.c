// SPDX-License-Identifier: Apache-2.0
/* C helpers around the extracted Linux parsers (see linux_glue.h). Written
 * for this project: no kernel code. Compiled as a separate translation unit
 * from linux_parsers.c, so nothing here is inlined into the kernel functions
 * or the other way round. Needs the generated linux_defs.h (struct layouts). */
#include "linux_glue.h"

#include "linux_shim.h"
#include "linux_defs.h"

struct static_key_false tcp_have_smc = {0};

static const struct net lp_net_instance = {
    .ipv4 = {.sysctl_tcp_window_scaling = 1, .sysctl_tcp_timestamps = 1, .sysctl_tcp_sack = 1},
};
const struct net *const lp_net = &lp_net_instance;

size_t lp_sizeof_tcp_options(void) { return sizeof(struct tcp_options_received); }
size_t lp_sizeof_mptcp_options(void) { return sizeof(struct mptcp_options_received); }
size_t lp_sizeof_fastopen_cookie(void) { return sizeof(struct tcp_fastopen_cookie); }

#define LP_MAX_SKBS 64
static struct sk_buff lp_skbs[LP_MAX_SKBS] __attribute__((aligned(64)));
static size_t lp_num_skbs;

struct sk_buff *lp_make_skb(unsigned char *packet, const uint8_t *area, size_t len,
                            uint8_t tcp_flags, unsigned int payload_len) {
  if (len % 4 != 0 || len > 40 || lp_num_skbs == LP_MAX_SKBS) return NULL;
  struct tcphdr *th = (struct tcphdr *)packet;
  memset(th, 0, sizeof(*th));
  th->source = htons(40000);
  th->dest = htons(443);
  th->doff = (sizeof(*th) + len) / 4;
  th->fin = !!(tcp_flags & TCPHDR_FIN);
  th->syn = !!(tcp_flags & TCPHDR_SYN);
  th->rst = !!(tcp_flags & TCPHDR_RST);
  th->psh = !!(tcp_flags & TCPHDR_PSH);
  th->ack = !!(tcp_flags & TCPHDR_ACK);
  th->window = htons(502);
  memcpy(packet + sizeof(*th), area, len);

  struct sk_buff *skb = &lp_skbs[lp_num_skbs++];
  memset(skb, 0, sizeof(*skb));
  skb->head = packet;
  skb->transport_header = 0;
  skb->len = sizeof(*th) + len + payload_len;
  TCP_SKB_CB(skb)->tcp_flags = tcp_flags;
  return skb;
}

void lp_init_tcp_options(struct tcp_options_received *rx) {
  memset(rx, 0, sizeof(*rx));
  tcp_clear_options(rx);
  rx->tstamp_ok = 1;
  rx->user_mss = 0;
  rx->mss_clamp = 0;
}

void lp_init_mptcp_options(struct mptcp_options_received *mp) { memset(mp, 0, sizeof(*mp)); }

void lp_init_fastopen_cookie(struct tcp_fastopen_cookie *foc) {
  memset(foc, 0, sizeof(*foc));
  foc->len = -1;
}

void lp_read_facts(const struct tcp_options_received *rx,
                   const struct mptcp_options_received *mp, struct lp_facts *f) {
  memset(f, 0, sizeof(*f));
  f->mss = rx->mss_clamp;
  f->wscale_ok = rx->wscale_ok;
  f->wscale = rx->wscale_ok ? rx->snd_wscale : 0;
  f->sack_ok = (rx->sack_ok & TCP_SACK_SEEN) != 0;
  f->saw_tstamp = rx->saw_tstamp;
  if (rx->saw_tstamp) {
    f->tsval = rx->rcv_tsval;
    f->tsecr = rx->rcv_tsecr;
  }

  const u16 sub = mp->suboptions;
  if (sub & OPTIONS_MPTCP_MPC) {
    f->form = (sub & OPTION_MPTCP_MPC_SYN)      ? LP_MPC_SYN
              : (sub & OPTION_MPTCP_MPC_SYNACK) ? LP_MPC_SYNACK
                                                : LP_MPC_ACK;
    f->csum_reqd = (sub & OPTION_MPTCP_CSUMREQD) != 0;
    f->deny_join_id0 = mp->deny_join_id0;
    if (f->form != LP_MPC_SYN) f->sndr_key = mp->sndr_key;
    if (f->form == LP_MPC_ACK) f->rcvr_key = mp->rcvr_key;
  } else if (sub & OPTION_MPTCP_MPJ_SYN) {
    f->form = LP_JOIN_SYN;
    f->backup = mp->backup;
    f->join_id = mp->join_id;
    f->token = mp->token;
    f->nonce = mp->nonce;
  } else if (sub & OPTION_MPTCP_MPJ_SYNACK) {
    f->form = LP_JOIN_SYNACK;
    f->backup = mp->backup;
    f->join_id = mp->join_id;
    f->thmac = mp->thmac;
    f->nonce = mp->nonce;
  } else if (sub & OPTION_MPTCP_MPJ_ACK) {
    f->form = LP_JOIN_ACK;
    memcpy(f->hmac, mp->hmac, sizeof(f->hmac));
  } else if (sub & OPTION_MPTCP_DSS) {
    f->form = LP_DSS;
    f->use_ack = mp->use_ack;
    f->ack64 = mp->use_ack && mp->ack64;
    f->use_map = mp->use_map;
    f->dsn64 = mp->use_map && mp->dsn64;
    f->data_fin = mp->use_map && mp->data_fin;
    if (mp->use_ack) f->data_ack = mp->data_ack;
    if (mp->use_map) {
      f->data_seq = mp->data_seq;
      f->subflow_seq = mp->subflow_seq;
      f->data_len = mp->data_len;
    }
  } else if (sub & OPTION_MPTCP_ADD_ADDR) {
    f->form = LP_ADD_ADDR;
    f->echo = mp->echo;
    f->addr_id = mp->addr.id;
    if (mp->addr.family == AF_INET) {
      f->family = 4;
      memcpy(f->addr, &mp->addr.addr.s_addr, 4);
    } else {
      f->family = 6;
      memcpy(f->addr, mp->addr.addr6.s6_addr, 16);
    }
    f->port = ntohs(mp->addr.port);
    f->ahmac = mp->echo ? 0 : mp->ahmac;
  } else if (sub != 0) {
    f->form = LP_OTHER;
  }
}

// SPDX-License-Identifier: Apache-2.0
/* The interface between the C++ benchmark driver and the C side (the Linux
 * parsers extracted at build time plus linux_glue.c). Written for this
 * project; C and C++. The driver calls the two kernel functions directly,
 * with the kernel's own signatures, on opaque state it allocates with the
 * sizes below; everything else (building an skb, reading results for the
 * agreement check) goes through the lp_* helpers. */
#ifndef BENCH_LINUX_PARSER_LINUX_GLUE_H_
#define BENCH_LINUX_PARSER_LINUX_GLUE_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct net;
struct sk_buff;
struct tcp_options_received;
struct tcp_fastopen_cookie;
struct mptcp_options_received;

/* Linux 6.1, net/ipv4/tcp_input.c and net/mptcp/options.c. */
void tcp_parse_options(const struct net *net, const struct sk_buff *skb,
                       struct tcp_options_received *opt_rx, int estab,
                       struct tcp_fastopen_cookie *foc);
void mptcp_get_options(const struct sk_buff *skb, struct mptcp_options_received *mp_opt);

/* The namespace whose sysctls tcp_parse_options reads (window scaling,
 * timestamps, SACK: all 1, the defaults). */
extern const struct net *const lp_net;

size_t lp_sizeof_tcp_options(void);
size_t lp_sizeof_mptcp_options(void);
size_t lp_sizeof_fastopen_cookie(void);

/* Writes a 20-byte TCP header (Data Offset covering `area`, flags
 * `tcp_flags`, TCPHDR_* bits) and the option area into `packet` (at least
 * 20 + len bytes; len a multiple of 4, at most 40), and returns an skb (from
 * a static pool) whose TCP header is `packet`, with TCP_SKB_CB()->tcp_flags
 * set and len = 20 + len + payload_len. */
struct sk_buff *lp_make_skb(unsigned char *packet, const uint8_t *area, size_t len,
                            uint8_t tcp_flags, unsigned int payload_len);

/* State as the kernel's callers have it before the parse: tcp_clear_options(),
 * user_mss 0, mss_clamp 0, and tstamp_ok set (timestamps negotiated, which
 * tcp_parse_options requires to take a timestamp on an established
 * connection). */
void lp_init_tcp_options(struct tcp_options_received *rx);
void lp_init_mptcp_options(struct mptcp_options_received *mp);
/* As tcp_conn_request: { .len = -1 }. */
void lp_init_fastopen_cookie(struct tcp_fastopen_cookie *foc);

/* Subtype/form of the one MPTCP option an area carries. */
enum lp_mptcp_form {
  LP_NONE = 0,
  LP_MPC_SYN,     /* MP_CAPABLE, no key */
  LP_MPC_SYNACK,  /* MP_CAPABLE, sender's key */
  LP_MPC_ACK,     /* MP_CAPABLE, both keys */
  LP_JOIN_SYN,
  LP_JOIN_SYNACK,
  LP_JOIN_ACK,
  LP_DSS,
  LP_ADD_ADDR,
  LP_OTHER,
};

/* What every parser must agree on (zero where not applicable). */
struct lp_facts {
  /* standard options */
  uint16_t mss;
  uint8_t wscale_ok;
  uint8_t wscale; /* as applied: min(shift, 14) */
  uint8_t sack_ok;
  uint8_t saw_tstamp;
  uint32_t tsval;
  uint32_t tsecr;
  /* the MPTCP option */
  uint8_t form; /* enum lp_mptcp_form */
  uint8_t csum_reqd;     /* MP_CAPABLE A flag */
  uint8_t deny_join_id0; /* MP_CAPABLE C flag */
  uint64_t sndr_key;
  uint64_t rcvr_key;
  uint8_t use_ack, ack64, use_map, dsn64, data_fin;
  uint64_t data_ack;
  uint64_t data_seq;
  uint32_t subflow_seq;
  uint16_t data_len;
  uint8_t join_id, backup;
  uint32_t token, nonce;
  uint64_t thmac;
  uint8_t hmac[20];
  uint8_t echo, addr_id, family; /* family: 4 or 6 */
  uint8_t addr[16];
  uint16_t port; /* host order, 0 if absent */
  uint64_t ahmac;
};

/* Reads what tcp_parse_options + mptcp_get_options left in rx and mp. */
void lp_read_facts(const struct tcp_options_received *rx,
                   const struct mptcp_options_received *mp, struct lp_facts *out);

#ifdef __cplusplus
}
#endif

#endif /* BENCH_LINUX_PARSER_LINUX_GLUE_H_ */

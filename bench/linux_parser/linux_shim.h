// SPDX-License-Identifier: Apache-2.0
/* User-space stand-ins for the kernel types and macros that Linux's TCP/MPTCP
 * option parsers use, so that the functions extract_linux_parsers.py takes
 * from a Linux tree compile unchanged as user-space C. Written for this
 * project (no kernel code): each item is either a plain C type, a no-op, or
 * the minimal structure the parsers touch. Compiled as C (gnu11) only.
 *
 * Kernel configuration mirrored (Debian 6.1 amd64 config): CONFIG_MPTCP_IPV6=y,
 * CONFIG_IPV6=y, CONFIG_TCP_MD5SIG=y, CONFIG_SMC=m (so IS_ENABLED is true;
 * the SMC static key is off, as it is until the smc module registers). */
#ifndef BENCH_LINUX_PARSER_LINUX_SHIM_H_
#define BENCH_LINUX_PARSER_LINUX_SHIM_H_

#include <arpa/inet.h>  /* htons, ntohs */
#include <netinet/in.h> /* struct in_addr, struct in6_addr */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h> /* sa_family_t, AF_INET, AF_INET6 */

/* ---- configuration ---- */
#define CONFIG_MPTCP_IPV6 1
#define CONFIG_IPV6 1
#define CONFIG_TCP_MD5SIG 1
#define CONFIG_SMC 1
#define IS_ENABLED(option) (option) /* every option used is defined to 1 above */

/* ---- types (as the kernel's: 64-bit ones are long long) ---- */
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;
typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef unsigned long long __u64;
typedef long long __s64;
typedef uint16_t __be16;
typedef uint32_t __be32;
typedef unsigned long long __be64;
typedef unsigned long long __le64;
typedef uint16_t __sum16;
#define __force

/* ---- compiler and generic helpers ---- */
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define BIT(nr) (1UL << (nr))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define sizeof_field(TYPE, MEMBER) sizeof((((TYPE *)0)->MEMBER))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define BUILD_BUG_ON(cond) _Static_assert(!(cond), "BUILD_BUG_ON: " #cond)
/* A volatile read, as the kernel's READ_ONCE of a scalar. */
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))

/* struct_group(NAME, MEMBERS...): the members, addressable one by one and
 * together as NAME (same layout as the kernel's macro: an anonymous union of
 * an anonymous struct and a named struct with the same members). */
#define struct_group(NAME, ...)       \
  union {                             \
    struct {                          \
      __VA_ARGS__                     \
    };                                \
    struct {                          \
      __VA_ARGS__                     \
    } NAME;                           \
  }

/* Unaligned big-endian loads (the kernel's are plain loads + bswap on x86). */
static inline u16 get_unaligned_be16(const void *p) {
  u16 v;
  memcpy(&v, p, sizeof(v));
  return __builtin_bswap16(v);
}
static inline u32 get_unaligned_be32(const void *p) {
  u32 v;
  memcpy(&v, p, sizeof(v));
  return __builtin_bswap32(v);
}
static inline u64 get_unaligned_be64(const void *p) {
  u64 v;
  memcpy(&v, p, sizeof(v));
  return __builtin_bswap64(v);
}
#define get_unaligned(ptr)                     \
  ({                                           \
    __typeof__(*(ptr)) __gu_v;                 \
    memcpy(&__gu_v, (ptr), sizeof(__gu_v));    \
    __gu_v;                                    \
  })

/* ---- logging: compiled out ----
 * The Debian kernel has CONFIG_DYNAMIC_DEBUG=y: each pr_debug is a static-key
 * branch (a NOP while the call site is disabled) around the print. Here the
 * print is dead code; the arguments are still type-checked. */
#define pr_debug(fmt, ...)                    \
  do {                                        \
    if (0) printf(fmt, ##__VA_ARGS__);        \
  } while (0)
#define net_info_ratelimited(fmt, ...)        \
  do {                                        \
    if (0) printf(fmt, ##__VA_ARGS__);        \
  } while (0)

/* ---- static keys: a plain flag (only read for Kind 254, SMC) ---- */
struct static_key_false {
  int enabled;
};
#define static_branch_unlikely(key) unlikely((key)->enabled)
extern struct static_key_false tcp_have_smc; /* defined off in linux_glue.c */

/* ---- the network namespace: only the three sysctls the parser reads ---- */
struct netns_ipv4_shim {
  u8 sysctl_tcp_window_scaling;
  u8 sysctl_tcp_timestamps;
  u8 sysctl_tcp_sack;
};
struct net {
  struct netns_ipv4_shim ipv4;
};

/* ---- the TCP header (RFC 9293 §3.1 layout; little-endian bitfields) ---- */
struct tcphdr {
  __be16 source;
  __be16 dest;
  __be32 seq;
  __be32 ack_seq;
  u16 res1 : 4, doff : 4, fin : 1, syn : 1, rst : 1, psh : 1, ack : 1, urg : 1, ece : 1,
      cwr : 1;
  __be16 window;
  __sum16 check;
  __be16 urg_ptr;
};
_Static_assert(sizeof(struct tcphdr) == 20, "tcphdr");

/* ---- sk_buff: the packet bytes are at head + transport_header, as in the
 * kernel (tcp_hdr() is that sum); cb[] holds the TCP control block. ---- */
struct sk_buff {
  unsigned int len; /* bytes from the TCP header to the end of the payload */
  u16 transport_header;
  unsigned char *head;
  char cb[48] __attribute__((aligned(8)));
};

static inline struct tcphdr *tcp_hdr(const struct sk_buff *skb) {
  return (struct tcphdr *)(skb->head + skb->transport_header);
}

/* The fields of the kernel's TCP control block that the parsers use. */
struct tcp_skb_cb {
  u32 seq;
  u32 end_seq;
  u32 tcp_tw_isn;
  u8 tcp_flags; /* TCPHDR_* of this segment */
  u8 sacked;    /* tcp_parse_options: offset of a SACK option */
};
#define TCP_SKB_CB(__skb) ((struct tcp_skb_cb *)&((__skb)->cb[0]))

#endif /* BENCH_LINUX_PARSER_LINUX_SHIM_H_ */

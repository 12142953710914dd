#include <rill/status.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "net/uri.h"
#include "test_util.h"

#define ERR_CAP 512

static void assert_contains(const char *haystack, const char *needle)
{
  if (!strstr(haystack, needle))
    fail_msg("message \"%s\" does not contain \"%s\"", haystack, needle);
}

/* Parse `text` expecting success; the parsed URI is returned in *u. */
static void parse_ok(const char *text, unsigned flags, struct rill_uri *u)
{
  char err[ERR_CAP] = "not cleared";
  int rc = uri_parse_flags(text, flags, u, err, sizeof err);
  if (rc != RILL_OK)
    fail_msg("parsing \"%s\" failed: %s", text, err);
  assert_string_equal(err, "");
}

/* The parsed URI matches every field. */
static void check_uri(const char *text, unsigned flags, enum uri_scheme scheme, const char *host,
                      uint16_t port, bool port_given, int family, bool any)
{
  struct rill_uri u;
  parse_ok(text, flags, &u);
  assert_int_equal(u.scheme, scheme);
  assert_string_equal(u.host, host);
  assert_int_equal(u.port, port);
  assert_int_equal(u.port_given, port_given);
  assert_int_equal(u.family_hint, family);
  assert_int_equal(u.host_is_any, any);
}

/*
 * Parse `text` expecting RILL_EINVAL, a zeroed *out and a one-line message
 * containing `needle` (and `needle2` unless NULL).
 */
static void check_error2(const char *text, unsigned flags, const char *needle, const char *needle2)
{
  struct rill_uri u;
  char err[ERR_CAP];
  memset(&u, 0xa5, sizeof u);
  assert_int_equal(uri_parse_flags(text, flags, &u, err, sizeof err), RILL_EINVAL);
  assert_contains(err, needle);
  if (needle2)
    assert_contains(err, needle2);
  assert_null(strchr(err, '\n'));
  assert_int_equal(u.scheme, URI_SCHEME_NONE);
  assert_string_equal(u.host, "");
  assert_int_equal(u.port, 0);
  assert_false(u.port_given);
  assert_false(u.host_is_any);
}

static void check_error(const char *text, unsigned flags, const char *needle)
{
  check_error2(text, flags, needle, NULL);
}

/* Parse `text` expecting exactly `message`. */
static void check_error_exact(const char *text, unsigned flags, const char *message)
{
  struct rill_uri u;
  char err[ERR_CAP];
  assert_int_equal(uri_parse_flags(text, flags, &u, err, sizeof err), RILL_EINVAL);
  assert_string_equal(err, message);
}

static void uri_scheme_table_matches_roc(void **state)
{
  (void)state;
  assert_string_equal(uri_scheme_name(URI_SCHEME_RTP), "rtp");
  assert_string_equal(uri_scheme_name(URI_SCHEME_RTP_RS8M), "rtp+rs8m");
  assert_string_equal(uri_scheme_name(URI_SCHEME_RS8M), "rs8m");
  assert_string_equal(uri_scheme_name(URI_SCHEME_RTP_LDPC), "rtp+ldpc");
  assert_string_equal(uri_scheme_name(URI_SCHEME_LDPC), "ldpc");
  assert_string_equal(uri_scheme_name(URI_SCHEME_RTCP), "rtcp");
  assert_null(uri_scheme_name(URI_SCHEME_NONE));
  assert_null(uri_scheme_name((enum uri_scheme)99));

  assert_int_equal(uri_scheme_interface(URI_SCHEME_RTP), URI_IFACE_SOURCE);
  assert_int_equal(uri_scheme_interface(URI_SCHEME_RTP_RS8M), URI_IFACE_SOURCE);
  assert_int_equal(uri_scheme_interface(URI_SCHEME_RTP_LDPC), URI_IFACE_SOURCE);
  assert_int_equal(uri_scheme_interface(URI_SCHEME_RS8M), URI_IFACE_REPAIR);
  assert_int_equal(uri_scheme_interface(URI_SCHEME_LDPC), URI_IFACE_REPAIR);
  assert_int_equal(uri_scheme_interface(URI_SCHEME_RTCP), URI_IFACE_CONTROL);
  assert_int_equal(uri_scheme_interface(URI_SCHEME_NONE), URI_IFACE_NONE);
  assert_int_equal(uri_scheme_interface((enum uri_scheme)99), URI_IFACE_NONE);

  assert_int_equal(uri_scheme_fec(URI_SCHEME_RTP), URI_FEC_NONE);
  assert_int_equal(uri_scheme_fec(URI_SCHEME_RTP_RS8M), URI_FEC_RS8M);
  assert_int_equal(uri_scheme_fec(URI_SCHEME_RS8M), URI_FEC_RS8M);
  assert_int_equal(uri_scheme_fec(URI_SCHEME_RTP_LDPC), URI_FEC_LDPC);
  assert_int_equal(uri_scheme_fec(URI_SCHEME_LDPC), URI_FEC_LDPC);
  assert_int_equal(uri_scheme_fec(URI_SCHEME_RTCP), URI_FEC_NONE);
  assert_int_equal(uri_scheme_fec((enum uri_scheme)99), URI_FEC_NONE);

  assert_string_equal(uri_fec_name(URI_FEC_NONE), "none");
  assert_string_equal(uri_fec_name(URI_FEC_RS8M), "rs8m");
  assert_string_equal(uri_fec_name(URI_FEC_LDPC), "ldpc");
  assert_null(uri_fec_name((enum uri_fec)7));
}

static void uri_parses_every_scheme(void **state)
{
  (void)state;
  check_uri("rtp://1.2.3.4:10001", 0, URI_SCHEME_RTP, "1.2.3.4", 10001, true, AF_INET, false);
  check_uri("rtp+rs8m://1.2.3.4:10001", 0, URI_SCHEME_RTP_RS8M, "1.2.3.4", 10001, true, AF_INET,
            false);
  check_uri("rs8m://1.2.3.4:10002", 0, URI_SCHEME_RS8M, "1.2.3.4", 10002, true, AF_INET, false);
  check_uri("rtp+ldpc://1.2.3.4:10001", 0, URI_SCHEME_RTP_LDPC, "1.2.3.4", 10001, true, AF_INET,
            false);
  check_uri("ldpc://1.2.3.4:10002", 0, URI_SCHEME_LDPC, "1.2.3.4", 10002, true, AF_INET, false);
  check_uri("rtcp://1.2.3.4:10003", 0, URI_SCHEME_RTCP, "1.2.3.4", 10003, true, AF_INET, false);
}

static void uri_scheme_is_case_insensitive(void **state)
{
  (void)state;
  check_uri("RTP://1.2.3.4:5", 0, URI_SCHEME_RTP, "1.2.3.4", 5, true, AF_INET, false);
  check_uri("Rtp+RS8M://1.2.3.4:5", 0, URI_SCHEME_RTP_RS8M, "1.2.3.4", 5, true, AF_INET, false);
  check_uri("LDPC://1.2.3.4:5", 0, URI_SCHEME_LDPC, "1.2.3.4", 5, true, AF_INET, false);
}

static void uri_parses_ipv4_literals(void **state)
{
  (void)state;
  check_uri("rtp://0.0.0.0:10001", 0, URI_SCHEME_RTP, "0.0.0.0", 10001, true, AF_INET, true);
  check_uri("rtp://127.0.0.1:1", 0, URI_SCHEME_RTP, "127.0.0.1", 1, true, AF_INET, false);
  check_uri("rtp://255.255.255.255:65535", 0, URI_SCHEME_RTP, "255.255.255.255", 65535, true,
            AF_INET, false);
  check_uri("rtp://10.0.0.0:7", 0, URI_SCHEME_RTP, "10.0.0.0", 7, true, AF_INET, false);
}

static void uri_parses_ipv6_literals_in_brackets(void **state)
{
  (void)state;
  check_uri("rtp://[::1]:10001", 0, URI_SCHEME_RTP, "::1", 10001, true, AF_INET6, false);
  check_uri("rtp://[::]:10001", 0, URI_SCHEME_RTP, "::", 10001, true, AF_INET6, true);
  check_uri("rtp://[0:0:0:0:0:0:0:0]:10001", 0, URI_SCHEME_RTP, "0:0:0:0:0:0:0:0", 10001, true,
            AF_INET6, true);
  check_uri("rs8m://[2001:db8::42]:65535", 0, URI_SCHEME_RS8M, "2001:db8::42", 65535, true,
            AF_INET6, false);
  check_uri("rtcp://[::ffff:192.0.2.1]:5", 0, URI_SCHEME_RTCP, "::ffff:192.0.2.1", 5, true,
            AF_INET6, false);
  check_uri("rtp://[FE80::ABCD]:5", 0, URI_SCHEME_RTP, "FE80::ABCD", 5, true, AF_INET6, false);
}

static void uri_parses_host_names(void **state)
{
  char text[600];
  char host[URI_HOST_MAX_LEN + 1];
  (void)state;
  check_uri("rtp://localhost:10001", 0, URI_SCHEME_RTP, "localhost", 10001, true, AF_UNSPEC, false);
  check_uri("rtp://receiver-2.example.com:5004", 0, URI_SCHEME_RTP, "receiver-2.example.com", 5004,
            true, AF_UNSPEC, false);
  check_uri("rtp://a:1", 0, URI_SCHEME_RTP, "a", 1, true, AF_UNSPEC, false);
  check_uri("rtp://1host.net:1", 0, URI_SCHEME_RTP, "1host.net", 1, true, AF_UNSPEC, false);
  check_uri("rtp://a-b.c:1", 0, URI_SCHEME_RTP, "a-b.c", 1, true, AF_UNSPEC, false);
  check_uri("rtp://MiXeD.Case:1", 0, URI_SCHEME_RTP, "MiXeD.Case", 1, true, AF_UNSPEC, false);

  /* A 63-character label and a 253-character name are the limits. */
  memset(host, 'a', 63);
  strcpy(host + 63, ".b");
  snprintf(text, sizeof text, "rtp://%s:1", host);
  check_uri(text, 0, URI_SCHEME_RTP, host, 1, true, AF_UNSPEC, false);

  /* 4 * (62 + '.') + 1 = 253 */
  memset(host, 'x', URI_HOST_MAX_LEN);
  host[URI_HOST_MAX_LEN] = '\0';
  for (int i = 62; i < URI_HOST_MAX_LEN; i += 63)
    host[i] = '.';
  assert_int_equal(strlen(host), 253);
  snprintf(text, sizeof text, "rtp://%s:1", host);
  check_uri(text, 0, URI_SCHEME_RTP, host, 1, true, AF_UNSPEC, false);
}

static void uri_parses_port_forms(void **state)
{
  (void)state;
  check_uri("rtp://1.2.3.4:1", 0, URI_SCHEME_RTP, "1.2.3.4", 1, true, AF_INET, false);
  check_uri("rtp://1.2.3.4:65535", 0, URI_SCHEME_RTP, "1.2.3.4", 65535, true, AF_INET, false);
  check_uri("rtp://1.2.3.4:00080", 0, URI_SCHEME_RTP, "1.2.3.4", 80, true, AF_INET, false);
}

static void uri_port_zero_only_when_allowed(void **state)
{
  (void)state;
  check_error_exact("rtp://0.0.0.0:0", 0,
                    "port '0' out of range 1..65535 (port 0 is only allowed when binding)");
  check_uri("rtp://0.0.0.0:0", URI_ALLOW_PORT_ZERO, URI_SCHEME_RTP, "0.0.0.0", 0, true, AF_INET,
            true);
  check_uri("rtp://[::]:0", URI_ALLOW_PORT_ZERO, URI_SCHEME_RTP, "::", 0, true, AF_INET6, true);
  check_uri("rtp://0.0.0.0:000", URI_ALLOW_PORT_ZERO, URI_SCHEME_RTP, "0.0.0.0", 0, true, AF_INET,
            true);
  check_error_exact("rtp://0.0.0.0:65536", URI_ALLOW_PORT_ZERO,
                    "port '65536' out of range 0..65535");
  check_error("rtp://0.0.0.0:x", URI_ALLOW_PORT_ZERO, "expected a number 0..65535");
}

static void uri_port_may_be_optional(void **state)
{
  (void)state;
  check_uri("rtp://1.2.3.4", URI_ALLOW_NO_PORT, URI_SCHEME_RTP, "1.2.3.4", 0, false, AF_INET,
            false);
  check_uri("rtp://[::1]", URI_ALLOW_NO_PORT, URI_SCHEME_RTP, "::1", 0, false, AF_INET6, false);
  check_uri("rtcp://host", URI_ALLOW_NO_PORT, URI_SCHEME_RTCP, "host", 0, false, AF_UNSPEC, false);
  check_uri("rtp://host:9", URI_ALLOW_NO_PORT, URI_SCHEME_RTP, "host", 9, true, AF_UNSPEC, false);
  /* With the port optional, what follows the host is the next error. */
  check_error_exact("rtp://host/x", URI_ALLOW_NO_PORT, "unexpected path '/x' in URI");
  check_error_exact("rtp://host?a", URI_ALLOW_NO_PORT, "unexpected query '?a' in URI");
  check_error_exact("rtp://[::1]#f", URI_ALLOW_NO_PORT, "unexpected fragment '#f' in URI");
  /* Both flags at once. */
  check_uri("rtp://[::]:0", URI_ALLOW_NO_PORT | URI_ALLOW_PORT_ZERO, URI_SCHEME_RTP, "::", 0, true,
            AF_INET6, true);
}

static void uri_rejects_missing_or_empty_input(void **state)
{
  struct rill_uri u;
  char err[ERR_CAP];
  (void)state;
  check_error_exact(NULL, 0, "no URI given");
  check_error_exact("", 0, "empty URI");
  assert_int_equal(uri_parse("rtp://1.2.3.4:1", NULL, err, sizeof err), RILL_EINVAL);
  assert_contains(err, "no output");
  /* No message buffer at all is fine. */
  assert_int_equal(uri_parse("bogus", &u, NULL, 0), RILL_EINVAL);
  assert_int_equal(uri_parse("rtp://1.2.3.4:1", &u, NULL, 0), RILL_OK);
  /* Flags the parser does not know are a caller bug, not ignored. */
  assert_int_equal(uri_parse_flags("rtp://1.2.3.4:1", 0x80, &u, err, sizeof err), RILL_EINVAL);
  assert_string_equal(err, "unknown URI parse flags 0x80");
}

static void uri_rejects_bad_schemes(void **state)
{
  (void)state;
  check_error_exact("http://1.2.3.4:80", 0,
                    "unknown scheme 'http' (expected rtp, rtp+rs8m, rs8m, rtp+ldpc, ldpc or rtcp)");
  check_error("rtp+fec://1.2.3.4:80", 0, "unknown scheme 'rtp+fec'");
  check_error("rtsp://1.2.3.4:554", 0, "unknown scheme 'rtsp'");
  check_error("rtpp://1.2.3.4:1", 0, "unknown scheme 'rtpp'");
  check_error("rt://1.2.3.4:1", 0, "unknown scheme 'rt'");
  check_error_exact("1.2.3.4:10001", 0,
                    "missing scheme in '1.2.3.4:10001' (expected scheme://host:port, e.g. "
                    "rtp://0.0.0.0:10001)");
  check_error("localhost", 0, "missing scheme in 'localhost'");
  check_error("://1.2.3.4:1", 0, "missing scheme in '://1.2.3.4:1'");
  check_error("[::1]:1", 0, "missing scheme in '[::1]:1'");
  check_error_exact("rtp:/1.2.3.4:1", 0, "expected '://' after scheme 'rtp' in 'rtp:/1.2.3.4:1'");
  check_error("rtp:1.2.3.4:1", 0, "expected '://' after scheme 'rtp'");
  check_error("RS8M:1.2.3.4:1", 0, "expected '://' after scheme 'rs8m'");
  check_error_exact("rtp", 0, "expected '://' after scheme 'rtp' in 'rtp'");
  check_error("ldpc//1.2.3.4:1", 0, "missing scheme in 'ldpc//1.2.3.4:1'");
}

static void uri_rejects_missing_and_bad_ports(void **state)
{
  (void)state;
  check_error_exact("rtp://1.2.3.4", 0, "missing port in 'rtp://1.2.3.4'");
  check_error_exact("rtp://1.2.3.4:", 0, "missing port in 'rtp://1.2.3.4:'");
  check_error_exact("rtp://[::1]", 0, "missing port in 'rtp://[::1]'");
  check_error_exact("rtp://host/x", 0, "missing port in 'rtp://host/x'");
  check_error_exact("rtp://host:/x", 0, "missing port in 'rtp://host:/x'");
  check_error_exact("rtp://1.2.3.4:70000", 0, "port '70000' out of range 1..65535");
  check_error_exact("rtp://1.2.3.4:65536", 0, "port '65536' out of range 1..65535");
  check_error_exact("rtp://1.2.3.4:99999999999999999999999", 0,
                    "port '99999999999999999999999' out of range 1..65535");
  check_error_exact("rtp://1.2.3.4:abc", 0, "invalid port 'abc' (expected a number 1..65535)");
  check_error("rtp://1.2.3.4:-1", 0, "invalid port '-1'");
  check_error("rtp://1.2.3.4:+5", 0, "invalid port '+5'");
  check_error("rtp://1.2.3.4:5x", 0, "invalid port '5x'");
  check_error("rtp://1.2.3.4:0x10", 0, "invalid port '0x10'");
  check_error("rtp://1.2.3.4:1:2", 0, "invalid port '1:2'");
  check_error("rtp://[::1]:1:2", 0, "invalid port '1:2'");
  check_error("rtp://[::1]:", 0, "missing port in 'rtp://[::1]:'");
  check_error_exact("rtp://[::1]10001", 0,
                    "unexpected '10001' after ']' in 'rtp://[::1]10001' (expected ':port')");
}

static void uri_rejects_bad_hosts(void **state)
{
  (void)state;
  check_error_exact("rtp://:10001", 0, "empty host in 'rtp://:10001'");
  check_error("rtp://", 0, "empty host");
  check_error("rtp://[]:1", 0, "empty host in 'rtp://[]:1'");
  check_error("rtp:///x", 0, "empty host");
  check_error_exact("rtp://user@host:1", 0, "invalid character '@' in host 'user@host'");
  check_error("rtp://ho_st:1", 0, "invalid character '_' in host 'ho_st'");
  check_error("rtp://h%41:1", 0, "invalid character '%' in host 'h%41'");
  check_error("rtp://a]:1", 0, "invalid character ']' in host 'a]'");
  check_error("rtp://a[::1]:1", 0, "invalid character '['");
  /* Non-ASCII bytes are escaped in the message. */
  check_error("rtp://h\xc3\xa9:1", 0, "invalid character '\\xc3' in host 'h\\xc3\\xa9'");
  check_error_exact("rtp://a..b:1", 0, "empty label in host 'a..b'");
  check_error("rtp://.a:1", 0, "empty label in host '.a'");
  check_error("rtp://a.:1", 0, "empty label in host 'a.'");
  check_error_exact("rtp://-a.b:1", 0, "label '-a' in host '-a.b' starts or ends with '-'");
  check_error("rtp://a.b-:1", 0, "label 'b-' in host 'a.b-' starts or ends with '-'");
}

static void uri_rejects_long_hosts_and_labels(void **state)
{
  char text[700];
  char host[600];
  (void)state;
  memset(host, 'a', 64);
  strcpy(host + 64, ".b");
  snprintf(text, sizeof text, "rtp://%s:1", host);
  check_error2(text, 0, "label 'aaaaaaaaaa", "longer than 63 characters");

  /* 254 characters: one more than DNS allows. */
  memset(host, 'x', 254);
  host[254] = '\0';
  for (int i = 62; i < 254; i += 63)
    host[i] = '.';
  snprintf(text, sizeof text, "rtp://%s:1", host);
  check_error_exact(text, 0, "host too long (254 characters, at most 253)");

  /* Far longer than the struct's buffer. */
  memset(host, 'y', 599);
  host[599] = '\0';
  snprintf(text, sizeof text, "rtp://%s:1", host);
  check_error_exact(text, 0, "host too long (599 characters, at most 253)");
}

static void uri_rejects_bad_ipv4_literals(void **state)
{
  (void)state;
  check_error_exact("rtp://1.2.3:1", 0, "invalid IPv4 address '1.2.3'");
  check_error("rtp://1.2.3.4.5:1", 0, "invalid IPv4 address '1.2.3.4.5'");
  check_error("rtp://256.1.1.1:1", 0, "invalid IPv4 address '256.1.1.1'");
  check_error("rtp://1.2.3.1000:1", 0, "invalid IPv4 address '1.2.3.1000'");
  check_error("rtp://01.2.3.4:1", 0, "invalid IPv4 address '01.2.3.4'");
  check_error("rtp://1..2.3:1", 0, "invalid IPv4 address '1..2.3'");
  check_error("rtp://1.2.3.4.:1", 0, "invalid IPv4 address '1.2.3.4.'");
  check_error("rtp://.1.2.3:1", 0, "invalid IPv4 address '.1.2.3'");
  check_error("rtp://1234:1", 0, "invalid IPv4 address '1234'");
  check_error("rtp://0:1", 0, "invalid IPv4 address '0'");
}

static void uri_rejects_bad_ipv6_literals(void **state)
{
  (void)state;
  check_error_exact("rtp://[::1:10001", 0, "unterminated '[' in IPv6 address '[::1:10001'");
  check_error("rtp://[", 0, "unterminated '[' in IPv6 address '['");
  check_error_exact("rtp://[::g]:1", 0, "invalid IPv6 address '[::g]'");
  check_error("rtp://[1.2.3.4]:1", 0, "invalid IPv6 address '[1.2.3.4]'");
  check_error("rtp://[1:2:3:4:5:6:7:8:9]:1", 0, "invalid IPv6 address '[1:2:3:4:5:6:7:8:9]'");
  check_error("rtp://[:::1]:1", 0, "invalid IPv6 address '[:::1]'");
  check_error("rtp://[localhost]:1", 0, "invalid IPv6 address '[localhost]'");
  check_error("rtp://[0000:0000:0000:0000:0000:0000:0000:0000:0000]:1", 0,
              "invalid IPv6 address '[0000:0000:0000:0000:0000:0000:0000:0000:0000]'");
  check_error_exact("rtp://[fe80::1%eth0]:1", 0,
                    "IPv6 zone index not supported in '[fe80::1%eth0]'");
  check_error_exact("rtp://::1:10001", 0,
                    "IPv6 address must be in brackets in 'rtp://::1:10001' (e.g. "
                    "rtp://[::1]:10001)");
  check_error("rtp://fe80::1:5", 0, "IPv6 address must be in brackets");
  check_error("rtp://2001:db8::1", 0, "IPv6 address must be in brackets");
}

static void uri_rejects_path_query_and_fragment(void **state)
{
  (void)state;
  check_error_exact("rtp://1.2.3.4:1/x", 0, "unexpected path '/x' in URI");
  check_error_exact("rtp://1.2.3.4:1/", 0, "unexpected path '/' in URI");
  check_error_exact("rtp://1.2.3.4:1/x/y?q#f", 0, "unexpected path '/x/y' in URI");
  check_error_exact("rtp://1.2.3.4:1?a=b", 0, "unexpected query '?a=b' in URI");
  check_error_exact("rtp://1.2.3.4:1?a=b#f", 0, "unexpected query '?a=b' in URI");
  check_error_exact("rtp://1.2.3.4:1#frag", 0, "unexpected fragment '#frag' in URI");
  check_error_exact("rtp://[::1]:1/x", 0, "unexpected path '/x' in URI");
  check_error_exact("rtp://[::1]:1?", 0, "unexpected query '?' in URI");
}

static void uri_rejects_whitespace_and_control_characters(void **state)
{
  (void)state;
  check_error_exact(" rtp://1.2.3.4:1", 0,
                    "unexpected whitespace at offset 0 in ' rtp://1.2.3.4:1'");
  check_error("rtp://1.2.3.4:1 ", 0, "unexpected whitespace at offset 15");
  check_error("rtp:// 1.2.3.4:1", 0, "unexpected whitespace at offset 6");
  check_error("rtp://1.2.3.4: 1", 0, "unexpected whitespace at offset 14");
  check_error("rtp://1.2.3.4:1\n", 0,
              "unexpected whitespace at offset 15 in 'rtp://1.2.3.4:1\\x0a'");
  check_error("rtp://1.2.3.4:1\t", 0, "unexpected whitespace at offset 15");
  check_error("rtp://1.2.3.4:1\r", 0, "unexpected whitespace");
  check_error_exact("rtp://1.2\x01.3.4:1", 0,
                    "unexpected control character 0x01 at offset 9 in 'rtp://1.2\\x01.3.4:1'");
  check_error("rtp://1.2.3.4:1\x7f", 0, "unexpected control character 0x7f");
}

static void uri_message_is_truncated_safely(void **state)
{
  struct rill_uri u;
  char err[16];
  char text[400];
  char big[ERR_CAP];
  (void)state;
  memset(err, 'z', sizeof err);
  assert_int_equal(uri_parse("http://x:1", &u, err, sizeof err), RILL_EINVAL);
  assert_int_equal(strlen(err), sizeof err - 1);
  assert_memory_equal(err, "unknown scheme ", 15);

  memset(err, 'z', sizeof err);
  assert_int_equal(uri_parse("http://x:1", &u, err, 1), RILL_EINVAL);
  assert_int_equal(err[0], '\0');
  assert_int_equal(err[1], 'z');

  /* A long input is quoted only in part, and says so. */
  memset(text, 'q', sizeof text);
  memcpy(text, "rtp://1.2.3.4:1/", 16);
  text[sizeof text - 1] = '\0';
  assert_int_equal(uri_parse(text, &u, big, sizeof big), RILL_EINVAL);
  assert_contains(big, "unexpected path '/qqqq");
  assert_contains(big, "qqq...' in URI");
  assert_true(strlen(big) < 100);
}

static void uri_success_clears_message(void **state)
{
  struct rill_uri u;
  char err[ERR_CAP] = "stale message";
  (void)state;
  assert_int_equal(uri_parse("rtp://1.2.3.4:1", &u, err, sizeof err), RILL_OK);
  assert_string_equal(err, "");
}

static void uri_format_round_trips(void **state)
{
  static const char *const canonical[] = {
      "rtp://1.2.3.4:10001",    "rtp+rs8m://0.0.0.0:10001",   "rs8m://[::1]:10002",
      "rtp+ldpc://[::]:1",      "ldpc://example.com:65535",   "rtcp://localhost:10003",
      "rtp://[2001:db8::42]:5", "rtp://[::ffff:192.0.2.1]:7",
  };
  struct rill_uri u, again;
  char buf[URI_FORMAT_MAX];
  size_t i;
  (void)state;
  for (i = 0; i < sizeof canonical / sizeof canonical[0]; i++) {
    parse_ok(canonical[i], 0, &u);
    assert_int_equal(uri_format(&u, buf, sizeof buf), RILL_OK);
    assert_string_equal(buf, canonical[i]);
    parse_ok(buf, 0, &again);
    assert_int_equal(again.scheme, u.scheme);
    assert_string_equal(again.host, u.host);
    assert_int_equal(again.port, u.port);
    assert_int_equal(again.port_given, u.port_given);
    assert_int_equal(again.family_hint, u.family_hint);
    assert_int_equal(again.host_is_any, u.host_is_any);
  }

  /* Normalised: lower-case scheme, no leading zeros in the port. */
  parse_ok("RTP+LDPC://[::1]:0080", 0, &u);
  assert_int_equal(uri_format(&u, buf, sizeof buf), RILL_OK);
  assert_string_equal(buf, "rtp+ldpc://[::1]:80");

  /* Port 0 and no port. */
  parse_ok("rtp://0.0.0.0:0", URI_ALLOW_PORT_ZERO, &u);
  assert_int_equal(uri_format(&u, buf, sizeof buf), RILL_OK);
  assert_string_equal(buf, "rtp://0.0.0.0:0");
  parse_ok("rtcp://[::1]", URI_ALLOW_NO_PORT, &u);
  assert_int_equal(uri_format(&u, buf, sizeof buf), RILL_OK);
  assert_string_equal(buf, "rtcp://[::1]");
}

static void uri_format_brackets_any_host_with_colon(void **state)
{
  struct rill_uri u;
  char buf[URI_FORMAT_MAX];
  (void)state;
  memset(&u, 0, sizeof u);
  u.scheme = URI_SCHEME_RTP;
  strcpy(u.host, "::1");
  u.family_hint = AF_UNSPEC;
  u.port = 9;
  u.port_given = true;
  assert_int_equal(uri_format(&u, buf, sizeof buf), RILL_OK);
  assert_string_equal(buf, "rtp://[::1]:9");
}

static void uri_format_reports_small_buffer(void **state)
{
  struct rill_uri u;
  char buf[URI_FORMAT_MAX];
  const char *text = "rtp://1.2.3.4:10001";
  size_t len = strlen(text);
  (void)state;
  parse_ok(text, 0, &u);
  assert_int_equal(uri_format(&u, buf, len + 1), RILL_OK);
  assert_string_equal(buf, text);
  assert_int_equal(uri_format(&u, buf, len), RILL_ENOSPC);
  assert_int_equal(strlen(buf), len - 1);
  assert_memory_equal(buf, text, len - 1);
  assert_int_equal(uri_format(&u, buf, 1), RILL_ENOSPC);
  assert_string_equal(buf, "");
}

static void uri_format_fits_longest_uri(void **state)
{
  struct rill_uri u;
  char buf[URI_FORMAT_MAX];
  (void)state;
  memset(&u, 0, sizeof u);
  u.scheme = URI_SCHEME_RTP_LDPC;
  memset(u.host, ':', sizeof u.host - 1);
  u.family_hint = AF_INET6;
  u.port = 65535;
  u.port_given = true;
  assert_int_equal(uri_format(&u, buf, sizeof buf), RILL_OK);
  assert_int_equal(strlen(buf), strlen("rtp+ldpc://[]:65535") + sizeof u.host - 1);
}

static void uri_format_rejects_invalid_uri(void **state)
{
  struct rill_uri u;
  char buf[URI_FORMAT_MAX];
  (void)state;
  parse_ok("rtp://1.2.3.4:1", 0, &u);
  assert_int_equal(uri_format(NULL, buf, sizeof buf), RILL_EINVAL);
  assert_string_equal(buf, "");
  assert_int_equal(uri_format(&u, NULL, sizeof buf), RILL_EINVAL);
  assert_int_equal(uri_format(&u, buf, 0), RILL_EINVAL);

  u.scheme = URI_SCHEME_NONE;
  strcpy(buf, "junk");
  assert_int_equal(uri_format(&u, buf, sizeof buf), RILL_EINVAL);
  assert_string_equal(buf, "");
  u.scheme = (enum uri_scheme)99;
  assert_int_equal(uri_format(&u, buf, sizeof buf), RILL_EINVAL);

  u.scheme = URI_SCHEME_RTP;
  u.host[0] = '\0';
  assert_int_equal(uri_format(&u, buf, sizeof buf), RILL_EINVAL);
  memset(u.host, 'a', sizeof u.host); /* no terminator */
  assert_int_equal(uri_format(&u, buf, sizeof buf), RILL_EINVAL);
  assert_string_equal(buf, "");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(uri_scheme_table_matches_roc),
      cmocka_unit_test(uri_parses_every_scheme),
      cmocka_unit_test(uri_scheme_is_case_insensitive),
      cmocka_unit_test(uri_parses_ipv4_literals),
      cmocka_unit_test(uri_parses_ipv6_literals_in_brackets),
      cmocka_unit_test(uri_parses_host_names),
      cmocka_unit_test(uri_parses_port_forms),
      cmocka_unit_test(uri_port_zero_only_when_allowed),
      cmocka_unit_test(uri_port_may_be_optional),
      cmocka_unit_test(uri_rejects_missing_or_empty_input),
      cmocka_unit_test(uri_rejects_bad_schemes),
      cmocka_unit_test(uri_rejects_missing_and_bad_ports),
      cmocka_unit_test(uri_rejects_bad_hosts),
      cmocka_unit_test(uri_rejects_long_hosts_and_labels),
      cmocka_unit_test(uri_rejects_bad_ipv4_literals),
      cmocka_unit_test(uri_rejects_bad_ipv6_literals),
      cmocka_unit_test(uri_rejects_path_query_and_fragment),
      cmocka_unit_test(uri_rejects_whitespace_and_control_characters),
      cmocka_unit_test(uri_message_is_truncated_safely),
      cmocka_unit_test(uri_success_clears_message),
      cmocka_unit_test(uri_format_round_trips),
      cmocka_unit_test(uri_format_brackets_any_host_with_colon),
      cmocka_unit_test(uri_format_reports_small_buffer),
      cmocka_unit_test(uri_format_fits_longest_uri),
      cmocka_unit_test(uri_format_rejects_invalid_uri),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

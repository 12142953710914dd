#!/usr/bin/env bash
# librill-roc.so exports exactly roc-toolkit 0.4's 46 functions, each
# versioned roc_*@@ROC (as roc's own libroc.so.0.4 does), nothing else
# (rill's functions stay local), under the soname libroc.so.0.4; and a
# program linked against it needs libroc.so.0.4 and binds roc_*@ROC.
#
# usage: roc_symbols.sh LIBRILL_ROC_SO PROGRAM
set -euo pipefail
lib=$1 prog=$2
fail() { echo "FAIL: $*" >&2; exit 1; }

expected="roc_context_close roc_context_open roc_context_register_encoding
roc_endpoint_allocate roc_endpoint_deallocate roc_endpoint_get_host roc_endpoint_get_port
roc_endpoint_get_protocol roc_endpoint_get_resource roc_endpoint_get_uri roc_endpoint_set_host
roc_endpoint_set_port roc_endpoint_set_protocol roc_endpoint_set_resource roc_endpoint_set_uri
roc_log_set_handler roc_log_set_level
roc_receiver_bind roc_receiver_close roc_receiver_configure roc_receiver_open roc_receiver_query
roc_receiver_read roc_receiver_unlink
roc_receiver_decoder_activate roc_receiver_decoder_close roc_receiver_decoder_open
roc_receiver_decoder_pop_feedback_packet roc_receiver_decoder_pop_frame
roc_receiver_decoder_push_packet roc_receiver_decoder_query
roc_sender_close roc_sender_configure roc_sender_connect roc_sender_open roc_sender_query
roc_sender_unlink roc_sender_write
roc_sender_encoder_activate roc_sender_encoder_close roc_sender_encoder_open
roc_sender_encoder_pop_packet roc_sender_encoder_push_feedback_packet
roc_sender_encoder_push_frame roc_sender_encoder_query
roc_version_load"
want=$(echo $expected | tr ' ' '\n' | sed 's/$/@@ROC/' | sort)
[ "$(echo "$want" | wc -l)" -eq 46 ] || fail "the expected list is not 46 names"

# Defined global symbols of the dynamic table (the ROC version node itself
# is an ABS OBJECT, as in roc's library).
got=$(readelf --dyn-syms -W "$lib" | awk '$5 == "GLOBAL" && $7 != "UND" && $4 == "FUNC" { print $8 }' | sort)
if [ "$got" != "$want" ]; then
  diff <(echo "$want") <(echo "$got") >&2 || true
  fail "exported functions differ from roc 0.4's (< expected, > exported)"
fi
others=$(readelf --dyn-syms -W "$lib" | awk '$5 == "GLOBAL" && $7 != "UND" && $4 != "FUNC" { print $8 }')
[ "$others" = ROC ] || [ "$others" = ROC@@ROC ] || fail "unexpected non-function exports: $others"
nm -D --defined-only "$lib" | grep -q ' rill_' && fail "rill_* symbols are exported"

soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = libroc.so.0.4 ] || fail "soname is '$soname', expected libroc.so.0.4"

readelf -d "$prog" | grep -q 'NEEDED.*\[libroc.so.0.4\]' || fail "$prog does not need libroc.so.0.4"
readelf --dyn-syms -W "$prog" | grep -q 'roc_sender_write@ROC' \
  || fail "$prog does not bind roc_sender_write@ROC"
echo "46 functions exported as roc_*@@ROC, soname $soname: OK"

/* Names of TLS errors, alerts, cipher suites and curves. See tls.h. */
#include <pith/err.h>
#include "tls.h"

/* TLS alerts (RFC 5246 7.2, RFC 8446 6, and the extensions' RFCs). */
#define TLS_ALERTS(X)                                                          \
    X(0, "close_notify")                                                       \
    X(10, "unexpected_message")                                                \
    X(20, "bad_record_mac")                                                    \
    X(21, "decryption_failed")                                                 \
    X(22, "record_overflow")                                                   \
    X(30, "decompression_failure")                                             \
    X(40, "handshake_failure")                                                 \
    X(41, "no_certificate")                                                    \
    X(42, "bad_certificate")                                                   \
    X(43, "unsupported_certificate")                                           \
    X(44, "certificate_revoked")                                               \
    X(45, "certificate_expired")                                               \
    X(46, "certificate_unknown")                                               \
    X(47, "illegal_parameter")                                                 \
    X(48, "unknown_ca")                                                        \
    X(49, "access_denied")                                                     \
    X(50, "decode_error")                                                      \
    X(51, "decrypt_error")                                                     \
    X(60, "export_restriction")                                                \
    X(70, "protocol_version")                                                  \
    X(71, "insufficient_security")                                             \
    X(80, "internal_error")                                                    \
    X(86, "inappropriate_fallback")                                            \
    X(90, "user_canceled")                                                     \
    X(100, "no_renegotiation")                                                 \
    X(109, "missing_extension")                                                \
    X(110, "unsupported_extension")                                            \
    X(112, "unrecognized_name")                                                \
    X(116, "certificate_required")                                             \
    X(120, "no_application_protocol")

struct tls_name {
    int code;
    const char *name;
};

#define RECV(code, name) {code, "received alert " name},
#define SENT(code, name) {code, "sent alert " name},
static const struct tls_name recv_alerts[] = {TLS_ALERTS(RECV){-1, NULL}};
static const struct tls_name sent_alerts[] = {TLS_ALERTS(SENT){-1, NULL}};

/* BearSSL's codes (bearssl_ssl.h) and pith's (tls.h). */
static const struct tls_name codes[] = {
    {BR_ERR_BAD_PARAM, "bad_param"},
    {BR_ERR_BAD_STATE, "bad_state"},
    {BR_ERR_UNSUPPORTED_VERSION, "unsupported_version"},
    {BR_ERR_BAD_VERSION, "bad_version"},
    {BR_ERR_BAD_LENGTH, "bad_length"},
    {BR_ERR_TOO_LARGE, "too_large"},
    {BR_ERR_BAD_MAC, "bad_mac"},
    {BR_ERR_NO_RANDOM, "no_random"},
    {BR_ERR_UNKNOWN_TYPE, "unknown_type"},
    {BR_ERR_UNEXPECTED, "unexpected"},
    {BR_ERR_BAD_CCS, "bad_ccs"},
    {BR_ERR_BAD_ALERT, "bad_alert"},
    {BR_ERR_BAD_HANDSHAKE, "bad_handshake"},
    {BR_ERR_OVERSIZED_ID, "oversized_id"},
    {BR_ERR_BAD_CIPHER_SUITE, "bad_cipher_suite"},
    {BR_ERR_BAD_COMPRESSION, "bad_compression"},
    {BR_ERR_BAD_FRAGLEN, "bad_fraglen"},
    {BR_ERR_BAD_SECRENEG, "bad_secreneg"},
    {BR_ERR_EXTRA_EXTENSION, "extra_extension"},
    {BR_ERR_BAD_SNI, "bad_sni"},
    {BR_ERR_BAD_HELLO_DONE, "bad_hello_done"},
    {BR_ERR_LIMIT_EXCEEDED, "limit_exceeded"},
    {BR_ERR_BAD_FINISHED, "bad_finished"},
    {BR_ERR_RESUME_MISMATCH, "resume_mismatch"},
    {BR_ERR_INVALID_ALGORITHM, "invalid_algorithm"},
    {BR_ERR_BAD_SIGNATURE, "bad_signature"},
    {BR_ERR_WRONG_KEY_USAGE, "wrong_key_usage"},
    {BR_ERR_NO_CLIENT_AUTH, "no_client_auth"},
    {BR_ERR_IO, "io"},
    {TLS_E_TRUNCATED, "truncated"},
    {TLS_E_RESUME_NAME, "resume_name"},
    {-1, NULL},
};

static const char *lookup(const struct tls_name *t, int code, const char *dflt)
{
    for (; t->name; t++)
        if (t->code == code)
            return t->name;
    return dflt;
}

const char *tls_strerror(int err)
{
    int code;

    if (err == 0)
        return "ok";
    if (!TLS_IS_ERR(err))
        return pith_strerror(err);
    code = TLS_ERR_CODE(err);
    if (code >= BR_ERR_SEND_FATAL_ALERT)
        return lookup(sent_alerts, code - BR_ERR_SEND_FATAL_ALERT,
                      "sent alert (unknown)");
    if (code >= BR_ERR_RECV_FATAL_ALERT)
        return lookup(recv_alerts, code - BR_ERR_RECV_FATAL_ALERT,
                      "received alert (unknown)");
    return lookup(codes, code, "unknown TLS error");
}

static const struct tls_name suites[] = {
    {BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
     "ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
     "ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
     "ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
     "ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
     "ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
     "ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {-1, NULL},
};

const char *tls_suite_name(unsigned suite)
{
    return lookup(suites, (int)suite, "?");
}

static const struct tls_name curves[] = {
    {BR_EC_secp256r1, "secp256r1"}, {BR_EC_secp384r1, "secp384r1"},
    {BR_EC_secp521r1, "secp521r1"}, {BR_EC_curve25519, "x25519"},
    {BR_EC_curve448, "x448"},       {-1, NULL},
};

const char *tls_curve_name(int curve)
{
    return lookup(curves, curve, "?");
}

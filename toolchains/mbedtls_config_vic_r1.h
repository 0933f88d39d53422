/*
 * vic-r1's Mbed TLS configuration: a TLS client and nothing else.
 *
 * The same header configures the host build (tests) and the robot build, so
 * what the tests exercise is what ships. Every option below is enabled for a
 * stated reason; anything not listed is off. Mbed TLS's own check_config.h
 * rejects an inconsistent set at compile time.
 */
#ifndef VIC_R1_MBEDTLS_CONFIG_H
#define VIC_R1_MBEDTLS_CONFIG_H

/* ---- Platform ------------------------------------------------------------ */
#define MBEDTLS_PLATFORM_C          /* calloc/free and time hooks the library calls through */
#define MBEDTLS_HAVE_ASM            /* inline assembly for bignum on ARM and x86: handshake speed */
#define MBEDTLS_HAVE_TIME           /* session ticket lifetimes */
#define MBEDTLS_HAVE_TIME_DATE      /* certificate validity dates are checked against the clock */
#define MBEDTLS_FS_IO               /* the CA bundle is read from a file named in the config */
#define MBEDTLS_ERROR_C             /* readable reasons in errors spoken to the user and logged */
#define MBEDTLS_VERSION_C           /* `vic-r1 version` reports the library version at run time */
#define MBEDTLS_DEPRECATED_REMOVED  /* keep deprecated interfaces out of our code */

/* ---- Randomness ---------------------------------------------------------- */
#define MBEDTLS_ENTROPY_C           /* seeds the DRBG from the kernel (getrandom or /dev/urandom) */
#define MBEDTLS_CTR_DRBG_C          /* the DRBG behind handshake randomness and PSA */

/* ---- Protocol ------------------------------------------------------------ */
#define MBEDTLS_SSL_TLS_C           /* TLS itself */
#define MBEDTLS_SSL_CLI_C           /* client side only: vic-r1 never accepts TLS connections */
#define MBEDTLS_SSL_PROTO_TLS1_3    /* what DeepSeek and most providers negotiate today */
#define MBEDTLS_SSL_PROTO_TLS1_2    /* self-hosted servers (vLLM, llama.cpp behind a proxy) may offer only 1.2 */
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED     /* full TLS 1.3 handshake with ECDHE */
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL_ENABLED /* TLS 1.3 resumption from a ticket, still with ECDHE */
#define MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE /* middleboxes on home networks drop 1.3 without it */
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE /* required by TLS 1.3; also lets us pin the server's public key */
#define MBEDTLS_SSL_SESSION_TICKETS /* reconnects resume instead of a full handshake */
#define MBEDTLS_SSL_SERVER_NAME_INDICATION /* SNI: shared front ends pick the certificate by name */
#define MBEDTLS_SSL_ALPN            /* announce http/1.1 so front ends do not guess */
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET /* RFC 7627: binds TLS 1.2 sessions to their handshake */
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED /* TLS 1.2 with ECDSA server certificates */
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED   /* TLS 1.2 with RSA server certificates */

/* Forward-secret AEAD suites only. */
#define MBEDTLS_SSL_CIPHERSUITES \
    MBEDTLS_TLS1_3_AES_128_GCM_SHA256, \
    MBEDTLS_TLS1_3_AES_256_GCM_SHA384, \
    MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256, \
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, \
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, \
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, \
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, \
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, \
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256

/* Record buffers: 16 KiB in is what a server may send in one record; our
 * requests are small, so 4 KiB out keeps the per-connection footprint down. */
#define MBEDTLS_SSL_IN_CONTENT_LEN  16384
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096

/* ---- Symmetric crypto ---------------------------------------------------- */
#define MBEDTLS_CIPHER_C            /* generic cipher layer used by the record protection */
#define MBEDTLS_AES_C               /* AES-GCM suites */
#define MBEDTLS_GCM_C               /* AES-GCM suites */
#define MBEDTLS_CHACHA20_C          /* ChaCha20-Poly1305: fast on cores without AES instructions, like the Cortex-A7 */
#define MBEDTLS_POLY1305_C          /* ChaCha20-Poly1305 */
#define MBEDTLS_CHACHAPOLY_C        /* ChaCha20-Poly1305 */
#define MBEDTLS_MD_C                /* generic hash layer: HMAC, HKDF, signatures */
#define MBEDTLS_SHA256_C            /* handshake transcript, HKDF and certificate signatures */
#define MBEDTLS_SHA224_C            /* part of the SHA-256 family the X.509 code expects to find */
#define MBEDTLS_SHA384_C            /* the *_SHA384 suites and SHA-384-signed certificates */
#define MBEDTLS_SHA512_C            /* SHA-384 is computed by the SHA-512 code; SHA-512-signed certificates */
#define MBEDTLS_HKDF_C              /* TLS 1.3 key schedule */

/* ---- Public key and certificates ---------------------------------------- */
#define MBEDTLS_BIGNUM_C            /* RSA and elliptic-curve arithmetic */
#define MBEDTLS_RSA_C               /* RSA server certificates and CA signatures */
#define MBEDTLS_PKCS1_V15           /* RSA PKCS#1 v1.5 signatures on certificates */
#define MBEDTLS_PKCS1_V21           /* RSA-PSS: TLS 1.3 handshake signatures with RSA keys */
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT /* certificates signed with RSA-PSS */
#define MBEDTLS_ECP_C               /* elliptic curves */
#define MBEDTLS_ECP_NIST_OPTIM      /* fast reduction for P-256/P-384: handshake time on the robot */
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED /* P-256: most common ECDHE group and ECDSA key */
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED /* P-384: some CA keys and servers */
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED /* X25519: the key share servers prefer */
#define MBEDTLS_ECDH_C              /* ECDHE key exchange */
#define MBEDTLS_ECDSA_C             /* ECDSA signatures from servers and CAs */
#define MBEDTLS_ASN1_PARSE_C        /* certificates and keys are ASN.1 */
#define MBEDTLS_ASN1_WRITE_C        /* ECDSA signature encoding inside the PSA layer */
#define MBEDTLS_OID_C               /* algorithm and extension identifiers in certificates */
#define MBEDTLS_PK_C                /* generic public-key layer */
#define MBEDTLS_PK_PARSE_C          /* public keys in certificates, and pinned keys from the config */
#define MBEDTLS_X509_USE_C          /* X.509 support */
#define MBEDTLS_X509_CRT_PARSE_C    /* server and CA certificates: chain and host name verification */
#define MBEDTLS_PEM_PARSE_C         /* CA bundles on disk are PEM */
#define MBEDTLS_BASE64_C            /* PEM */

/* ---- PSA ----------------------------------------------------------------- */
#define MBEDTLS_PSA_CRYPTO_C        /* Mbed TLS 3.6 runs the TLS 1.3 key schedule through PSA */

#endif /* VIC_R1_MBEDTLS_CONFIG_H */

/**
 * A valid PKCS#10 certificate request (P-256 key, CN and SAN
 * webhook-check.cdktf-cilium.invalid), generated once with
 *   openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
 *     -subj "/CN=webhook-check.cdktf-cilium.invalid" \
 *     -addext "subjectAltName=DNS:webhook-check.cdktf-cilium.invalid"
 * The private key was discarded: the request is only ever sent in server-side
 * dry-run creates, to make cert-manager's webhook parse and mutate it. Nothing is
 * signed or stored. __tests__ verifies its signature with openssl.
 */
export const PROBE_CSR_PEM = `-----BEGIN CERTIFICATE REQUEST-----
MIIBKDCBzwIBADAtMSswKQYDVQQDDCJ3ZWJob29rLWNoZWNrLmNka3RmLWNpbGl1
bS5pbnZhbGlkMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAExgvlaIAJv5PUuiB5
pWf8sCrPQo3fjCZA4lEKX0Xo9ZgzPFPdzoA9mBK4yD5vN4wfKonfoyG+8ypU9NSj
7G2TdaBAMD4GCSqGSIb3DQEJDjExMC8wLQYDVR0RBCYwJIIid2ViaG9vay1jaGVj
ay5jZGt0Zi1jaWxpdW0uaW52YWxpZDAKBggqhkjOPQQDAgNIADBFAiAujk2v+iT0
4zV89dSTxvlD8lrbmZ3QaB4JUwtFgkmkwwIhAOWjZBExr8ff7YTvXDSw4zxaFyQR
x2aDFIZBWV0/4uf8
-----END CERTIFICATE REQUEST-----
`;

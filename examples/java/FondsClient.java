/*
 * Fonds example client in Java 17: signed submissions and webhook verification
 * (接入系统示例客户端).
 *
 * A single source file with no dependencies beyond the JDK (java.net.http, javax.crypto,
 * java.security). It implements the signing scheme of docs/integration.md with HMAC-SHA256 or
 * HMAC-SM3; SM3 (GB/T 32905-2016) and HMAC-SM3 (RFC 2104) are written out below because the JDK
 * has no SM3.
 *
 *   java examples/java/FondsClient.java selftest
 *   java examples/java/FondsClient.java submit-demo --base http://127.0.0.1:8080 \
 *       --client fc_... --secret fcs_... [--algorithm hmac-sm3] [--fonds Z001]
 *
 * --secret may be left out when the environment variable FONDS_CLIENT_SECRET holds it.
 * Exit codes: 0 the submission was accepted (or the self-test passed), 1 it was not (or a check
 * failed, or Fonds refused a request), 2 the command line is wrong.
 */

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public final class FondsClient {

    // ---------------------------------------------------------------------------------------
    // The scheme's constants
    // ---------------------------------------------------------------------------------------

    /** Configuration name of each algorithm -> first line of the string to sign. */
    static final Map<String, String> SCHEMES =
            Map.of("hmac-sha256", "FONDS1-HMAC-SHA256", "hmac-sm3", "FONDS1-HMAC-SM3");
    /** How far a timestamp may be from the server's clock, in seconds. */
    static final long TIMESTAMP_WINDOW = 300;

    static final Pattern CLIENT_ID = Pattern.compile("fc_[0-9a-f]{24}");
    static final Pattern SECRET = Pattern.compile("fcs_[0-9a-f]{64}");
    static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{16,64}");
    static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,128}");
    static final Pattern PART_NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    static final String H_CLIENT = "X-Fonds-Client";
    static final String H_TIMESTAMP = "X-Fonds-Timestamp";
    static final String H_NONCE = "X-Fonds-Nonce";
    static final String H_CONTENT = "X-Fonds-Content-SHA256";
    static final String H_SIGNATURE = "X-Fonds-Signature";

    static final HexFormat HEX = HexFormat.of();
    static final SecureRandom RANDOM = new SecureRandom();

    // ---------------------------------------------------------------------------------------
    // SM3 (GB/T 32905-2016) and HMAC (RFC 2104)
    // ---------------------------------------------------------------------------------------

    /** SM3, fed with update() and finished with digest(). */
    static final class Sm3 {
        private static final int[] IV = {
            0x7380166F, 0x4914B2B9, 0x172442D7, 0xDA8A0600,
            0xA96F30BC, 0x163138AA, 0xE38DEE4D, 0xB0FB0E4E,
        };
        private static final int[] TJ = new int[64]; // T_j rotated left by j

        static {
            for (int j = 0; j < 64; j++) {
                TJ[j] = Integer.rotateLeft(j < 16 ? 0x79CC4519 : 0x7A879D8A, j);
            }
        }

        private final int[] v = IV.clone();
        private final byte[] buffer = new byte[64];
        private int buffered;
        private long length;

        Sm3 update(byte[] data) {
            return update(data, 0, data.length);
        }

        Sm3 update(byte[] data, int offset, int len) {
            length += len;
            while (len > 0) {
                int n = Math.min(len, 64 - buffered);
                System.arraycopy(data, offset, buffer, buffered, n);
                buffered += n;
                offset += n;
                len -= n;
                if (buffered == 64) {
                    compress(v, buffer);
                    buffered = 0;
                }
            }
            return this;
        }

        /** Finishes the hash: padding as in SHA-256 (0x80, zeros, 64-bit big-endian bit length). */
        byte[] digest() {
            long bits = length * 8;
            byte[] pad = new byte[((55 - buffered) & 63) + 9];
            pad[0] = (byte) 0x80;
            for (int i = 0; i < 8; i++) {
                pad[pad.length - 1 - i] = (byte) (bits >>> (8 * i));
            }
            update(pad);
            byte[] out = new byte[32];
            for (int i = 0; i < 8; i++) {
                for (int k = 0; k < 4; k++) {
                    out[4 * i + k] = (byte) (v[i] >>> (24 - 8 * k));
                }
            }
            return out;
        }

        private static void compress(int[] v, byte[] block) {
            int[] w = new int[68];
            for (int i = 0; i < 16; i++) {
                w[i] = ((block[4 * i] & 0xFF) << 24) | ((block[4 * i + 1] & 0xFF) << 16)
                        | ((block[4 * i + 2] & 0xFF) << 8) | (block[4 * i + 3] & 0xFF);
            }
            for (int j = 16; j < 68; j++) {
                int x = w[j - 16] ^ w[j - 9] ^ Integer.rotateLeft(w[j - 3], 15);
                int p1 = x ^ Integer.rotateLeft(x, 15) ^ Integer.rotateLeft(x, 23);
                w[j] = p1 ^ Integer.rotateLeft(w[j - 13], 7) ^ w[j - 6];
            }
            int a = v[0], b = v[1], c = v[2], d = v[3], e = v[4], f = v[5], g = v[6], h = v[7];
            for (int j = 0; j < 64; j++) {
                int a12 = Integer.rotateLeft(a, 12);
                int ss1 = Integer.rotateLeft(a12 + e + TJ[j], 7);
                int ss2 = ss1 ^ a12;
                int ff = j < 16 ? a ^ b ^ c : (a & b) | (a & c) | (b & c);
                int gg = j < 16 ? e ^ f ^ g : (e & f) | (~e & g);
                int tt1 = ff + d + ss2 + (w[j] ^ w[j + 4]);
                int tt2 = gg + h + ss1 + w[j];
                d = c;
                c = Integer.rotateLeft(b, 9);
                b = a;
                a = tt1;
                h = g;
                g = Integer.rotateLeft(f, 19);
                f = e;
                e = tt2 ^ Integer.rotateLeft(tt2, 9) ^ Integer.rotateLeft(tt2, 17);
            }
            v[0] ^= a; v[1] ^= b; v[2] ^= c; v[3] ^= d;
            v[4] ^= e; v[5] ^= f; v[6] ^= g; v[7] ^= h;
        }
    }

    static byte[] sm3(byte[] data) {
        return new Sm3().update(data).digest();
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }

    /**
     * HMAC per RFC 2104 for any hash with a 64-byte block. A key longer than the block is first
     * replaced by its hash (a Fonds secret is 68 bytes, so it is), then padded with zeros.
     */
    static byte[] hmacRfc2104(UnaryOperator<byte[]> hash, byte[] key, byte[] message) {
        if (key.length > 64) {
            key = hash.apply(key);
        }
        byte[] k = Arrays.copyOf(key, 64);
        byte[] inner = new byte[64 + message.length];
        byte[] outer = new byte[64 + 32];
        for (int i = 0; i < 64; i++) {
            inner[i] = (byte) (k[i] ^ 0x36);
            outer[i] = (byte) (k[i] ^ 0x5C);
        }
        System.arraycopy(message, 0, inner, 64, message.length);
        System.arraycopy(hash.apply(inner), 0, outer, 64, 32);
        return hash.apply(outer);
    }

    static byte[] hmacSm3(byte[] key, byte[] message) {
        return hmacRfc2104(FondsClient::sm3, key, message);
    }

    static byte[] hmacSha256(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no HmacSHA256", e);
        }
    }

    /** Lower-case hex HMAC of the message with the named algorithm. */
    static String macHex(String algorithm, byte[] key, byte[] message) {
        switch (algorithm) {
            case "hmac-sha256": return HEX.formatHex(hmacSha256(key, message));
            case "hmac-sm3": return HEX.formatHex(hmacSm3(key, message));
            default: throw new IllegalArgumentException(
                    "unknown algorithm " + algorithm + ": use hmac-sha256 or hmac-sm3");
        }
    }

    // ---------------------------------------------------------------------------------------
    // The string to sign
    // ---------------------------------------------------------------------------------------

    /** The raw query split on '&', empty pieces dropped, sorted by their UTF-8 bytes, re-joined. */
    static String canonicalQuery(String query) {
        List<String> pieces = new ArrayList<>();
        for (String p : (query == null ? "" : query).split("&", -1)) {
            if (!p.isEmpty()) {
                pieces.add(p);
            }
        }
        pieces.sort((x, y) -> Arrays.compareUnsigned(
                x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8)));
        return String.join("&", pieces);
    }

    /** The eight lines joined by LF, without a trailing LF. */
    static String stringToSign(String algorithm, String clientId, String method, String path,
            String query, String timestamp, String nonce, String bodySha256) {
        String scheme = SCHEMES.get(algorithm);
        if (scheme == null) {
            throw new IllegalArgumentException(
                    "unknown algorithm " + algorithm + ": use hmac-sha256 or hmac-sm3");
        }
        return String.join("\n", scheme, clientId, method.toUpperCase(Locale.ROOT), path,
                canonicalQuery(query), timestamp, nonce, bodySha256);
    }

    /** 32 characters from A-Z a-z 0-9 - _ (24 random bytes, URL-safe base64). */
    static String newNonce() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The five signing headers for one request. */
    static Map<String, String> signRequest(String algorithm, String clientId, String secret,
            String method, String path, String query, byte[] body, String timestamp,
            String nonce) {
        if (!NONCE.matcher(nonce).matches()) {
            throw new IllegalArgumentException(
                    "a nonce is 16 to 64 characters from A-Z a-z 0-9 - _");
        }
        String bodySha256 = HEX.formatHex(sha256(body));
        String text = stringToSign(algorithm, clientId, method, path, query, timestamp, nonce,
                bodySha256);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(H_CLIENT, clientId);
        headers.put(H_TIMESTAMP, timestamp);
        headers.put(H_NONCE, nonce);
        headers.put(H_CONTENT, bodySha256);
        headers.put(H_SIGNATURE, macHex(algorithm, secret.getBytes(StandardCharsets.UTF_8),
                text.getBytes(StandardCharsets.UTF_8)));
        return headers;
    }

    // ---------------------------------------------------------------------------------------
    // Webhooks: verifying what Fonds sends
    // ---------------------------------------------------------------------------------------

    /**
     * Whether a webhook delivery really comes from Fonds and is intact: every signing header
     * present, the client id ours, the body's SHA-256 equal to the header, the timestamp within
     * 300 s of nowSeconds, and the recomputed signature equal to the header (constant-time).
     * path and query are those of the registered webhook URL. Deduplicate accepted deliveries
     * by X-Fonds-Delivery: one delivery may arrive more than once.
     */
    static boolean verifyWebhook(Map<String, String> headers, byte[] body, String clientId,
            String secret, String algorithm, String path, String query, long nowSeconds) {
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(headers);
        String gotClient = h.get(H_CLIENT);
        String ts = h.get(H_TIMESTAMP);
        String nonce = h.get(H_NONCE);
        String declared = h.get(H_CONTENT);
        String signature = h.get(H_SIGNATURE);
        if (gotClient == null || ts == null || nonce == null || declared == null
                || signature == null || !SCHEMES.containsKey(algorithm)) {
            return false;
        }
        if (!constantTimeEquals(gotClient, clientId) || !ts.matches("[0-9]{1,12}")
                || !NONCE.matcher(nonce).matches()) {
            return false;
        }
        String actual = HEX.formatHex(sha256(body));
        if (!constantTimeEquals(actual, declared)) {
            return false;
        }
        if (Math.abs(nowSeconds - Long.parseLong(ts)) > TIMESTAMP_WINDOW) {
            return false;
        }
        String text = stringToSign(algorithm, clientId, "POST", path, query, ts, nonce, actual);
        String expected = macHex(algorithm, secret.getBytes(StandardCharsets.UTF_8),
                text.getBytes(StandardCharsets.UTF_8));
        return constantTimeEquals(expected, signature.toLowerCase(Locale.ROOT));
    }

    static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8),
                b.getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------------------------------
    // Multipart bodies
    // ---------------------------------------------------------------------------------------

    /** One file to send: its multipart part name, a file name and its bytes. */
    record FilePart(String part, String fileName, byte[] content, String contentType) {}

    /** A submission's exact bytes. Resend these very bytes when retrying with the same key. */
    record Prepared(byte[] body, String contentType) {}

    /**
     * The multipart/form-data body: the manifest part first, then one part per file. The
     * filename parameter is kept ASCII (the real name travels in the manifest's file_name);
     * the boundary is random and checked not to occur in any part.
     */
    static Prepared buildMultipart(Map<String, Object> manifest, List<FilePart> files) {
        byte[] manifestBytes = Json.write(manifest, false).getBytes(StandardCharsets.UTF_8);
        for (FilePart f : files) {
            if (!PART_NAME.matcher(f.part()).matches() || f.part().equals("manifest")) {
                throw new IllegalArgumentException("part name " + f.part()
                        + ": use 1-100 ASCII letters, digits, . _ -");
            }
        }
        String boundary;
        while (true) {
            byte[] random = new byte[16];
            RANDOM.nextBytes(random);
            boundary = "----FondsBoundary" + HEX.formatHex(random);
            byte[] b = boundary.getBytes(StandardCharsets.US_ASCII);
            boolean clash = indexOf(manifestBytes, b) >= 0;
            for (FilePart f : files) {
                clash |= indexOf(f.content(), b) >= 0;
            }
            if (!clash) {
                break;
            }
        }
        var out = new java.io.ByteArrayOutputStream();
        writePart(out, boundary, List.of("Content-Disposition: form-data; name=\"manifest\"",
                "Content-Type: application/json; charset=utf-8"), manifestBytes);
        for (FilePart f : files) {
            String name = f.fileName();
            int dot = name.lastIndexOf('.');
            String ext = dot >= 0 ? name.substring(dot) : "";
            String asciiName = f.part() + (ext.matches("\\.[A-Za-z0-9]{1,8}") ? ext : "");
            writePart(out, boundary, List.of(
                    "Content-Disposition: form-data; name=\"" + f.part() + "\"; filename=\""
                            + asciiName + "\"",
                    "Content-Type: " + f.contentType()), f.content());
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return new Prepared(out.toByteArray(), "multipart/form-data; boundary=" + boundary);
    }

    private static void writePart(java.io.ByteArrayOutputStream out, String boundary,
            List<String> headers, byte[] content) {
        StringBuilder head = new StringBuilder("--").append(boundary).append("\r\n");
        for (String line : headers) {
            head.append(line).append("\r\n");
        }
        head.append("\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(content);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    // ---------------------------------------------------------------------------------------
    // The client
    // ---------------------------------------------------------------------------------------

    /** A refusal from Fonds (an RFC 9457 problem document) or a transport failure. */
    static final class FondsException extends Exception {
        private static final long serialVersionUID = 1L;
        final int status; // 0 for a network failure
        final Map<String, Object> problem;

        FondsException(int status, Map<String, Object> problem, String message) {
            super(message);
            this.status = status;
            this.problem = problem;
        }

        String code() {
            return problem == null ? null : (String) problem.get("code");
        }
    }

    final String baseUrl;
    final String prefix; // the server's path prefix, signed as part of the path
    final String clientId;
    private final String secret;
    final String algorithm;
    final int maxAttempts = 4;
    final Duration timeout = Duration.ofSeconds(60);
    final HttpClient http;

    /**
     * A signing client. baseUrl is the server root, e.g. http://127.0.0.1:8080 (a trailing
     * /api/v1 is tolerated). A path prefix is part of the signed path, so a reverse proxy in
     * front of Fonds must pass the path through unchanged.
     */
    FondsClient(String baseUrl, String clientId, String secret, String algorithm) {
        if (!SCHEMES.containsKey(algorithm)) {
            throw new IllegalArgumentException(
                    "unknown algorithm " + algorithm + ": use hmac-sha256 or hmac-sm3");
        }
        if (!CLIENT_ID.matcher(clientId).matches()) {
            throw new IllegalArgumentException(
                    "a client id is fc_ followed by 24 lower-case hex digits");
        }
        if (secret == null || !SECRET.matcher(secret).matches()) {
            throw new IllegalArgumentException(
                    "a client secret is fcs_ followed by 64 lower-case hex digits");
        }
        String base = baseUrl.replaceAll("/+$", "");
        if (base.endsWith("/api/v1")) {
            base = base.substring(0, base.length() - "/api/v1".length());
        }
        URI uri = URI.create(base);
        if (uri.getHost() == null
                || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new IllegalArgumentException("--base must be an http(s) URL, not " + baseUrl);
        }
        this.baseUrl = base;
        this.prefix = uri.getRawPath() == null ? "" : uri.getRawPath();
        this.clientId = clientId;
        this.secret = secret;
        this.algorithm = algorithm;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public String toString() { // never show the secret
        return "FondsClient(" + baseUrl + ", " + clientId + ", <secret>, " + algorithm + ")";
    }

    /** The signing headers for a request to path (without the server's path prefix). */
    Map<String, String> sign(String method, String path, String query, byte[] body) {
        return signRequest(algorithm, clientId, secret, method, prefix + path, query, body,
                Long.toString(System.currentTimeMillis() / 1000), newNonce());
    }

    /**
     * Sends a signed request and returns a 2xx response. With retry, network errors, 429 (after
     * Retry-After) and 5xx are retried with exponential back-off and full jitter, each attempt
     * freshly signed over the same body; any other 4xx fails at once: it would fail again until
     * the request is fixed.
     */
    HttpResponse<byte[]> request(String method, String path, String query, byte[] body,
            Map<String, String> extra, boolean retry, Duration requestTimeout)
            throws FondsException, InterruptedException {
        URI uri = URI.create(baseUrl + path + (query.isEmpty() ? "" : "?" + query));
        for (int attempt = 1; ; attempt++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(requestTimeout)
                    .method(method, body.length == 0
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            extra.forEach(b::header);
            sign(method, path, query, body).forEach(b::header);
            HttpResponse<byte[]> response;
            try {
                response = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                if (retry && attempt < maxAttempts) {
                    backOff(attempt, -1, "network error: " + e);
                    continue;
                }
                throw new FondsException(0, null, method + " " + path + ": network error: " + e);
            }
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return response;
            }
            if (retry && (status == 429 || status >= 500) && attempt < maxAttempts) {
                backOff(attempt, retryAfterSeconds(
                        response.headers().firstValue("Retry-After").orElse(null)),
                        "HTTP " + status);
                continue;
            }
            throw error(method, path, response);
        }
    }

    private static void backOff(int attempt, double retryAfter, String why)
            throws InterruptedException {
        double delay = retryAfter >= 0 ? retryAfter
                : ThreadLocalRandom.current().nextDouble() * Math.min(30, 1 << attempt);
        delay = Math.min(delay, 300);
        System.err.printf(Locale.ROOT, "  %s; retrying in %.1f s%n", why, delay);
        Thread.sleep((long) (delay * 1000));
    }

    /** Retry-After as seconds (delta-seconds or an HTTP date); -1 when absent or unreadable. */
    static double retryAfterSeconds(String value) {
        if (value == null || value.isBlank()) {
            return -1;
        }
        String v = value.trim();
        if (v.matches("[0-9]+")) {
            return Double.parseDouble(v);
        }
        try {
            ZonedDateTime when = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
            return Math.max(0, Duration.between(ZonedDateTime.now(), when).toMillis() / 1000.0);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    @SuppressWarnings("unchecked")
    private static FondsException error(String method, String path, HttpResponse<byte[]> r) {
        String text = new String(r.body(), StandardCharsets.UTF_8);
        Map<String, Object> problem = Map.of();
        try {
            Object parsed = Json.parse(text);
            if (parsed instanceof Map) {
                problem = (Map<String, Object>) parsed;
            }
        } catch (IllegalArgumentException e) {
            // not JSON: the message carries the start of the text instead
        }
        Object code = problem.getOrDefault("code", "?");
        Object detail = problem.get("detail");
        if (detail == null || detail.toString().isEmpty()) {
            detail = problem.getOrDefault("title", text.substring(0, Math.min(200, text.length())));
        }
        return new FondsException(r.statusCode(), problem,
                method + " " + path + ": HTTP " + r.statusCode() + " " + code + ": " + detail);
    }

    /** Submits a prepared body (the same bytes each time) under an idempotency key. */
    @SuppressWarnings("unchecked")
    Map<String, Object> submit(Prepared prepared, String idempotencyKey)
            throws FondsException, InterruptedException {
        String key = idempotencyKey != null
                ? idempotencyKey
                : "sub-" + HEX.formatHex(randomBytes(16));
        if (!IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw new IllegalArgumentException(
                    "an Idempotency-Key is 1 to 128 printable ASCII characters");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", prepared.contentType());
        headers.put("Idempotency-Key", key);
        headers.put("Accept", "application/json");
        HttpResponse<byte[]> r = request("POST", "/api/v1/submissions", "", prepared.body(),
                headers, true, timeout);
        return (Map<String, Object>) Json.parse(new String(r.body(), StandardCharsets.UTF_8));
    }

    /** Submits records: builds the body once, then sends it (retries resend the same bytes). */
    Map<String, Object> submit(Map<String, Object> manifest, List<FilePart> files,
            String idempotencyKey) throws FondsException, InterruptedException {
        return submit(buildMultipart(manifest, files), idempotencyKey);
    }

    /**
     * A submission's state; with wait > 0, Fonds answers as soon as the outcome is known or when
     * the wait is over.
     */
    @SuppressWarnings("unchecked")
    Map<String, Object> status(String submissionId, int wait)
            throws FondsException, InterruptedException {
        if (!submissionId.matches("[A-Za-z0-9_-]{1,100}")) {
            throw new IllegalArgumentException("not a submission id: " + submissionId);
        }
        String query = wait > 0 ? "wait=" + wait : "";
        HttpResponse<byte[]> r = request("GET", "/api/v1/submissions/" + submissionId, query,
                new byte[0], Map.of("Accept", "application/json"), true,
                timeout.plusSeconds(Math.max(0, wait)));
        return (Map<String, Object>) Json.parse(new String(r.body(), StandardCharsets.UTF_8));
    }

    /** Polls with ?wait= until the state is accepted or rejected, or the deadline passes. */
    Map<String, Object> waitForOutcome(String submissionId, int wait, Duration deadline)
            throws FondsException, InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            Map<String, Object> status = status(submissionId, wait);
            Object state = status.get("state");
            if ("accepted".equals(state) || "rejected".equals(state) || System.nanoTime() >= end) {
                return status;
            }
        }
    }

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    // ---------------------------------------------------------------------------------------
    // Demo material: a 记账凭证 with its 数电票 and OA approval form
    // ---------------------------------------------------------------------------------------

    /**
     * A tiny but valid one-page PDF 1.4 showing the lines (ASCII) in Helvetica. Fonds runs the
     * four-properties check (四性检测) on every submission and opens each file with its format's
     * reader, so a file named {@code .pdf} must really be a PDF: a catalog, one page, a content
     * stream, a cross-reference table giving each object's byte offset (10 digits) and a trailer
     * with {@code /Size} and {@code /Root}, with {@code startxref} pointing at the table. A real
     * system sends the PDF it already has; this builds one so the demo needs no PDF library.
     */
    static byte[] tinyPdf(List<String> lines) {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            String esc = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)");
            text.append('(').append(esc).append(") Tj T* ");
        }
        String stream = "BT /F1 12 Tf 16 TL 56 780 Td " + text + "ET";
        List<String> objects = List.of(
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                        + "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
                "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
                "<< /Length " + stream.length() + " >>\nstream\n" + stream + "\nendstream");
        var out = new java.io.ByteArrayOutputStream();
        out.writeBytes("%PDF-1.4\n".getBytes(StandardCharsets.US_ASCII));
        // A comment of four high bytes marks the file as binary for transfer tools.
        out.writeBytes(new byte[] {'%', (byte) 0xE2, (byte) 0xE3, (byte) 0xCF, (byte) 0xD3, '\n'});
        List<Integer> offsets = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            offsets.add(out.size());
            out.writeBytes(((i + 1) + " 0 obj\n" + objects.get(i) + "\nendobj\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }
        int xref = out.size();
        StringBuilder tail = new StringBuilder("xref\n0 " + (objects.size() + 1)
                + "\n0000000000 65535 f \n");
        for (int offset : offsets) {
            tail.append(String.format(Locale.ROOT, "%010d 00000 n \n", offset));
        }
        tail.append("trailer\n<< /Size ").append(objects.size() + 1)
                .append(" /Root 1 0 R >>\nstartxref\n").append(xref).append("\n%%EOF\n");
        out.writeBytes(tail.toString().getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** A 数电票 XML shaped like the public samples (DOMAIN.md §6.3); unsigned demo data. */
    static byte[] invoiceXml(String number, String issued, String sellerName, String sellerId,
            String buyerName, String buyerId, String item, String amount, String rate,
            String tax, String total) {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<EInvoice>\n"
                + "  <Header>\n"
                + "    <EIid>" + number + "</EIid>\n"
                + "  </Header>\n"
                + "  <EInvoiceData>\n"
                + "    <SellerInformation>\n"
                + "      <SellerIdNum>" + sellerId + "</SellerIdNum>\n"
                + "      <SellerName>" + sellerName + "</SellerName>\n"
                + "    </SellerInformation>\n"
                + "    <BuyerInformation>\n"
                + "      <BuyerIdNum>" + buyerId + "</BuyerIdNum>\n"
                + "      <BuyerName>" + buyerName + "</BuyerName>\n"
                + "    </BuyerInformation>\n"
                + "    <BasicInformation>\n"
                + "      <TotalAmWithoutTax>" + amount + "</TotalAmWithoutTax>\n"
                + "      <TotalTaxAm>" + tax + "</TotalTaxAm>\n"
                + "      <TotalTax-includedAmount>" + total + "</TotalTax-includedAmount>\n"
                + "      <RequestTime>" + issued + "</RequestTime>\n"
                + "      <WhetherEinvoiceIsRedEinvoice>N</WhetherEinvoiceIsRedEinvoice>\n"
                + "    </BasicInformation>\n"
                + "    <IssuItemInformation>\n"
                + "      <ItemName>" + item + "</ItemName>\n"
                + "      <Quantity>1</Quantity>\n"
                + "      <UnPrice>" + amount + "</UnPrice>\n"
                + "      <Amount>" + amount + "</Amount>\n"
                + "      <TaxRate>" + rate + "</TaxRate>\n"
                + "      <ComTaxAm>" + tax + "</ComTaxAm>\n"
                + "      <TotaltaxIncludedAmount>" + total + "</TotaltaxIncludedAmount>\n"
                + "    </IssuItemInformation>\n"
                + "  </EInvoiceData>\n"
                + "  <TaxSupervisionInfo>\n"
                + "    <InvoiceNumber>" + number + "</InvoiceNumber>\n"
                + "    <IssueTime>" + issued + "</IssueTime>\n"
                + "  </TaxSupervisionInfo>\n"
                + "</EInvoice>\n";
        return xml.getBytes(StandardCharsets.UTF_8);
    }

    /** A manifest with the files it names. */
    record Demo(Map<String, Object> manifest, List<FilePart> files) {}

    static Map<String, Object> obj(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /**
     * One 记账凭证 (a hotel bill paid by bank: 1,000.00 + 6 % VAT 60.00 = 1,060.00) with three
     * files: the voucher PDF, the 数电票 XML and the OA approval form. The numbers carry "JV" and
     * a random suffix: a voucher number is unique per period and reruns must not collide.
     */
    static Demo demoSubmission(String fonds, LocalDate today) {
        String suffix = HEX.formatHex(randomBytes(4)).toUpperCase(Locale.ROOT);
        String voucherNumber = "记-JV" + suffix;
        String key = "OA-" + today.getYear() + "-JV" + suffix;
        StringBuilder invoiceNumber = new StringBuilder(
                String.format(Locale.ROOT, "%02d312", today.getYear() % 100));
        for (int i = 0; i < 15; i++) {
            invoiceNumber.append(RANDOM.nextInt(10));
        }
        String issued = today + " 09:30:00";
        byte[] voucherPdf = tinyPdf(List.of(
                "Accounting voucher (ji zhang ping zheng)",
                "Number: " + voucherNumber.replace("记", "JI") + "   Date: " + today,
                "Summary: hotel expenses, business trip to Beijing",
                "Dr 6602.01 Administrative expenses - travel        1000.00",
                "Dr 2221.01.01 VAT payable - input tax                  60.00",
                "Cr 1002 Bank deposits                                1060.00",
                "Attachments: 2 (e-invoice, OA approval form)",
                "Prepared: Zhang San   Reviewed: Li Si"));
        byte[] invoice = invoiceXml(invoiceNumber.toString(), issued, "上海示范酒店管理有限公司",
                "91310000MA1FL8XQ2K", "华东示范科技有限公司", "91310115MA1K4ABC9X",
                "*住宿服务*住宿费", "1000.00", "6%", "60.00", "1060.00");
        byte[] approvalPdf = tinyPdf(List.of(
                "OA approval form - travel reimbursement",
                "Request: " + key,
                "Applicant: Zhang San (Sales)   Amount: CNY 1060.00",
                "1. Department head Wang Wu: approved",
                "2. Finance Li Si: approved"));
        List<FilePart> files = List.of(
                new FilePart("voucher", voucherNumber + ".pdf", voucherPdf, "application/pdf"),
                new FilePart("approval", "审批单-" + key + ".pdf", approvalPdf, "application/pdf"),
                new FilePart("invoice", "发票-" + invoiceNumber + ".xml", invoice,
                        "application/xml"));
        Map<String, String> roles =
                Map.of("voucher", "main", "approval", "approval_form", "invoice", "invoice");
        List<Object> fileList = new ArrayList<>();
        for (FilePart f : files) {
            fileList.add(obj("part", f.part(), "role", roles.get(f.part()),
                    "file_name", f.fileName(), "sha256", HEX.formatHex(sha256(f.content()))));
        }
        String summary = "报销差旅住宿费";
        Map<String, Object> record = obj(
                "key", key,
                "kind", "accounting_voucher",
                "fiscal_year", (long) today.getYear(),
                "period", (long) today.getMonthValue(),
                "voucher_number", voucherNumber,
                "date", today.toString(),
                "title", summary,
                "amount", "1060.00",
                "preparer", "张三",
                "reviewer", "李四",
                "attachment_count", 2L,
                "source_reference", key,
                "entries", List.of(
                        obj("summary", summary, "account_code", "6602.01",
                                "account_name", "管理费用-差旅费", "debit", "1000.00"),
                        obj("summary", summary, "account_code", "2221.01.01",
                                "account_name", "应交税费-应交增值税(进项税额)", "debit", "60.00"),
                        obj("summary", summary, "account_code", "1002",
                                "account_name", "银行存款", "credit", "1060.00")),
                "files", fileList);
        return new Demo(obj("fonds", fonds, "records", List.of(record)), files);
    }

    // ---------------------------------------------------------------------------------------
    // The worked example and the self-test
    // ---------------------------------------------------------------------------------------

    static final String EX_CLIENT = "fc_0123456789abcdef01234567";
    static final String EX_SECRET =
            "fcs_00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    static final String EX_METHOD = "POST";
    static final String EX_PATH = "/api/v1/submissions";
    static final String EX_QUERY = "wait=5&b=2&a=1";
    static final String EX_TIMESTAMP = "1700000000";
    static final String EX_NONCE = "n0nce-Example_123456";
    static final byte[] EX_BODY = "hello, fonds!".getBytes(StandardCharsets.UTF_8);
    static final Map<String, String> EXPECTED = Map.of(
            "canonical_query", "a=1&b=2&wait=5",
            "body_sha256", "029a6dc2b2fb96b906546e83eb902d36c06858a9179d8019dbed6246319ce06e",
            "hmac-sha256", "543592444693b1d9541a820374fd0859714951a93b792bdbeacfdd3c41c7e1ee",
            "hmac-sm3", "64d763be942ff6d37df0e4d9c9e66ee9b7e72ce4e1deec9a3e275402c572abdd");

    private static final List<String> failures = new ArrayList<>();

    private static void check(String name, String got, String want) {
        boolean ok = got.equals(want);
        System.out.println((ok ? "ok   " : "FAIL ") + name);
        if (!ok) {
            System.out.println("     got:      " + got);
            System.out.println("     expected: " + want);
            failures.add(name);
        }
    }

    /**
     * Prints the worked example (the same block, byte for byte, as the Python client's), then
     * checks SM3, HMAC, the example's expected values, webhook verification and the demo.
     */
    static int selftest() {
        String bodySha = HEX.formatHex(sha256(EX_BODY));
        Map<String, String> sig = new LinkedHashMap<>();
        System.out.println("worked example");
        System.out.println("client id:       " + EX_CLIENT);
        System.out.println("secret:          " + EX_SECRET);
        System.out.println("request:         " + EX_METHOD + " " + EX_PATH + "?" + EX_QUERY);
        System.out.println("timestamp:       " + EX_TIMESTAMP);
        System.out.println("nonce:           " + EX_NONCE);
        System.out.println("body:            " + new String(EX_BODY, StandardCharsets.UTF_8)
                + " (" + EX_BODY.length + " bytes)");
        System.out.println("canonical query: " + canonicalQuery(EX_QUERY));
        System.out.println("body sha256:     " + bodySha);
        for (String algorithm : List.of("hmac-sha256", "hmac-sm3")) {
            String scheme = SCHEMES.get(algorithm);
            System.out.println("string to sign (" + scheme + "):");
            System.out.println(stringToSign(algorithm, EX_CLIENT, EX_METHOD, EX_PATH, EX_QUERY,
                    EX_TIMESTAMP, EX_NONCE, bodySha));
            sig.put(algorithm, signRequest(algorithm, EX_CLIENT, EX_SECRET, EX_METHOD, EX_PATH,
                    EX_QUERY, EX_BODY, EX_TIMESTAMP, EX_NONCE).get(H_SIGNATURE));
            System.out.println("signature (" + scheme + "): " + sig.get(algorithm));
        }
        System.out.println("checks");

        check("SM3(\"abc\")", HEX.formatHex(sm3("abc".getBytes(StandardCharsets.US_ASCII))),
                "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
        check("SM3(\"abcd\" x 16)",
                HEX.formatHex(sm3("abcd".repeat(16).getBytes(StandardCharsets.US_ASCII))),
                "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
        byte[] data = new byte[256 * 5];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        Sm3 incremental = new Sm3();
        for (int i = 0; i < data.length; i += 37) { // across block boundaries
            incremental.update(data, i, Math.min(37, data.length - i));
        }
        check("SM3 incremental == one-shot", HEX.formatHex(incremental.digest()),
                HEX.formatHex(sm3(data)));
        byte[] key = EX_SECRET.getBytes(StandardCharsets.UTF_8);
        check("HMAC-SHA256 by RFC 2104 == javax.crypto",
                HEX.formatHex(hmacRfc2104(FondsClient::sha256, key, data)),
                HEX.formatHex(hmacSha256(key, data)));

        check("worked example canonical_query", canonicalQuery(EX_QUERY),
                EXPECTED.get("canonical_query"));
        check("worked example body_sha256", bodySha, EXPECTED.get("body_sha256"));
        check("worked example hmac-sha256", sig.get("hmac-sha256"), EXPECTED.get("hmac-sha256"));
        check("worked example hmac-sm3", sig.get("hmac-sm3"), EXPECTED.get("hmac-sm3"));

        for (String algorithm : List.of("hmac-sha256", "hmac-sm3")) {
            Map<String, String> headers = signRequest(algorithm, EX_CLIENT, EX_SECRET, EX_METHOD,
                    EX_PATH, EX_QUERY, EX_BODY, EX_TIMESTAMP, EX_NONCE);
            Map<String, String> lower = new LinkedHashMap<>();
            headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
            long now = Long.parseLong(EX_TIMESTAMP) + 10;
            byte[] tampered = Arrays.copyOf(EX_BODY, EX_BODY.length + 1);
            tampered[EX_BODY.length] = ' ';
            String results = String.join(" ",
                    cap(verifyWebhook(headers, EX_BODY, EX_CLIENT, EX_SECRET, algorithm,
                            EX_PATH, EX_QUERY, now)),
                    cap(verifyWebhook(headers, tampered, EX_CLIENT, EX_SECRET, algorithm,
                            EX_PATH, EX_QUERY, now)),
                    cap(verifyWebhook(headers, EX_BODY, EX_CLIENT, EX_SECRET, algorithm,
                            EX_PATH, EX_QUERY, now + TIMESTAMP_WINDOW)),
                    cap(verifyWebhook(headers, EX_BODY, EX_CLIENT, EX_SECRET, algorithm,
                            "/hooks/other", EX_QUERY, now)),
                    cap(verifyWebhook(lower, EX_BODY, EX_CLIENT, EX_SECRET, algorithm,
                            EX_PATH, EX_QUERY, now)));
            check("verify_webhook " + algorithm
                    + ": good, tampered, stale, other path, lower-case",
                    results, "True False False False True");
        }

        Demo demo = demoSubmission("Z001", LocalDate.of(2024, 3, 5));
        @SuppressWarnings("unchecked")
        Map<String, Object> record =
                (Map<String, Object>) ((List<Object>) demo.manifest().get("records")).get(0);
        BigDecimal debit = BigDecimal.ZERO;
        BigDecimal credit = BigDecimal.ZERO;
        for (Object o : (List<?>) record.get("entries")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> e = (Map<String, Object>) o;
            debit = debit.add(new BigDecimal((String) e.getOrDefault("debit", "0")));
            credit = credit.add(new BigDecimal((String) e.getOrDefault("credit", "0")));
        }
        BigDecimal amount = new BigDecimal((String) record.get("amount"));
        check("demo voucher: debits = credits = amount",
                debit.compareTo(amount) + " " + credit.compareTo(amount), "0 0");
        Prepared prepared = buildMultipart(demo.manifest(), demo.files());
        boolean named = true;
        for (FilePart f : demo.files()) {
            named &= indexOf(prepared.body(), ("name=\"" + f.part() + "\"")
                    .getBytes(StandardCharsets.US_ASCII)) >= 0;
        }
        check("demo body names every part", cap(named), "True");
        check("JSON round trip", Json.write(Json.parse(Json.write(demo.manifest(), false)), false),
                Json.write(demo.manifest(), false));

        if (!failures.isEmpty()) {
            System.out.println("selftest FAILED: " + String.join(", ", failures));
            return 1;
        }
        System.out.println("selftest passed");
        return 0;
    }

    private static String cap(boolean b) {
        return b ? "True" : "False";
    }

    // ---------------------------------------------------------------------------------------
    // Command line
    // ---------------------------------------------------------------------------------------

    /** What to do next, for the refusals a first integration meets most. */
    static final Map<String, String> HINTS = Map.of(
            "signature_invalid", "check that --algorithm matches the client's configured "
                    + "algorithm and that --secret is the client's current secret",
            "client_unknown",
                    "check --client: create one with `fonds client add NAME --fonds Z001`",
            "timestamp_out_of_window", "this machine's clock is more than 300 s off: sync it (NTP)",
            "client_scope_denied", "the client may not submit to this fonds or record kind",
            "address_not_allowed", "this address is outside the client's IP allow-list",
            "fonds_not_found", "check --fonds",
            "client_disabled", "an administrator disabled the client");

    static int submitDemo(Map<String, String> opts) throws InterruptedException {
        String secret = opts.getOrDefault("secret", System.getenv("FONDS_CLIENT_SECRET"));
        FondsClient client;
        try {
            client = new FondsClient(opts.get("base"), opts.get("client"), secret,
                    opts.getOrDefault("algorithm", "hmac-sha256"));
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        Demo demo = demoSubmission(opts.getOrDefault("fonds", "Z001"), LocalDate.now());
        @SuppressWarnings("unchecked")
        Map<String, Object> record =
                (Map<String, Object>) ((List<Object>) demo.manifest().get("records")).get(0);
        Prepared prepared = buildMultipart(demo.manifest(), demo.files()); // built once
        String key = "demo-" + record.get("key");
        try {
            System.err.println("submitting " + record.get("voucher_number") + " ("
                    + demo.files().size() + " files, " + prepared.body().length + " bytes) as "
                    + client.clientId + " with " + client.algorithm);
            Map<String, Object> first = client.submit(prepared, key);
            System.err.println("receipt: " + Json.write(first, false));
            Map<String, Object> again = client.submit(prepared, key);
            boolean same = String.valueOf(first.get("submission_id"))
                    .equals(String.valueOf(again.get("submission_id")));
            System.err.println("retry with the same Idempotency-Key -> "
                    + again.get("submission_id")
                    + (same ? " (same submission)" : " (DIFFERENT submission)"));
            if (!same) {
                return 1;
            }
            Map<String, Object> status = client.waitForOutcome(
                    String.valueOf(first.get("submission_id")), 30, Duration.ofMinutes(5));
            System.out.println(Json.write(status, true));
            return "accepted".equals(status.get("state")) ? 0 : 1;
        } catch (FondsException e) {
            System.err.println("error: " + e.getMessage());
            String hint = e.code() == null ? null : HINTS.get(e.code());
            if (hint != null) {
                System.err.println("hint: " + hint);
            }
            if (e.problem != null && !e.problem.isEmpty()) {
                System.err.println(Json.write(e.problem, true));
            }
            return 1;
        } catch (IllegalArgumentException e) { // an unreadable answer
            System.err.println("error: " + e.getMessage());
            return 1;
        }
    }

    static final String USAGE = String.join("\n",
            "usage: java FondsClient.java selftest",
            "       java FondsClient.java submit-demo --base URL --client ID --secret SECRET",
            "                             [--algorithm hmac-sha256|hmac-sm3] [--fonds Z001]",
            "--secret may be left out when FONDS_CLIENT_SECRET holds it.");

    public static void main(String[] args) throws InterruptedException {
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.out), true,
                StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new FileOutputStream(FileDescriptor.err), true,
                StandardCharsets.UTF_8));
        if (args.length == 0) {
            System.err.println(USAGE);
            System.exit(2);
        }
        if (args[0].equals("selftest") && args.length == 1) {
            System.exit(selftest());
        }
        if (!args[0].equals("submit-demo")) {
            System.err.println(args[0].matches("-h|--help|help") ? USAGE
                    : "error: unknown command " + args[0] + "\n" + USAGE);
            System.exit(args[0].matches("-h|--help|help") ? 0 : 2);
        }
        Map<String, String> opts = new LinkedHashMap<>();
        List<String> known = List.of("base", "client", "secret", "algorithm", "fonds");
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            String name;
            String value;
            if (a.startsWith("--") && a.contains("=")) {
                name = a.substring(2, a.indexOf('='));
                value = a.substring(a.indexOf('=') + 1);
            } else if (a.startsWith("--") && i + 1 < args.length) {
                name = a.substring(2);
                value = args[++i];
            } else {
                name = null;
                value = null;
            }
            if (name == null || !known.contains(name)) {
                System.err.println("error: unexpected argument " + a + "\n" + USAGE);
                System.exit(2);
            }
            opts.put(name, value);
        }
        for (String required : List.of("base", "client")) {
            if (!opts.containsKey(required)) {
                System.err.println("error: --" + required + " is required\n" + USAGE);
                System.exit(2);
            }
        }
        if (!opts.containsKey("secret") && System.getenv("FONDS_CLIENT_SECRET") == null) {
            System.err.println("error: give --secret or set FONDS_CLIENT_SECRET\n" + USAGE);
            System.exit(2);
        }
        System.exit(submitDemo(opts));
    }

    // ---------------------------------------------------------------------------------------
    // Just enough JSON: objects, arrays, strings, numbers, booleans, null
    // ---------------------------------------------------------------------------------------

    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        /** Parses JSON into LinkedHashMap, ArrayList, String, Long/BigDecimal, Boolean, null. */
        static Object parse(String text) {
            Json p = new Json(text);
            p.ws();
            Object v = p.value();
            p.ws();
            if (p.i != text.length()) {
                throw p.fail("trailing characters");
            }
            return v;
        }

        private IllegalArgumentException fail(String why) {
            return new IllegalArgumentException("not JSON (" + why + " at offset " + i + ")");
        }

        private void ws() {
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
        }

        private Object value() {
            if (i >= s.length()) {
                throw fail("unexpected end");
            }
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++;
                ws();
                if (peek('}')) {
                    return m;
                }
                do {
                    ws();
                    String k = string();
                    ws();
                    expect(':');
                    ws();
                    m.put(k, value());
                    ws();
                } while (peek(','));
                expect('}');
                return m;
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                i++;
                ws();
                if (peek(']')) {
                    return l;
                }
                do {
                    ws();
                    l.add(value());
                    ws();
                } while (peek(','));
                expect(']');
                return l;
            }
            if (c == '"') {
                return string();
            }
            if (s.startsWith("true", i)) {
                i += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("false", i)) {
                i += 5;
                return Boolean.FALSE;
            }
            if (s.startsWith("null", i)) {
                i += 4;
                return null;
            }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            String n = s.substring(start, i);
            try {
                return n.matches("-?[0-9]+") ? (Object) Long.valueOf(n) : new BigDecimal(n);
            } catch (NumberFormatException e) {
                throw fail("bad value");
            }
        }

        private boolean peek(char c) {
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw fail("expected '" + c + "'");
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                if (i >= s.length()) {
                    throw fail("unterminated string");
                }
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (i >= s.length()) {
                    throw fail("unterminated escape");
                }
                char e = s.charAt(i++);
                switch (e) {
                    case '"': case '\\': case '/': b.append(e); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'n': b.append('\n'); break;
                    case 'r': b.append('\r'); break;
                    case 't': b.append('\t'); break;
                    case 'u':
                        if (i + 4 > s.length()) {
                            throw fail("bad \\u escape");
                        }
                        try {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw fail("bad \\u escape");
                        }
                        i += 4;
                        break;
                    default: throw fail("bad escape");
                }
            }
        }

        /** Writes JSON; non-ASCII text is kept as is; pretty = indented by two spaces. */
        static String write(Object v, boolean pretty) {
            StringBuilder b = new StringBuilder();
            write(b, v, pretty, 0);
            return b.toString();
        }

        private static void write(StringBuilder b, Object v, boolean pretty, int depth) {
            String nl = pretty ? "\n" + "  ".repeat(depth + 1) : "";
            String end = pretty ? "\n" + "  ".repeat(depth) : "";
            if (v == null) {
                b.append("null");
            } else if (v instanceof Map<?, ?> m) {
                if (m.isEmpty()) {
                    b.append("{}");
                    return;
                }
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    b.append(first ? "" : ",").append(nl);
                    first = false;
                    quote(b, String.valueOf(e.getKey()));
                    b.append(pretty ? ": " : ":");
                    write(b, e.getValue(), pretty, depth + 1);
                }
                b.append(end).append('}');
            } else if (v instanceof List<?> l) {
                if (l.isEmpty()) {
                    b.append("[]");
                    return;
                }
                b.append('[');
                boolean first = true;
                for (Object o : l) {
                    b.append(first ? "" : ",").append(nl);
                    first = false;
                    write(b, o, pretty, depth + 1);
                }
                b.append(end).append(']');
            } else if (v instanceof String str) {
                quote(b, str);
            } else if (v instanceof Boolean || v instanceof Number) {
                b.append(v);
            } else {
                throw new IllegalArgumentException("cannot write " + v.getClass() + " as JSON");
            }
        }

        private static void quote(StringBuilder b, String str) {
            b.append('"');
            for (int k = 0; k < str.length(); k++) {
                char c = str.charAt(k);
                switch (c) {
                    case '"': b.append("\\\""); break;
                    case '\\': b.append("\\\\"); break;
                    case '\n': b.append("\\n"); break;
                    case '\r': b.append("\\r"); break;
                    case '\t': b.append("\\t"); break;
                    default:
                        if (c < 0x20) {
                            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                }
            }
            b.append('"');
        }
    }
}

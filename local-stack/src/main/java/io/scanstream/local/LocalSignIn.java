package io.scanstream.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.scanstream.core.security.TokenIssuer;
import io.scanstream.core.signing.ModelSigner;
import io.scanstream.core.signing.ModelSigningKeys;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The local stack's identity provider, offline: a key pair of its own ({@link TokenIssuer}, issuer
 * {@value #ISSUER}), a user file ({@code <work-dir>/auth/users.properties}: PBKDF2 password hashes and roles) and a
 * small sign-in page on localhost that issues the same kind of bearer token the hospital's provider would (the
 * services verify both the same way: MP-JWT, issuer and public key). The stack's own tools (progress console,
 * simulated device over HTTP) get their tokens from it directly.
 *
 * <p>Endpoints: {@code GET /login} (form), {@code POST /login} (form → a page with the token), {@code POST /token}
 * (form {@code username}, {@code password} → {@code {"access_token": ...}} for scripts), {@code GET /keys} (JWKS).
 *
 * <p>It is also a minimal OpenID Connect provider for the review workstation's sign-in (authorization code flow,
 * {@link OidcCodeFlow}): {@code GET /.well-known/openid-configuration}; {@code GET /authorize} (the same login
 * form) → {@code POST /authorize} → a redirect to the client with a one-time code; {@code POST /token} with
 * {@code grant_type=authorization_code}, the code and the client's secret (HTTP Basic or form) → an ID token and an
 * access token, both signed with the same key as every token here. The registered client ({@value #REVIEW_CLIENT})
 * and its secret are in {@code <work-dir>/auth/clients.properties}, made on first start.
 */
public final class LocalSignIn implements AutoCloseable {

    public static final String ISSUER = "scanstream-local";
    static final Duration PERSON_TOKEN_LIFETIME = Duration.ofHours(8);
    private static final int ITERATIONS = 120_000;
    /** The people a newcomer signs in as; passwords are generated on first start. */
    static final Map<String, List<String>> INITIAL_USERS = Map.of(
            "operator", List.of("operator", "clinician"),
            "clinician", List.of("clinician"));

    /** The review workstation's client id at this provider. */
    public static final String REVIEW_CLIENT = "scanstream-review";

    private final TokenIssuer issuer;
    private final Path usersFile;
    private final ModelSigningKeys.KeyFiles modelSigning;
    private final Map<String, String> clientSecrets;
    private final OidcCodeFlow codeFlow;
    private HttpServer server;
    private int port;

    private LocalSignIn(TokenIssuer issuer, Path usersFile, ModelSigningKeys.KeyFiles modelSigning,
                        Map<String, String> clientSecrets) {
        this.issuer = issuer;
        this.usersFile = usersFile;
        this.modelSigning = modelSigning;
        this.clientSecrets = clientSecrets;
        this.codeFlow = new OidcCodeFlow(clientSecrets, java.time.Clock.systemUTC());
    }

    /** The key pair and users of {@code <workDir>/auth}, made on first use. */
    public static LocalSignIn open(Path workDir) throws IOException {
        Path dir = workDir.resolve("auth");
        Files.createDirectories(dir);
        restrict(dir, "rwx------");
        TokenIssuer issuer = TokenIssuer.openOrCreate(dir, ISSUER);
        // The model-signing pair (Ed25519): training signs versions with the private key, inference trusts the
        // public one. Made once per work dir, like the token pair; a Secret in Kubernetes (docs/security.md).
        Path signing = workDir.resolve("signing");
        Files.createDirectories(signing);
        restrict(signing, "rwx------");
        ModelSigningKeys.KeyFiles modelSigning = ModelSigningKeys.openOrCreate(signing);
        Path users = dir.resolve("users.properties");
        LocalSignIn signIn = new LocalSignIn(issuer, users, modelSigning, clientSecrets(dir.resolve("clients.properties")));
        if (!Files.isRegularFile(users)) {
            Properties props = new Properties();
            StringBuilder passwords = new StringBuilder("# Local sign-in (http://localhost:<auth-port>/login); generated on first start.\n");
            for (var user : new java.util.TreeMap<>(INITIAL_USERS).entrySet()) {
                String password = KafkaSecurity.randomSecret().substring(0, 20);
                props.setProperty(user.getKey(), hash(password) + ";" + String.join(",", user.getValue()));
                passwords.append(user.getKey()).append(' ').append(password).append('\n');
            }
            try (Writer w = Files.newBufferedWriter(users)) {
                props.store(w, "user=pbkdf2-sha256:<iterations>:<salt>:<hash>;<roles>  (add users with the same format)");
            }
            Path plain = dir.resolve("initial-passwords.txt");
            Files.writeString(plain, passwords);
            restrict(plain, "rw-------");
            restrict(users, "rw-------");
        }
        return signIn;
    }

    /**
     * The sign-in alone, for services run elsewhere (Docker Compose trusts its key by default):
     * {@code java -cp 'local-stack/target/local-stack.jar:local-stack/target/lib/*' io.scanstream.local.LocalSignIn [work-dir] [port]}.
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        Path workDir = Path.of(args.length > 0 ? args[0] : ".scanstream/local").toAbsolutePath();
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8090;
        LocalSignIn signIn = open(workDir);
        signIn.start(port);
        System.out.printf("sign-in on http://localhost:%d/login; users and first passwords in %s; public key %s%n",
                port, workDir.resolve("auth"), signIn.issuer().publicKeyFile());
        Thread.currentThread().join();
    }

    public TokenIssuer issuer() {
        return issuer;
    }

    /** What a service needs to verify these tokens. */
    public Map<String, String> tokenProperties() {
        return Map.of("mp.jwt.verify.publickey.location", issuer.publicKeyFile().toString(),
                "mp.jwt.verify.issuer", ISSUER);
    }

    /**
     * What a service needs to verify these tokens, and the model-signing keys: training signs with the private key
     * file, inference trusts the public one (each reads only its own key; {@link #trainingProperties()} and
     * {@link #inferenceProperties()} give each just its own).
     */
    public Map<String, String> serviceProperties() {
        Map<String, String> properties = new LinkedHashMap<>(tokenProperties());
        properties.put("training.signing.private-key-file", modelSigning.privateKeyFile().toString());
        properties.put("inference.signing.trusted-keys", modelSigning.publicKeyFile().toString());
        return properties;
    }

    /** Tokens and the private model-signing key file. */
    public Map<String, String> trainingProperties() {
        Map<String, String> properties = new LinkedHashMap<>(tokenProperties());
        properties.put("training.signing.private-key-file", modelSigning.privateKeyFile().toString());
        return properties;
    }

    /** Tokens and the trusted model-signing public key. */
    public Map<String, String> inferenceProperties() {
        Map<String, String> properties = new LinkedHashMap<>(tokenProperties());
        properties.put("inference.signing.trusted-keys", modelSigning.publicKeyFile().toString());
        return properties;
    }

    /**
     * What the review service needs to sign people in here (OIDC code flow): this provider's URL, its client id and
     * secret. Call after {@link #start}.
     */
    public Map<String, String> reviewProperties() {
        if (server == null) {
            throw new IllegalStateException("start the sign-in before asking for its URL");
        }
        return Map.of("quarkus.oidc.auth-server-url", baseUrl(),
                "quarkus.oidc.client-id", REVIEW_CLIENT,
                "quarkus.oidc.credentials.secret", clientSecrets.get(REVIEW_CLIENT));
    }

    /** Where it listens, e.g. {@code http://localhost:8090}. */
    public String baseUrl() {
        return "http://localhost:" + port;
    }

    public ModelSigningKeys.KeyFiles modelSigningKeys() {
        return modelSigning;
    }

    /** Signs as the stack's training does (tools and tests that publish versions themselves). */
    public ModelSigner modelSigner() throws IOException {
        return ModelSigner.fromPrivateKeyFile(modelSigning.privateKeyFile());
    }

    /** A token for one of the stack's own tools (never a person: people sign in). */
    public String toolToken(String subject, String... roles) {
        return issuer.issue(subject, List.of(roles), Duration.ofHours(1));
    }

    /** The roles of a user whose password matches, else empty. */
    Optional<List<String>> authenticate(String user, String password) throws IOException {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(usersFile)) {
            props.load(in);
        }
        String entry = props.getProperty(user);
        if (entry == null || password == null) {
            return Optional.empty();
        }
        String[] parts = entry.split(";", 2);
        if (!verify(password, parts[0])) {
            return Optional.empty();
        }
        return Optional.of(parts.length < 2 || parts[1].isBlank() ? List.of() : List.of(parts[1].split(",")));
    }

    public void start(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/login", this::login);
        server.createContext("/token", this::token);
        server.createContext("/keys", this::keys);
        server.createContext("/authorize", this::authorize);
        server.createContext("/.well-known/openid-configuration", this::discovery);
        server.start();
        this.port = server.getAddress().getPort();
    }

    /** OpenID Connect discovery: where the code flow's endpoints are. */
    private void discovery(HttpExchange exchange) throws IOException {
        String base = baseUrl();
        Map<String, Object> metadata = new LinkedHashMap<>();
        // The issuer is the one every ScanStream token names (services verify iss = scanstream-local).
        metadata.put("issuer", ISSUER);
        metadata.put("authorization_endpoint", base + "/authorize");
        metadata.put("token_endpoint", base + "/token");
        metadata.put("jwks_uri", base + "/keys");
        metadata.put("response_types_supported", List.of("code"));
        metadata.put("grant_types_supported", List.of("authorization_code", "password"));
        metadata.put("subject_types_supported", List.of("public"));
        metadata.put("id_token_signing_alg_values_supported", List.of("RS256"));
        metadata.put("scopes_supported", List.of("openid"));
        metadata.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"));
        metadata.put("claims_supported", List.of("sub", "upn", "preferred_username", "groups", "nonce"));
        send(exchange, 200, "application/json", io.scanstream.core.contract.Json.MAPPER.writeValueAsString(metadata));
    }

    /**
     * GET: the login form for a client's authorization request (checked first: an unknown client or a redirect off
     * this machine gets an error page, never a redirect); POST: the person's credentials → 302 to the client's
     * redirect URI with a one-time code and the client's state.
     */
    private void authorize(HttpExchange exchange) throws IOException {
        Map<String, String> params = exchange.getRequestMethod().equals("POST") ? form(exchange)
                : query(exchange.getRequestURI().getRawQuery());
        Optional<String> problem = codeFlow.checkAuthorizationRequest(params.get("response_type"),
                params.get("client_id"), params.get("redirect_uri"));
        if (problem.isPresent()) {
            send(exchange, 400, "text/html", page("<p>This sign-in request cannot be served: "
                    + html(problem.get()) + ".</p>"));
            return;
        }
        if (!exchange.getRequestMethod().equals("POST")) {
            send(exchange, 200, "text/html", page(authorizeForm(params, "")));
            return;
        }
        Optional<List<String>> roles = authenticate(params.get("username"), params.get("password"));
        if (roles.isEmpty()) {
            send(exchange, 401, "text/html", page(authorizeForm(params, "<p>Unknown user or wrong password.</p>")));
            return;
        }
        String code = codeFlow.issueCode(params.get("username"), roles.get(), params.get("client_id"),
                params.get("redirect_uri"), params.get("nonce"));
        String redirect = params.get("redirect_uri");
        String location = redirect + (redirect.contains("?") ? "&" : "?") + "code=" + encode(code)
                + (params.get("state") != null ? "&state=" + encode(params.get("state")) : "");
        exchange.getResponseHeaders().set("Location", location);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    private static String authorizeForm(Map<String, String> params, String notice) {
        StringBuilder hidden = new StringBuilder();
        for (String name : List.of("response_type", "client_id", "redirect_uri", "state", "nonce", "scope")) {
            if (params.get(name) != null) {
                hidden.append("<input type=hidden name=").append(name).append(" value=\"")
                        .append(html(params.get(name))).append("\">");
            }
        }
        return notice + "<form method=post action=/authorize>" + hidden
                + "<p>User <input id=username name=username autofocus></p>"
                + "<p>Password <input id=password name=password type=password></p>"
                + "<p><button id=sign-in>Sign in</button></p></form>";
    }

    /** The code flow's token request: the client authenticates, the code is exchanged once. */
    private void codeToken(HttpExchange exchange, Map<String, String> form) throws IOException {
        String clientId = form.get("client_id");
        String secret = form.get("client_secret");
        String basic = exchange.getRequestHeaders().getFirst("Authorization");
        if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
            String[] pair = new String(Base64.getDecoder().decode(basic.substring(6).trim()), StandardCharsets.UTF_8)
                    .split(":", 2);
            clientId = URLDecoder.decode(pair[0], StandardCharsets.UTF_8);
            secret = pair.length > 1 ? URLDecoder.decode(pair[1], StandardCharsets.UTF_8) : null;
        }
        if (!codeFlow.authenticClient(clientId, secret)) {
            send(exchange, 401, "application/json", "{\"error\":\"invalid_client\"}");
            return;
        }
        Optional<OidcCodeFlow.Grant> grant = codeFlow.exchange(clientId, secret, form.get("code"),
                form.get("redirect_uri"));
        if (grant.isEmpty()) {
            send(exchange, 400, "application/json", "{\"error\":\"invalid_grant\"}");
            return;
        }
        OidcCodeFlow.Grant g = grant.get();
        Map<String, Object> idClaims = new LinkedHashMap<>();
        idClaims.put("aud", g.clientId());
        idClaims.put("azp", g.clientId());
        idClaims.put("preferred_username", g.user());
        if (g.nonce() != null) {
            idClaims.put("nonce", g.nonce());
        }
        String idToken = issuer.issue(g.user(), g.roles(), PERSON_TOKEN_LIFETIME, idClaims);
        String accessToken = issuer.issue(g.user(), g.roles(), PERSON_TOKEN_LIFETIME);
        send(exchange, 200, "application/json", "{\"access_token\":\"" + accessToken + "\",\"id_token\":\""
                + idToken + "\",\"token_type\":\"Bearer\",\"expires_in\":" + PERSON_TOKEN_LIFETIME.toSeconds()
                + ",\"scope\":\"openid\"}");
    }

    private void login(HttpExchange exchange) throws IOException {
        if (exchange.getRequestMethod().equals("POST")) {
            Map<String, String> form = form(exchange);
            Optional<List<String>> roles = authenticate(form.get("username"), form.get("password"));
            if (roles.isEmpty()) {
                send(exchange, 401, "text/html", page("<p>Unknown user or wrong password.</p>" + FORM));
                return;
            }
            String token = issuer.issue(form.get("username"), roles.get(), PERSON_TOKEN_LIFETIME);
            send(exchange, 200, "text/html", page("<p>Signed in as <b>" + html(form.get("username")) + "</b> ("
                    + html(String.join(", ", roles.get())) + "), for " + PERSON_TOKEN_LIFETIME.toHours()
                    + " hours. Your bearer token:</p><textarea rows=8 cols=100 readonly>" + token + "</textarea>"
                    + "<p>Use it as <code>curl -H 'Authorization: Bearer &lt;token&gt;' http://localhost:8083/training/runs</code></p>"));
            return;
        }
        send(exchange, 200, "text/html", page(FORM));
    }

    private void token(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            send(exchange, 405, "application/json", "{\"error\":\"POST username and password as a form\"}");
            return;
        }
        Map<String, String> form = form(exchange);
        if ("authorization_code".equals(form.get("grant_type"))) {
            codeToken(exchange, form);
            return;
        }
        Optional<List<String>> roles = authenticate(form.get("username"), form.get("password"));
        if (roles.isEmpty()) {
            send(exchange, 401, "application/json", "{\"error\":\"invalid_grant\"}");
            return;
        }
        String token = issuer.issue(form.get("username"), roles.get(), PERSON_TOKEN_LIFETIME);
        send(exchange, 200, "application/json", "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\","
                + "\"expires_in\":" + PERSON_TOKEN_LIFETIME.toSeconds() + "}");
    }

    private void keys(HttpExchange exchange) throws IOException {
        var key = issuer.publicKey();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String jwks = "{\"keys\":[{\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"n\":\""
                + b64.encodeToString(unsigned(key.getModulus().toByteArray())) + "\",\"e\":\""
                + b64.encodeToString(unsigned(key.getPublicExponent().toByteArray())) + "\"}]}";
        send(exchange, 200, "application/json", jwks);
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static final String FORM = "<form method=post action=/login><p>User <input name=username autofocus></p>"
            + "<p>Password <input name=password type=password></p><p><button>Sign in</button></p></form>";

    private static String page(String body) {
        return "<!doctype html><html><head><meta charset=utf-8><title>ScanStream local sign-in</title></head><body>"
                + "<h1>ScanStream local sign-in</h1>" + body + "</body></html>";
    }

    private static Map<String, String> form(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readNBytes(8192);
        return query(new String(body, StandardCharsets.UTF_8));
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> form = new LinkedHashMap<>();
        if (raw == null) {
            return form;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static byte[] unsigned(byte[] twosComplement) {
        return twosComplement.length > 1 && twosComplement[0] == 0
                ? java.util.Arrays.copyOfRange(twosComplement, 1, twosComplement.length) : twosComplement;
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The registered clients' secrets ({@code client=secret}), made with a random secret for the review client. */
    private static Map<String, String> clientSecrets(Path file) throws IOException {
        Properties props = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader in = Files.newBufferedReader(file)) {
                props.load(in);
            }
        }
        if (props.getProperty(REVIEW_CLIENT) == null) {
            props.setProperty(REVIEW_CLIENT, KafkaSecurity.randomSecret());
            try (Writer w = Files.newBufferedWriter(file)) {
                props.store(w, "OIDC clients of the local sign-in: client_id=secret");
            }
            restrict(file, "rw-------");
        }
        Map<String, String> secrets = new LinkedHashMap<>();
        props.stringPropertyNames().forEach(name -> secrets.put(name, props.getProperty(name)));
        return secrets;
    }

    static String hash(String password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return "pbkdf2-sha256:" + ITERATIONS + ":" + HexFormat.of().formatHex(salt) + ":"
                + HexFormat.of().formatHex(pbkdf2(password, salt, ITERATIONS));
    }

    static boolean verify(String password, String stored) {
        String[] parts = stored.split(":");
        if (parts.length != 4 || !parts[0].equals("pbkdf2-sha256")) {
            return false;
        }
        byte[] expected = HexFormat.of().parseHex(parts[3]);
        byte[] actual = pbkdf2(password, HexFormat.of().parseHex(parts[2]), Integer.parseInt(parts[1]));
        return MessageDigest.isEqual(expected, actual);
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations) {
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is on every JVM", e);
        }
    }

    private static void restrict(Path path, String permissions) {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (IOException | UnsupportedOperationException e) {
            // not POSIX
        }
    }
}

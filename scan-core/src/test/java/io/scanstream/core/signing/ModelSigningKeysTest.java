package io.scanstream.core.signing;

import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ModelPublished;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.integrity.Sha256;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ed25519 model-signing keys: PEM files as openssl writes them, the key id, signed models.published records. */
class ModelSigningKeysTest {

    @TempDir
    Path dir;

    @Test
    void signsTheRecordsValueBytesWithTheKeyIdInTheHeaders() throws Exception {
        ModelSigningKeys.KeyFiles files = ModelSigningKeys.openOrCreate(dir);
        assertThat(Files.getPosixFilePermissions(files.privateKeyFile())).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        ModelSigner signer = ModelSigner.fromPrivateKeyFile(files.privateKeyFile());
        assertThat(signer.keyId()).isEqualTo(ModelSigningKeys.keyId(ModelSigningKeys.readPublicKey(files.publicKeyFile())));
        byte[] weights = {1, 2, 3};
        ModelPublished event = new ModelPublished(new ModelArtifact(new ModelMetadata("covid-head", "v1",
                OffsetDateTime.parse("2026-12-01T10:00:00Z"), "resnet34:random", HeadArchitecture.standard(512, 0.5),
                null, Sha256.hex(weights), null, null), weights));

        ProducerRecord<String, byte[]> record = EventCodecs.signedModelRecord(Topics.MODELS_PUBLISHED, event, signer);

        String keyId = new String(record.headers().lastHeader("ce_signaturekeyid").value(), StandardCharsets.UTF_8);
        String signature = new String(record.headers().lastHeader("ce_signature").value(), StandardCharsets.UTF_8);
        assertThat(keyId).isEqualTo(signer.keyId()).matches("[0-9a-f]{16}");
        TrustedModelKeys trusted = TrustedModelKeys.load(List.of(files.publicKeyFile()));
        assertThat(trusted.verify(keyId, signature, record.value()).outcome()).isEqualTo(TrustedModelKeys.Outcome.VERIFIED);
        byte[] altered = record.value().clone();
        altered[altered.length / 2] ^= 1;
        assertThat(trusted.verify(keyId, signature, altered).outcome()).isEqualTo(TrustedModelKeys.Outcome.BAD_SIGNATURE);
        // the signature headers are CloudEvents extensions: the record still reads as the event
        assertThat(EventCodecs.MODEL_PUBLISHED.fromHeaders(record.headers(), record.value())).isEqualTo(event);
        // a second open keeps the pair
        assertThat(ModelSigner.fromPrivateKeyFile(ModelSigningKeys.openOrCreate(dir).privateKeyFile()).keyId())
                .isEqualTo(signer.keyId());
    }

    @Test
    void readsKeysMadeByOpensslAndComputesTheDocumentedKeyId() throws Exception {
        Assumptions.assumeTrue(onPath("openssl"), "openssl is not installed here");
        Path privateKey = dir.resolve("k.pem");
        Path publicKey = dir.resolve("k.pub.pem");
        Path der = dir.resolve("k.pub.der");
        run("openssl", "genpkey", "-algorithm", "ed25519", "-out", privateKey.toString());
        run("openssl", "pkey", "-in", privateKey.toString(), "-pubout", "-out", publicKey.toString());
        run("openssl", "pkey", "-pubin", "-in", publicKey.toString(), "-outform", "DER", "-out", der.toString());

        ModelSigner signer = ModelSigner.fromPrivateKeyFile(privateKey); // the public key derived from the private
        String documented = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(der))).substring(0, 16);
        assertThat(signer.keyId()).isEqualTo(documented);
        byte[] value = "v".getBytes(StandardCharsets.UTF_8);
        ModelSignature signature = signer.sign(value);
        assertThat(TrustedModelKeys.load(List.of(publicKey)).verify(signature.keyId(), signature.signatureBase64(), value)
                .verified()).isTrue();
    }

    @Test
    void refusesAFileThatIsNotAnEd25519Key() throws Exception {
        Path notAKey = Files.writeString(dir.resolve("x.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> ModelSigner.fromPrivateKeyFile(notAKey)).hasMessageContaining("not an Ed25519 private key");
        assertThatThrownBy(() -> TrustedModelKeys.load(List.of(dir.resolve("missing.pem"))))
                .hasMessageContaining("no public key file");
        KeyPair pair = ModelSigningKeys.generate();
        assertThat(ModelSigningKeys.derivePublicKey(pair.getPrivate())).isEqualTo(pair.getPublic());
    }

    private static boolean onPath(String command) {
        return java.util.Arrays.stream(System.getenv("PATH").split(java.io.File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, command)));
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
